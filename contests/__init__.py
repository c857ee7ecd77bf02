"""Problems, contests, real human standings, scoring rules and Codeforces rating math.

The lowest layer of csim: it imports none of judge, solver or simulator.
"""
