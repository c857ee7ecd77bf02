"""The judge's sandbox overhead per run, and its throughput over all cores.

    .venv/bin/python benchmarks/judge_overhead.py [--runs 200] [--parallel-runs 400]

For a trivial C++ program and a trivial Python program (each reads one number and prints it),
measured side by side in the same run, interleaved run by run (the machine is shared and noisy;
medians count):
  plain        a plain subprocess: the binary, or `python3 main.py` (stdin from a file);
  sandboxed    Judge.execute through the local sandbox (bubblewrap box, seccomp, cgroups,
               rlimits, unprivileged uid), one run at a time; Python on the fast path;
  python-plain-path  the sandbox with JudgeConfig(fast_path=False): a fresh python3 per run;
  bwrap-per-run      the anchors' way: one setpriv + bubblewrap per run (no cgroup, no seccomp);
  cpp-leaving-ipc    a C++ run that leaves a System V segment: its box is replaced after it (the
                     cost of isolation between runs when a run leaves something behind).
Goals (issue 2): C++ sandboxed <= 3x plain; Python sandboxed <= 1.5x a plain python3 start.
Then runs per second over all cores (every worker busy), sandboxed and plain in alternating
rounds (medians), and the CPU time of
a CPU-bound run alone and with every worker busy (CPU times must stay comparable).
Prints one JSON object as its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from judge.languages import resolve_tools  # noqa: E402
from judge.runner import Judge, JudgeConfig  # noqa: E402
from judge.sandbox.box import NOBODY, bwrap_argv  # noqa: E402

MIB = 1 << 20
CPP = "#include <cstdio>\nint main() { long long x; scanf(\"%lld\", &x); printf(\"%lld\\n\", x); }\n"
PYTHON = "print(int(input()))\n"
# A run that leaves a System V shared memory segment (1 MiB) in its box: the box is replaced after
# it (issue 11), so its cost per run is a run plus a box restart.
LEFTOVER = ("#include <cstdio>\n#include <sys/shm.h>\nint main() { long long x; scanf(\"%lld\", &x);\n"
            "  shmget(4242, 1 << 20, IPC_CREAT | 0666); printf(\"%lld\\n\", x); }\n")
SPIN = "s = 0\nfor i in range(3 * 10 ** 6):\n    s += i\nprint(s > 0)\n"
LIMITS = {"time_limit": 2.0, "memory_limit": 256 * MIB}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def plain_runner(argv: list[str], work: Path):
    counter = iter(range(10 ** 9))

    def run():
        # Fresh files, as the judge uses: rewriting a file costs ms on ext4 (see Box.new_file).
        n = next(counter)
        inp, out = work / f"in{n}", work / f"out{n}"
        inp.write_text(f"{n}\n")
        with open(inp, "rb") as fin, open(out, "wb") as fout:
            subprocess.run(argv, stdin=fin, stdout=fout, check=True)
        inp.unlink()
        out.unlink()
    return run


def sandboxed_runner(judge: Judge, source: str, language: str):
    counter = iter(range(10 ** 9))

    def run():
        n = next(counter)  # a new input each time: execute() would otherwise answer from its cache
        outcome, = judge.execute(source, language, [f"{n}\n"], **LIMITS)
        assert outcome.verdict.value == "OK" and outcome.stdout.strip() == str(n), outcome
    return run


def bwrap_runner(binary: Path, work: Path):
    argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--",
            *bwrap_argv("/usr/bin/bwrap", None, ((str(binary.parent), "/prog"),)), f"/prog/{binary.name}"]
    return plain_runner(argv, work)


def interleaved(runners: dict, runs: int) -> dict[str, float]:
    """Median seconds per run of each runner, run in turn so that noise hits all alike."""
    for fn in runners.values():  # warm up: boxes started, programs compiled, caches hot
        for _ in range(3):
            fn()
    times = {name: [] for name in runners}
    for _ in range(runs):
        for name, fn in runners.items():
            times[name].append(timed(fn))
    return {name: statistics.median(t) for name, t in times.items()}


def throughput(judge: Judge, binary: Path, work: Path, runs: int, workers: int, rounds: int = 4) -> dict:
    """Runs per second with every worker busy, sandboxed and plain, in alternating rounds."""
    judge.execute(CPP, "cpp", ["0"], **LIMITS)
    counter = iter(range(10 ** 6, 10 ** 9))

    def sandboxed() -> float:
        inputs = [f"{next(counter)}\n" for _ in range(runs)]  # new inputs: execute() caches
        start = time.perf_counter()
        outcomes = judge.execute(CPP, "cpp", inputs, **LIMITS)
        assert all(o.verdict.value == "OK" for o in outcomes)
        return runs / (time.perf_counter() - start)

    def one_plain(n: int) -> None:
        inp = work / f"p{n}-{time.monotonic_ns()}"
        inp.write_text(f"{n}\n")
        with open(inp, "rb") as fin:
            subprocess.run([str(binary)], stdin=fin, stdout=subprocess.DEVNULL, check=True)
        inp.unlink()

    def plain() -> float:
        start = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(one_plain, range(runs)))
        return runs / (time.perf_counter() - start)

    rates = {"sandboxed": [], "plain": []}
    for _ in range(rounds):
        rates["sandboxed"].append(sandboxed())
        rates["plain"].append(plain())
    box, bare = statistics.median(rates["sandboxed"]), statistics.median(rates["plain"])
    return {"cpp_runs_per_s_sandboxed": round(box, 1), "cpp_runs_per_s_plain": round(bare, 1),
            "throughput_ratio": round(box / bare, 3), "workers": workers}


def cpu_comparability(judge: Judge, workers: int) -> dict:
    alone = [judge.execute(SPIN, "python", [f"# {n}"], **LIMITS)[0].cpu_time for n in range(3)]
    busy = judge.execute(SPIN, "python", [f"# busy {n}" for n in range(4 * workers)], **LIMITS)
    loaded = [o.cpu_time for o in busy]
    return {"cpu_alone_s": round(statistics.median(alone), 4), "cpu_all_workers_busy_s": round(statistics.median(loaded), 4),
            "cpu_busy_over_alone": round(statistics.median(loaded) / statistics.median(alone), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="runs per way for the per-run medians")
    parser.add_argument("--parallel-runs", type=int, default=200, help="runs per round for the throughput figures")
    args = parser.parse_args()

    python3 = resolve_tools("python")["python3"]
    with tempfile.TemporaryDirectory() as tmp, Judge(JudgeConfig(workers=1)) as one, \
            Judge(JudgeConfig(workers=1, fast_path=False)) as plain_path, Judge(JudgeConfig(workers=1)) as leftover:
        work = Path(tmp)
        work.chmod(0o755)
        (work / "main.cpp").write_text(CPP)
        (work / "main.py").write_text(PYTHON)
        subprocess.run(["g++", "-O2", "-std=c++17", "-o", str(work / "main"), str(work / "main.cpp")], check=True)
        (work / "main").chmod(0o755)
        medians = interleaved({
            "cpp_plain": plain_runner([str(work / "main")], work),
            "cpp_sandboxed": sandboxed_runner(one, CPP, "cpp"),
            "cpp_bwrap_per_run": bwrap_runner(work / "main", work),
            "python_plain": plain_runner([python3, str(work / "main.py")], work),
            "python_sandboxed": sandboxed_runner(one, PYTHON, "python"),
            "python_sandboxed_plain_path": sandboxed_runner(plain_path, PYTHON, "python"),
            "cpp_leaving_ipc_sandboxed": sandboxed_runner(leftover, LEFTOVER, "cpp"),
        }, args.runs)
        result = {f"{k}_ms": round(v * 1000, 3) for k, v in medians.items()}
        result.update({
            "cpp_overhead_ratio": round(medians["cpp_sandboxed"] / medians["cpp_plain"], 3),
            "cpp_bwrap_per_run_ratio": round(medians["cpp_bwrap_per_run"] / medians["cpp_plain"], 3),
            "python_overhead_ratio": round(medians["python_sandboxed"] / medians["python_plain"], 3),
            "python_plain_path_ratio": round(medians["python_sandboxed_plain_path"] / medians["python_plain"], 3),
            "goal_cpp_ratio": 3.0, "goal_python_ratio": 1.5,
            "runs": args.runs, "load_average": os.getloadavg()[0],
        })
        workers = len(os.sched_getaffinity(0))
        with Judge(JudgeConfig(workers=workers)) as every:
            result.update(throughput(every, work / "main", work, args.parallel_runs, workers))
            result.update(cpu_comparability(every, workers))
        result["layers"] = [layer.name for layer in one.layers if layer.active]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
