"""How valid are generated clustering inputs? The share the real human solutions run cleanly.

For every problem of the CodeContests dev file whose accepted human solution runs cleanly on all
its examples, generate N inputs (solver.selection.testgen.generate) and run that solution on them through the real
judge (judge.execute): an input counts as accepted when the run ends OK (no crash, no time-out).
This is a lower bound on validity's complement only in one direction: a clean run does not prove
an input valid, but a crash or time-out of an accepted solution nearly always means it is not.

    .venv/bin/python benchmarks/testgen_validity.py [--inputs 10] [--every 1]

Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contests.importers.codecontests import load_codecontests  # noqa: E402
from judge.runner import Judge, JudgeConfig  # noqa: E402
from solver.selection.testgen.generate import validity  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "codecontests" / "dev.jsonl")
    ap.add_argument("--inputs", type=int, default=10)
    ap.add_argument("--every", type=int, default=1, help="take every k-th problem")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    problems = [p for p in load_codecontests(args.dev)[:: args.every] if p.correct_solutions]
    start = time.perf_counter()
    with Judge(JudgeConfig(workers=args.workers)) as judge:
        result = validity(judge, problems, args.inputs, args.seed)
    result.update(benchmark="testgen_validity", inputs_per_problem=args.inputs, seconds=round(time.perf_counter() - start, 1))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
