"""A run's report as one self-contained HTML page; the page itself is built in simulator/html/."""

from simulator.html.run_page import render_html

__all__ = ["render_html"]
