"""The demo contest shipped with csim (contests/demo/): five easy problems and MADE-UP standings.

It exists so that `csim demo` can run the whole pipeline out of the box; its standings are
invented (Contest.made_up is True) and say nothing about any solver's real strength.
"""

from __future__ import annotations

from pathlib import Path

from contests.errors import DataError
from contests.model import Contest
from contests.native import read_contest

DEMO_DIR = Path(__file__).resolve().parent / "demo"
DEMO_CONTEST_ID = "csim-demo-1"


def demo_contest() -> Contest:
    contest = read_contest(DEMO_DIR)
    if not contest.made_up:
        raise DataError(DEMO_DIR / "contest.json", "made_up", "the demo's standings are invented: it must be true")
    return contest
