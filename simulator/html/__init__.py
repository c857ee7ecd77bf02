"""HTML pages: a run's report (run_page.py) and a comparison of runs (compare_page.py).

Charts are Vega-Lite specifications built with Altair and exported to static SVG with
vl-convert, embedded in the page: it opens without a network and without scripts, and the few
lines of script it has only sort tables and export them as CSV."""
