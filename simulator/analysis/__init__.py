"""Analyses a researcher publishes beside a rating, computed from what a run stored:
scaling curves (scaling.py) and the copying check against a corpus (copying.py)."""
