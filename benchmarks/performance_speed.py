"""Time Codeforces' performance (carrot's exact definition) of every participant of the shipped
carrot rounds, and of one result placed among them, and count the agreement with carrot's perfs.

    .venv/bin/python benchmarks/performance_speed.py [--data ../shared/data/standings]

For each round: seconds for all participants at once (contests.rating.codeforces_performance),
how many searches were redone with recomputed deltas ("all": every delta; "top": the top group's),
participants within 1 point of carrot's perfs (and exactly equal), carrot's fast method's agreement
for comparison, and the seconds to place one result (contests.rating.place_in_contest).
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from contests.importers.carrot import read_carrot_perfs, read_carrot_rows
from contests.model import Contest
from contests.ranking import rank_table
from contests.rating import _PerformanceSearch, carrot_performance, effective_ratings, place_in_contest

ROUNDS = ("carrot-round-1305-ozon-2020-div1+2", "carrot-round-1326-global-7", "carrot-round-1342-edu-86")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[1].parent / "shared/data/standings"))
    args = parser.parse_args()
    out = {"benchmark": "performance_speed", "rounds": []}
    for stem in ROUNDS:
        rows = read_carrot_rows(Path(args.data) / f"{stem}-data.json")
        exact = read_carrot_perfs(Path(args.data) / f"{stem}-perfs.json")
        columns = ([r.points for r in rows], [r.penalty for r in rows], [r.old_rating for r in rows])
        start = time.perf_counter()
        _, worst = rank_table(columns[0], columns[1])
        search = _PerformanceSearch(worst, effective_ratings(columns[2]))
        perfs = search.search(np.arange(len(rows)))
        seconds = time.perf_counter() - start
        fast = carrot_performance(*columns)
        expected = np.array([exact[r.handle] for r in rows])
        finite = np.isfinite(expected)
        contest = Contest("x", stem, rules="cf-icpc", standings=rows[1:])
        start = time.perf_counter()
        place_in_contest(contest, rows[0].points, rows[0].penalty, rows[0].old_rating)
        one = time.perf_counter() - start
        entry = {"round": stem, "participants": len(rows), "all_s": round(seconds, 3), "recomputed": search.recomputed,
                 "within_1": int((np.abs(perfs[finite] - expected[finite]) <= 1).sum()) + int((~finite).sum()),
                 "equal": int((perfs[finite] == expected[finite]).sum()) + int((~finite).sum()),
                 "carrot_fast_equal": int((fast[finite] == expected[finite]).sum()) + int((~finite).sum()),
                 "one_placement_s": round(one, 3)}
        print(entry)
        out["rounds"].append(entry)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
