"""Writes the demo contest's hidden tests and its MADE-UP standings, deterministically.

    python contests/demo/generate.py            # rewrite tests/ of every problem and standings.json

The statements, examples and reference solutions beside this file are written by hand. The hidden
tests are drawn here from a fixed seed; their answers come from running each problem's Python
reference solution. The standings are INVENTED: 300 made-up participants whose results follow a
simple model of skill (a rating) against difficulty. They exist so that a replay of the demo has
someone to be ranked among; they are no evidence of anything, and every report on the demo says so.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import string
import subprocess
import sys
from pathlib import Path

from contests.model import Contest, ProblemResult, StandingRow
from contests.native import read_problem, standing_to_dict
from contests.ranking import rank_table
from contests.rating import rating_changes
from contests.scoring import Attempt, problem_score

HERE = Path(__file__).resolve().parent
SEED = 20240601
PARTICIPANTS = 300

# ------------------------------------------------------------------ hidden tests, per problem


def tests_a(rng: random.Random) -> list[str]:
    cases = [(1, 1), (5, 5), (7, 2), (10**18, 1), (10**18, 10**18 - 1), (10**18 - 1, 10**18 - 1), (10**18, 3)]
    for digits in (2, 6, 12, 18):
        n = rng.randint(1, 10**digits)
        cases.append((n, rng.randint(1, n)))
    return [f"{n} {k}\n" for n, k in cases]


def _line(values) -> str:
    return " ".join(map(str, values)) + "\n"


def tests_b(rng: random.Random) -> list[str]:
    arrays = [[42], [-100], [5, 5, 5], [1, 2, 3, 4, 100], [100, -100, 100]]
    arrays += [[rng.randint(-100, 100) for _ in range(rng.randint(2, 20))] for _ in range(3)]
    arrays += [[rng.randint(-100, 99) for _ in range(10**5 - 1)] + [100], [rng.randint(-100, 100) for _ in range(10**5)]]
    return [f"{len(a)}\n{_line(a)}" for a in arrays]


def _palindrome(rng: random.Random, length: int) -> str:
    half = "".join(rng.choice("ab") for _ in range(length // 2))
    middle = rng.choice(string.ascii_lowercase) if length % 2 else ""
    return half + middle + half[::-1]


def _word(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("abc") for _ in range(length))


def tests_c(rng: random.Random) -> list[str]:
    sets = [["a"], ["ab"], ["aa", "aba", "abba", "abca"], ["z" * 100, "a" * 99 + "b"]]
    for count in (10, 50, 1000, 1000):
        sets.append([_palindrome(rng, rng.randint(1, 100)) if rng.random() < 0.5 else _word(rng, rng.randint(1, 100))
                     for _ in range(count)])
    return [f"{len(words)}\n" + "".join(w + "\n" for w in words) for words in sets]


def _range_sums(rng: random.Random, n: int, q: int, bound: int) -> str:
    a = [rng.randint(-bound, bound) for _ in range(n)]
    queries = []
    for _ in range(q):
        l = rng.randint(1, n)
        queries.append(f"{l} {rng.randint(l, n)}\n")
    return f"{n} {q}\n{_line(a)}" + "".join(queries)


def tests_d(rng: random.Random) -> list[str]:
    return ["1 1\n-7\n1 1\n", "3 3\n1000000000 1000000000 1000000000\n1 3\n2 2\n1 1\n"] + [
        _range_sums(rng, n, q, bound) for n, q, bound in
        ((10, 10, 10), (100, 100, 10**9), (1000, 1000, 10**9), (10**5, 2 * 10**4, 100), (5 * 10**4, 5 * 10**4, 10**6))]


def tests_e(rng: random.Random) -> list[str]:
    arrays = [(0, [0]), (2, [1, 1]), (-2, [-1, -1, -1]), (10, [5, 5, 5, 5, 5]), (3, [1, 2, 3, 0, 4])]
    arrays += [(rng.randint(-10, 10), [rng.randint(-10, 10) for _ in range(30)]) for _ in range(2)]
    arrays += [(2 * 10**9, [10**9] * 5 * 10**4), (0, [rng.randint(-1000, 1000) for _ in range(10**5)]),
               (rng.randint(-2 * 10**9, 2 * 10**9), [rng.randint(-10**9, 10**9) for _ in range(5 * 10**4)])]
    return [f"{len(a)} {k}\n{_line(a)}" for k, a in arrays]


GENERATORS = {"A": tests_a, "B": tests_b, "C": tests_c, "D": tests_d, "E": tests_e}


def answer(solution: Path, test_input: str) -> str:
    done = subprocess.run([sys.executable, str(solution)], input=test_input, capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout


def write_tests(problem_dir: Path, inputs: list[str]) -> None:
    """Hidden tests: the statement's examples first (as on Codeforces), then the generated ones."""
    examples = sorted((problem_dir / "examples").glob("*.in"))
    tests = [e.read_text() for e in examples] + inputs
    solution = problem_dir / "solutions" / "correct.py"
    folder = problem_dir / "tests"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for n, test_input in enumerate(tests, 1):
        (folder / f"{n:03d}.in").write_text(test_input)
        (folder / f"{n:03d}.ans").write_text(answer(solution, test_input))


# ------------------------------------------------------------------ made-up standings

# Ratings at which a made-up participant solves a problem half the time, and minutes a 1500-rated
# one spends on it: chosen so that A is solved by most and E by few, as in an easy round.
HALF_SOLVED_AT = {"A": 700, "B": 1000, "C": 1250, "D": 1500, "E": 1750}
MINUTES_AT_1500 = {"A": 6, "B": 10, "C": 14, "D": 22, "E": 30}


def made_up_row(rng: random.Random, number: int, contest: Contest) -> StandingRow:
    rating = int(min(2800, max(400, rng.gauss(1350, 350))))
    clock, results, total = 0.0, {}, 0.0
    for problem in contest.problems:
        index = problem.index
        solves = rng.random() < 1 / (1 + 10 ** ((HALF_SOLVED_AT[index] - rating) / 400))
        clock += MINUTES_AT_1500[index] * 2 ** ((1500 - rating) / 500) * math.exp(rng.gauss(0, 0.35))
        wrong = 0
        while rng.random() < 0.12 + 0.04 * len(results):
            wrong += 1
        attempts = [Attempt(max(0.0, clock - 3 * (wrong - w)), "WA", 2) for w in range(wrong)]
        if solves and clock < contest.duration_minutes:
            attempts.append(Attempt(clock, "OK"))
        if not attempts:
            continue
        score = problem_score(contest.rules, problem.points, contest.duration_minutes, attempts)
        results[index] = ProblemResult(score.points, score.rejected, score.minute, score.solved)
        total += score.points
    return StandingRow(handle=f"made-up-{number:03d}", points=round(total, 2), penalty=0, old_rating=rating,
                       problem_results=results)


def made_up_standings(contest: Contest, rng: random.Random) -> list[StandingRow]:
    rows = [made_up_row(rng, n, contest) for n in range(1, PARTICIPANTS + 1)]
    rows.sort(key=lambda r: -r.points)
    best, _ = rank_table([r.points for r in rows], [r.penalty for r in rows], contest.rules)
    deltas = rating_changes([r.points for r in rows], [r.penalty for r in rows], [r.old_rating for r in rows])
    for row, rank, delta in zip(rows, best, deltas):
        row.rank = int(rank)
        row.new_rating = row.old_rating + int(delta)
    return rows


def contest_without_standings() -> Contest:
    """The contest as contest.json describes it, read before its standings exist."""
    meta = json.loads((HERE / "contest.json").read_text())
    problems = []
    for entry in meta["problems"]:
        problem = read_problem(HERE / entry["dir"])
        problem.index, problem.points = entry["index"], float(entry["points"])
        problems.append(problem)
    return Contest(meta["id"], meta["name"], meta["rules"], meta["duration_minutes"], problems=problems)


def main() -> None:
    rng = random.Random(SEED)
    contest = contest_without_standings()
    for index, generate in GENERATORS.items():
        write_tests(HERE / index, generate(rng))
    rows = made_up_standings(contest, rng)
    (HERE / "standings.json").write_text(json.dumps([standing_to_dict(r) for r in rows], indent=1) + "\n")
    print(f"wrote tests for {len(GENERATORS)} problems and {len(rows)} made-up standings rows")


if __name__ == "__main__":
    main()
