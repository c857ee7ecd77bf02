"""Solver backends: outside models that csim samples programs from.

- `hf:PATH`: a local transformers checkpoint (solver.backends.hf), never downloaded;
- `openai:URL`: any OpenAI-compatible server, completions or chat (solver.backends.openai).

Each backend turns one prompt into generations (solver.backends.base.Backend); drawing
(solver.backends.draw) builds the prompts (prompts.py), asks the backend only for what the
generation cache lacks, and extracts code from the answers (extract.py); BackendSolver
(solver.backends.solver) joins any backend with the selection pipeline.
"""
