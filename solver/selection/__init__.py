"""From many sampled programs to up to 10 submissions, AlphaCode's way: filtering on the examples,
test generation (testgen/), behaviour clustering, and the pipeline that chains them. Runs programs
through the judge, never imports JAX or the model (tests/test_layers.py).
"""
