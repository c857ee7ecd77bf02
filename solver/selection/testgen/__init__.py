"""New test inputs for clustering: generate (the entry points) over grammar (the input format's
parse trees), slots (what each value holds) and bounds (the statement's stated limits)."""
