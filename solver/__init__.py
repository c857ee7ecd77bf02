"""The AlphaCode-style solver: interface (what the simulator asks of any solver), model/ (the JAX
model, its data and training), selection/ (filtering, test generation, clustering) and solvers/
(one module per solver kind, joining a source of programs to the selection).

Imports contests and judge; never simulator.
"""
