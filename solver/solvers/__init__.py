"""The solvers the simulator can replay contests against, one module per kind; each implements
solver.interface.Solver and joins a source of programs to the selection (solver.selection):

- jax.JaxSolver: samples from a trained csim model (solver.model);
- samples_file.SamplesFileSolver: reads programs written by any outside model from a file;
- reference.ReferenceSolver: submits the problem's known correct solutions, for sanity checks.

A new model backend is one more module here.
"""
