"""The AlphaCode-style solver: tokenizer, model, training, sampling, filtering, clustering.

Imports contests and judge; never simulator.
"""
