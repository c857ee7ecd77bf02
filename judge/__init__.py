"""Sandboxed compile-and-run of untrusted Python, C++ and Java against hidden tests.

Imports contests (for Problem) and nothing else of csim.
"""
