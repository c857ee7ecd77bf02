"""The input pipeline: where training text comes from (corpus), how an example is built (examples,
with the value-conditioning header and wrong programs made by mutants), a tokenised corpus kept on
disk (tokenized), and the batches training reads (batches)."""
