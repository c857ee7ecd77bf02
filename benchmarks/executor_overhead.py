"""Judged programs per second through Ray (solver.selection.ray_executor) against the local pool
(solver.selection.executor.LocalExecutor) on the same cores, side by side in one run, and the bytes
shipped per judged program.

    .venv/bin/python benchmarks/executor_overhead.py [--programs 400] [--rounds 3] [--workers 2] [--netns]

The work is the filtering's: distinct Python programs (right and wrong) judged on a problem's
examples. One Ray node (a local instance with WORKERS CPUs) holds one judge with WORKERS workers;
the local pool is one judge with WORKERS workers. Rounds alternate local and Ray so that load from
elsewhere falls on both alike; each round's programs are new (nothing cached from an earlier one).
--netns re-runs the script in a private network namespace (`unshare -n`, root) so that Ray binds
127.0.0.1 on a machine whose own address it cannot use. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def programs(problem, count: int, round_: int) -> list[tuple[str, str]]:
    sources = [s.source for s in problem.solutions if s.language == "python"]
    return [("python", f"{sources[i % len(sources)]}\n# round {round_} program {i}\n") for i in range(count)]


def judge_all(executor, problem, progs) -> tuple[float, list[str]]:
    started = time.perf_counter()
    verdicts = [r.verdict.value for r in executor.map(
        lambda j, p: j.judge(p[1], p[0], problem, tests=problem.examples), progs, "csim-bench")]
    return time.perf_counter() - started, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=400, help="programs judged per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each executor, alternating")
    parser.add_argument("--workers", type=int, default=2, help="judge workers (and Ray CPUs)")
    parser.add_argument("--netns", action="store_true", help="run in a private network namespace (root)")
    args = parser.parse_args()
    if args.netns:
        rest = [a for a in sys.argv[1:] if a != "--netns"]
        command = 'ip link set lo up && exec "$0" "$@"'
        sys.exit(subprocess.call(["unshare", "-n", "sh", "-c", command, sys.executable, __file__, *rest]))

    import ray

    from contests.demo import demo_contest
    from judge.runner import Judge, JudgeConfig
    from solver.selection.executor import LocalExecutor
    from solver.selection.ray_executor import RayExecutor

    problem = demo_contest().problems[0]
    load_before = os.getloadavg()
    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
    local_s, ray_s, same = [], [], True
    try:
        with Judge(JudgeConfig(workers=args.workers)) as judge, RayExecutor(workers=args.workers) as remote:
            remote.start()
            local = LocalExecutor(judge)
            judge_all(local, problem, programs(problem, 8, -1))  # warm both: interpreters, boxes
            judge_all(remote, problem, programs(problem, 8, -2))
            sent0, back0, items0 = remote.stats.sent_bytes, remote.stats.result_bytes, remote.stats.items
            for r in range(args.rounds):
                seconds, local_verdicts = judge_all(local, problem, programs(problem, args.programs, 2 * r))
                local_s.append(seconds)
                seconds, ray_verdicts = judge_all(remote, problem, programs(problem, args.programs, 2 * r + 1))
                ray_s.append(seconds)
                same &= local_verdicts == ray_verdicts  # the same programs modulo a comment
                print(f"round {r + 1}: local {args.programs / local_s[-1]:.1f} programs/s, "
                      f"ray {args.programs / ray_s[-1]:.1f} programs/s", file=sys.stderr)
            judged = remote.stats.items - items0
            sent = (remote.stats.sent_bytes - sent0) / judged
            back = (remote.stats.result_bytes - back0) / judged
            problem_bytes = remote.stats.problem_bytes
    finally:
        ray.shutdown()
    total = args.programs * args.rounds
    local_rate, ray_rate = total / sum(local_s), total / sum(ray_s)
    result = {
        "what": "judged programs per second (Python, on the demo problem A's examples), Ray vs the local pool",
        "workers": args.workers, "programs_per_round": args.programs, "rounds": args.rounds,
        "local_programs_per_s": round(local_rate, 1), "ray_programs_per_s": round(ray_rate, 1),
        "ray_over_local": round(ray_rate / local_rate, 3), "goal_ray_over_local": 0.85,
        "verdicts_equal": same,
        "bytes_sent_per_program": round(sent, 1), "bytes_back_per_program": round(back, 1),
        "problem_bytes_once_per_node": problem_bytes,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
