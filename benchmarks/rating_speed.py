"""Time the Codeforces rating update of a 15,000-participant contest (goal: <= 0.1 s), side by
side with the plain O(n^2) implementation in the same run.

The contest is synthetic but shaped like a real Educational round (seeded): ratings around 1500,
solved counts and penalties that follow rating with noise, many ties. With --real FILE a carrot
rows file (e.g. ../shared/data/standings/carrot-round-1342-edu-86-data.json) is timed too.

    .venv/bin/python benchmarks/rating_speed.py [--participants 15000] [--repeat 20] [--real FILE]

The plain implementation takes one to two minutes at 15,000 participants on a 2-core machine.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from contests.rating import carrot_performance, rating_changes
from contests.rating_reference import rating_changes_plain


def synthetic_contest(n: int, seed: int):
    rng = np.random.default_rng(seed)
    ratings = np.clip(rng.normal(1500, 350, n), -50, 3800).round().astype(int)
    skill = (ratings - 1500) / 350 + rng.normal(0, 1, n)
    solved = np.clip(np.round(2.5 + 1.2 * skill), 0, 7)
    penalties = np.where(solved > 0, rng.integers(10, 60, n) * solved, 0).astype(int)
    return solved.astype(float), penalties, ratings


def timed(call, repeat: int) -> tuple[float, float, object]:
    """(first call's seconds, median of REPEAT further calls, the result)."""
    start = time.perf_counter()
    result = call()
    cold = time.perf_counter() - start
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return cold, statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=15_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real", help="a carrot rows file to time as well")
    args = parser.parse_args()

    points, penalties, ratings = synthetic_contest(args.participants, args.seed)
    cold, fast, deltas = timed(lambda: rating_changes(points, penalties, ratings), args.repeat)
    _, perf_time, _ = timed(lambda: carrot_performance(points, penalties, ratings), max(1, args.repeat // 4))
    start = time.perf_counter()
    plain_deltas = rating_changes_plain(points, penalties, ratings)
    plain = time.perf_counter() - start
    print(f"{args.participants} participants: vectorised {fast * 1000:.1f} ms (first call {cold * 1000:.1f} ms), "
          f"plain {plain:.2f} s, carrot performance {perf_time * 1000:.1f} ms")
    result = {
        "benchmark": "rating_speed",
        "participants": args.participants,
        "fast_s": round(fast, 5),
        "fast_first_call_s": round(cold, 5),
        "plain_s": round(plain, 3),
        "speedup": round(plain / fast, 1),
        "same_deltas": bool(np.array_equal(deltas, plain_deltas)),
        "carrot_performance_s": round(perf_time, 5),
        "goal_s": 0.1,
        "meets_goal": fast <= 0.1,
    }
    if args.real:
        from contests.importers.carrot import official_deltas, read_carrot_rows

        rows = read_carrot_rows(args.real)
        columns = ([r.points for r in rows], [r.penalty for r in rows], [r.old_rating for r in rows])
        _, real_time, real_deltas = timed(lambda: rating_changes(*columns), args.repeat)
        result.update(real_file=args.real, real_participants=len(rows), real_fast_s=round(real_time, 5),
                      real_matching=int(np.sum(real_deltas == np.array(official_deltas(rows)))))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
