"""What one forked Python run costs the judge's supervisor, against the in-process harness with a
fork per test (benchmarks/inprocess_harness.py): CPU and page faults per run, on either side of
the fork.

A run's cost here is mostly page faults: after a fork each page either process writes is a fault
(and a copy while both live), so the supervisor counts the faults it takes per run, and those of
its runs. It is driven directly, outside any sandbox (no bubblewrap, seccomp or cgroup: those are
the same for every supervisor), by its own JSON lines: one batch of N runs of a trivial program
(a + b) on fresh input files, as the judge's batch path sends them. The harness forks a test per
run from its lean worker, as filter_throughput's inprocess_fork does. Both run in the judge's
interpreter (not a PATH shim). --before DIR also measures DIR's supervisor (an earlier checkout,
e.g. `git worktree add DIR COMMIT`), side by side; rounds alternate, the best round counts.

    .venv/bin/python benchmarks/supervisor_overhead.py [--runs 2000] [--rounds 3] [--before DIR]

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from judge.languages import resolve_tools  # noqa: E402

PROGRAM = "a, b = map(int, input().split())\nprint(a + b)\n"


def _stat(pid: int) -> tuple[float, float, int, int]:
    """(own CPU s, reaped children's CPU s, own minor faults, children's) of process PID."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return ((int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick,
            int(fields[7]), int(fields[8]))


def supervisor_round(python: str, supervisor: Path, runs: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="csim-sup-bench-"))
    scratch = work / "scratch"
    scratch.mkdir()
    (work / "main.py").write_text(PROGRAM)
    proc = subprocess.Popen([python, "-c", supervisor.read_text()], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def send(obj):
        proc.stdin.write((json.dumps(obj) + "\n").encode())
        proc.stdin.flush()

    def test(i):
        (work / f"in{i}").write_text(f"{i} {i + 1}\n")
        return {"stdin": str(work / f"in{i}"), "stdout": str(work / f"out{i}"), "stderr": str(work / f"err{i}")}

    try:
        send({"seccomp": None, "subreaper": True, "scratch": [str(scratch)]})
        assert json.loads(proc.stdout.readline())["ready"]
        request = {"cwd": str(work), "cpu": 3, "time_limit": 2.0, "wall": 6.0, "fsize": 1 << 26,
                   "env": {"PATH": "/usr/bin:/bin"}, "python": str(work / "main.py"), "id": 1}
        first = test(0)
        before, start = _stat(proc.pid), time.perf_counter()
        send({**request, **first, "test": first})
        for i in range(runs):
            answer = json.loads(proc.stdout.readline())
            assert answer["exit_code"] == 0 and (work / f"out{i}").read_text() == f"{2 * i + 1}\n", answer
            for name in ("in", "out", "err"):
                (work / f"{name}{i}").unlink(missing_ok=True)
            send({"test": test(i + 1) if i + 1 < runs else None})
        seconds, after = time.perf_counter() - start, _stat(proc.pid)
    finally:
        proc.stdin.close()
        proc.wait()
        shutil.rmtree(work, ignore_errors=True)
    return _per_run(before, after, seconds, runs)


HARNESS = """
import json, os, resource, sys, time
sys.path.insert(0, {benchmarks!r})
import inprocess_harness as h
run_test = h._in_forks(os.fork, os.kill)
code = compile({program!r}, "<program>", "exec")
tests = [h.Test(f"{{i}} {{i + 1}}\\n", f"{{2 * i + 1}}\\n") for i in range({runs})]
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.perf_counter()
for t in tests:
    assert run_test(code, t, 2.0) is None
seconds = time.perf_counter() - start
me2, kids2 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = lambda r: r.ru_utime + r.ru_stime
print(json.dumps([cpu(me), cpu(kids), me.ru_minflt, kids.ru_minflt, cpu(me2), cpu(kids2), me2.ru_minflt,
                  kids2.ru_minflt, seconds]))
"""


def harness_round(python: str, runs: int) -> dict:
    code = HARNESS.format(benchmarks=str(Path(__file__).resolve().parent), program=PROGRAM, runs=runs)
    out = json.loads(subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout)
    return _per_run(tuple(out[:4]), tuple(out[4:8]), out[8], runs)


def _per_run(before, after, seconds: float, runs: int) -> dict:
    d = [(b - a) / runs for a, b in zip(before, after)]
    return {"parent_cpu_ms": round(1000 * d[0], 3), "run_cpu_ms": round(1000 * d[1], 3),
            "cpu_ms": round(1000 * (d[0] + d[1]), 3), "parent_faults": round(d[2], 1), "run_faults": round(d[3], 1),
            "wall_ms": round(1000 * seconds / runs, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", type=Path, help="an earlier checkout: its supervisor side by side")
    args = ap.parse_args()
    python = resolve_tools("python")["python3"]
    ways = {"supervisor": lambda: supervisor_round(python, ROOT / "judge/sandbox/supervisor.py", args.runs),
            "inprocess_fork": lambda: harness_round(python, args.runs)}
    if args.before:
        ways["supervisor_before"] = lambda: supervisor_round(
            python, args.before / "judge/sandbox/supervisor.py", args.runs)
    best: dict[str, dict] = {}
    for round_ in range(args.rounds):
        for name, measure in ways.items():
            got = measure()
            print(f"round {round_ + 1}: {name}: {got}", file=sys.stderr)
            if name not in best or got["cpu_ms"] < best[name]["cpu_ms"]:
                best[name] = got
    result = {"benchmark": "supervisor_overhead", "runs": args.runs, "rounds": args.rounds, "python": python,
              "best_round": best, "load_1min": round(os.getloadavg()[0], 2),
              "cpu_supervisor_vs_inprocess_fork": round(best["supervisor"]["cpu_ms"] / best["inprocess_fork"]["cpu_ms"], 2)}
    if args.before:
        result["cpu_before_vs_now"] = round(best["supervisor_before"]["cpu_ms"] / best["supervisor"]["cpu_ms"], 2)
        result["faults_before_vs_now"] = round(
            (best["supervisor_before"]["parent_faults"] + best["supervisor_before"]["run_faults"])
            / (best["supervisor"]["parent_faults"] + best["supervisor"]["run_faults"]), 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
