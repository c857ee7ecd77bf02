"""The HTML report opened in a real headless browser (Debian's chromium, installed by
scripts/setup.sh): the page loads without script errors, every chart is there and drawn, and a
screenshot is kept (its path is printed; look at it).

The run is a replay of 2 seeds over 2 contests of real CodeContests problems with known sample
counts, its contests in a library so that the human score distribution can be drawn."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from simulator.cli import main as csim
from simulator.store import Store
from solver.interface import SampleStats

from analysis_helpers import CountingSolver, replay_seeds
from sim_helpers import make_contests, small_problems

pytestmark = pytest.mark.slow

CHARTS = {"percentile", "performance", "rating", "human-scores", "difficulty", "scaling", "selection", "funnel"}


def chromium() -> str:
    path = shutil.which("chromium")
    assert path, "Debian's chromium is needed (scripts/setup.sh installs it: apt-get install chromium)"
    return path


def browse(html_file, screenshot) -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and the console messages the browser logged."""
    args = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr",
            "--v=0", "--window-size=1280,2400"]
    dom = subprocess.run([*args, "--dump-dom", html_file.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = subprocess.run([*args, f"--screenshot={screenshot}", html_file.as_uri()], capture_output=True, text=True,
                          timeout=120)
    assert shot.returncode == 0, shot.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() + shot.stderr.splitlines() if ":CONSOLE" in line]
    return dom.stdout, console


def figures(dom: str) -> dict[str, str]:
    """Each chart's name and its figure's markup."""
    parts = re.split(r'(?=<figure class="chart)', dom)
    out = {}
    for part in parts[1:]:
        name = re.search(r'data-chart(?:-missing)?="([^"]+)"', part).group(1)
        out[name] = part[:part.index("</figure>")]
    return out


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, codecontests_dev, judge):
    root = tmp_path_factory.mktemp("report")
    contests = make_contests(small_problems(codecontests_dev, 6), per_contest=3)
    counts = {p.id: SampleStats(drawn=40 + 20 * n, distinct=30 + 10 * n, passed_examples=4 * n, clusters=n,
                                passed_hidden=2 * n)
              for n, p in enumerate(p for c in contests for p in c.problems)}
    db = f"sqlite:///{root / 'csim.db'}"
    with Store(db) as store:
        runs = replay_seeds(store, CountingSolver(counts=counts), contests, judge, [0, 1], root / "library")
    html = root / "report.html"
    out = CliRunner().invoke(csim, ["report", str(runs[0]), "--db", db, "--html", str(html)])
    assert out.exit_code == 0, out.output
    return {"html": html, "db": db, "runs": runs}


def test_report_loads_in_a_browser_without_script_errors_and_draws_every_chart(report_file, tmp_path):
    screenshot = tmp_path / "report.png"
    dom, console = browse(report_file["html"], screenshot)
    print(f"screenshot: {screenshot}")
    assert console == [], console  # no script error, no console message at all
    assert screenshot.stat().st_size > 20_000

    charts = figures(dom)
    assert set(charts) == CHARTS, f"missing or unexpected charts: {set(charts) ^ CHARTS}"
    for name, markup in charts.items():
        assert "<svg" in markup, f"{name}: no drawing"
        assert "data-chart-missing" not in markup, f"{name}: not drawn"
        marks = re.findall(r'class="mark-\w+ role-mark[^"]*"[^>]*>(.*?)</g>', markup, flags=re.S)
        assert any("<path" in m or "<line" in m or "<text" in m for m in marks), f"{name}: no marks drawn"

    # readable tables: no Python literals, rounded figures, sortable, exportable
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", dom, flags=re.S)]
    assert len(cells) > 50
    assert not [c for c in cells if c.strip() in ("True", "False", "None")]
    assert not [c for c in cells if re.search(r"\d\.\d{4,}", c)]  # rounded figures
    assert 'button class="csv" data-table="contests"' in dom and 'button class="csv" data-table="problems"' in dom
    # caveats stand beside the figures they qualify
    assert "MADE-UP" in charts["percentile"] and "MADE-UP" in charts["human-scores"]
    # the selection strategies: one line each, and the one without scores said to be not available
    for strategy in ("random", "examples_random", "logprob", "clustering", "oracle"):
        assert f">{strategy}<" in charts["selection"], strategy
    assert "value: not available" in charts["selection"]


def test_comparison_page_loads_in_a_browser_with_its_chart_and_tables(report_file, tmp_path):
    html = tmp_path / "compare.html"
    out = CliRunner().invoke(csim, ["compare", *map(str, report_file["runs"]), "--db", report_file["db"],
                                    "--html", str(html)])
    assert out.exit_code == 0, out.output
    screenshot = tmp_path / "compare.png"
    dom, console = browse(html, screenshot)
    print(f"screenshot: {screenshot}")
    assert console == [], console
    charts = figures(dom)
    assert set(charts) == {"percentile-comparison"} and "role-mark" in charts["percentile-comparison"]
    for name in ("tests", "contests", "problems"):
        assert f'id="table-{name}"' in dom
    assert "no significant change" in dom


def test_a_script_error_in_the_page_is_caught_by_the_browser_check(tmp_path):
    """The check above can fail: a page whose script throws is reported."""
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>notDefinedAnywhere();</script></body></html>")
    _, console = browse(bad, tmp_path / "bad.png")
    assert any("Uncaught ReferenceError" in line for line in console)
