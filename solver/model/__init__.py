"""The JAX model: an AlphaCode-style encoder-decoder transformer, its tokenizer, input pipeline
(data/), training and sampling. It never imports the judge or the selection (tests/test_layers.py).

config (model and training settings, presets), tokenizer, transformer (the network) over
attention, losses, train (the step and the loop), checkpoint, mesh (devices and sharding),
sampler (one jitted loop with a KV cache).
"""
