"""Filtering throughput: executions per second of Python and C++ samples on example tests.

Python samples are real: the human solutions of the first PROBLEMS problems of the CodeContests
dev file and mutants of them (solver.model.data.mutants), each run on its problem's examples through
solver.selection.filtering.filter_on_examples (so Codeforces' stop-at-the-first-failure applies, as in
filtering; samples that run into the time limit are left out: they measure the limit); trivial Python samples (a + b) show what each way costs per run beyond the program's
own work. C++ samples are variants of one small real solution. Three ways, side by side in one
run, each with the same parallelism (the judge's workers):
  fast   the judge with its fast path (Python: a forked, pre-started interpreter in the sandbox);
  plain  the judge with JudgeConfig(fast_path=False) (a fresh interpreter per run in the sandbox);
  loop   a plain `python3 prog.py < input` (or the compiled binary) per run, no sandbox (the
         judge's own interpreter, /usr/bin/python3.11 here, not a PATH shim such as pyenv's).
Compilation is done before timing (both judges cache compiled programs); its time is reported
apart. Rounds alternate the modes and the best round of each counts, the machine being shared.

    .venv/bin/python benchmarks/filter_throughput.py [--problems 30] [--mutants 3] [--rounds 2]

Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contests.importers.codecontests import load_codecontests  # noqa: E402
from contests.model import Problem, TestCase  # noqa: E402
from judge.languages import resolve_tools  # noqa: E402
from judge.runner import Judge, JudgeConfig  # noqa: E402
from solver.selection.filtering import Candidate, filter_on_examples  # noqa: E402
from solver.model.data.mutants import mutate  # noqa: E402

GAME23_CPP = """#include <cstdio>
int main() {
    long long n, m; scanf("%lld %lld", &n, &m);
    if (m % n) { puts("-1"); return 0; }
    long long q = m / n; int c = 0;
    while (q % 2 == 0) { q /= 2; c++; }
    while (q % 3 == 0) { q /= 3; c++; }
    printf("%d\\n", q == 1 ? c : -CONST);
}
"""


def python_samples(dev: Path, problems: int, mutants: int) -> list[tuple[Problem, Candidate]]:
    out = []
    rng = np.random.default_rng(0)
    for p in load_codecontests(dev)[:problems]:
        human = p.correct_solutions[0].source
        for n, src in enumerate([human] + mutate(human, "python", rng, limit=mutants)):
            out.append((p, Candidate(f"{p.id}-{n}", src, "python", n)))
    return out


def trivial_python_samples(count: int) -> list[tuple[Problem, Candidate]]:
    """Programs that do almost nothing: what each way costs per run beyond the program's own work."""
    problem = Problem(id="sum", name="sum", examples=[TestCase(f"{i} {i + 1}\n", f"{2 * i + 1}\n") for i in range(3)])
    return [(problem, Candidate(f"triv{n}", f"# sample {n}\na, b = map(int, input().split())\nprint(a + b)\n",
                                "python", n)) for n in range(count)]


def cpp_samples(count: int) -> list[tuple[Problem, Candidate]]:
    problem = Problem(id="game23", name="game23", examples=[
        TestCase("120 51840\n", "7\n"), TestCase("42 42\n", "0\n"), TestCase("48 72\n", "-1\n")])
    return [(problem, Candidate(f"cpp{n}", GAME23_CPP.replace("CONST", str(1 + n % 2)) + f"// {n}\n",
                                "cpp", n)) for n in range(count)]


def _by_problem(samples) -> dict[str, tuple[Problem, list[Candidate]]]:
    by_problem: dict[str, tuple[Problem, list[Candidate]]] = {}
    for p, c in samples:
        by_problem.setdefault(p.id, (p, []))[1].append(c)
    return by_problem


def run_judge(judge, samples) -> tuple[int, float]:
    """Executions and seconds for filtering every sample on its problem's examples."""
    runs, start = 0, time.perf_counter()
    for p, cands in _by_problem(samples).values():
        result = filter_on_examples(judge, p, cands)
        runs += sum(_runs(result.verdicts[c.id], result.messages[c.id], len(p.examples)) for c in result.distinct)
    return runs, time.perf_counter() - start


def _runs(verdict: str, message: str, n_examples: int) -> int:
    """Tests a judged sample ran: all when it passed, else up to its first failure."""
    if verdict == "OK":
        return n_examples
    if verdict == "CE":
        return 0
    try:
        return int(message.split(":")[0].split()[1])
    except (IndexError, ValueError):
        return 1


def run_loop(samples, workers: int, binaries: dict[str, Path] | None, time_limit: float) -> tuple[int, float]:
    """The same runs (stopping at the first failure) as plain processes, no sandbox: the judge's
    own interpreter (not a PATH shim) on a source file, as the judge's plain path runs it."""
    python3 = resolve_tools("python")["python3"]
    sources = {}
    if not binaries:
        for _, cand in samples:
            sources[cand.id] = Path(tempfile.mkstemp(suffix=".py", prefix="csim-bench-")[1])
            sources[cand.id].write_text(cand.source)

    def one(item):
        problem, cand = item
        runs = 0
        for test in problem.examples:
            with tempfile.TemporaryFile() as stdin:
                stdin.write(test.input.encode())
                stdin.seek(0)
                argv = [str(binaries[cand.id])] if binaries else [python3, str(sources[cand.id])]
                runs += 1
                try:
                    done = subprocess.run(argv, stdin=stdin, capture_output=True, timeout=time_limit * 3)
                except subprocess.TimeoutExpired:
                    break
                if done.returncode != 0 or done.stdout.decode(errors="replace").split() != test.output.split():
                    break
        return runs

    start = time.perf_counter()
    try:
        with ThreadPoolExecutor(workers) as pool:
            runs = sum(pool.map(one, samples))
        return runs, time.perf_counter() - start
    finally:
        for path in sources.values():
            path.unlink(missing_ok=True)


def compile_all(judge, samples) -> float:
    start = time.perf_counter()
    for _, c in samples:
        judge.compile(c.source, c.language)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "codecontests" / "dev.jsonl")
    ap.add_argument("--problems", type=int, default=30)
    ap.add_argument("--mutants", type=int, default=3)
    ap.add_argument("--cpp", type=int, default=16, help="C++ samples")
    ap.add_argument("--trivial", type=int, default=40, help="trivial Python samples")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    workers = args.workers or len(os.sched_getaffinity(0))

    py = python_samples(args.dev, args.problems, args.mutants)
    trivial = trivial_python_samples(args.trivial)
    cpp = cpp_samples(args.cpp)
    best: dict[str, float] = {}
    slow: set[str] = set()
    runs_of: dict[str, int] = {}
    compile_seconds: dict[str, float] = {}
    tmp = Path(tempfile.mkdtemp(prefix="csim-filter-bench-"))
    binaries = {}
    start = time.perf_counter()
    for _, c in cpp:  # the plain loop's own binaries, built as the judge builds them
        src = tmp / f"{c.id}.cpp"
        src.write_text(c.source)
        subprocess.run(["g++", "-O2", "-std=c++17", "-DONLINE_JUDGE", "-o", str(tmp / c.id), str(src)], check=True)
        binaries[c.id] = tmp / c.id
    compile_seconds["cpp_plain_g++"] = time.perf_counter() - start
    try:
        with Judge(JudgeConfig(workers=workers, fast_path=True)) as fast, \
                Judge(JudgeConfig(workers=workers, fast_path=False)) as plain:
            for name, judge in (("fast", fast), ("plain", plain)):
                compile_seconds[f"python_{name}"] = compile_all(judge, py + trivial)
                compile_seconds[f"cpp_{name}"] = compile_all(judge, cpp)
            # Samples that run into the time limit measure the limit, not the throughput: left out.
            for p, cands in _by_problem(py).values():
                result = filter_on_examples(fast, p, cands)
                slow |= {c for c, v in result.verdicts.items() if v == "TLE"}
            py = [(p, c) for p, c in py if c.id not in slow]
            for round_ in range(args.rounds):
                for lang, samples in (("python", py), ("trivial_python", trivial), ("cpp", cpp)):
                    for mode in ("fast", "plain", "loop"):
                        if mode == "loop":
                            runs, seconds = run_loop(samples, workers, binaries if lang == "cpp" else None, 2.0)
                        else:
                            runs, seconds = run_judge(fast if mode == "fast" else plain, samples)
                        key = f"{lang}_{mode}"
                        rate = runs / seconds
                        print(f"round {round_ + 1}: {key}: {runs} runs in {seconds:.2f} s = {rate:.1f} runs/s",
                              file=sys.stderr)
                        best[key] = max(best.get(key, 0.0), rate)
                        runs_of[key] = runs
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {
        "benchmark": "filter_throughput",
        "workers": workers,
        "python_samples": len(py),
        "python_samples_left_out_for_tle": len(slow),
        "trivial_python_samples": len(trivial),
        "cpp_samples": len(cpp),
        "runs": runs_of,
        "runs_per_s": {k: round(v, 1) for k, v in sorted(best.items())},
        "python_fast_vs_loop": round(best["python_fast"] / best["python_loop"], 2),
        "python_fast_vs_plain": round(best["python_fast"] / best["python_plain"], 2),
        "python_plain_vs_loop": round(best["python_plain"] / best["python_loop"], 2),
        "trivial_python_fast_vs_loop": round(best["trivial_python_fast"] / best["trivial_python_loop"], 2),
        "trivial_python_fast_vs_plain": round(best["trivial_python_fast"] / best["trivial_python_plain"], 2),
        "ms_per_run_per_worker": {k: round(1000 * workers / v, 1) for k, v in sorted(best.items())},
        "cpp_fast_vs_loop": round(best["cpp_fast"] / best["cpp_loop"], 2),
        "cpp_plain_vs_loop": round(best["cpp_plain"] / best["cpp_loop"], 2),
        "compile_seconds": {k: round(v, 2) for k, v in compile_seconds.items()},
        "goal_python_fast_vs_loop": 5.0,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
