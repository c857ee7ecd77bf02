"""Runs a real Ray cluster (a head without CPUs and two 1-CPU worker nodes, ray.cluster_utils.Cluster)
for tests/simulator/test_ray_executor.py, inside a private network namespace so that Ray binds
127.0.0.1 (see RAY_COMMAND there). Writes one JSON object to OUT.

    ray_cluster_helper.py verdicts OUT TEMP_DIR    the same programs judged through Ray and locally
    ray_cluster_helper.py kill OUT TEMP_DIR DB     a replay undisturbed, then one with a node killed midway
    ray_cluster_helper.py resume OUT TEMP_DIR DB   `csim replay` on two nodes; again, the driver killed
                                                   midway and resumed; again on one node
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contests.demo import demo_contest  # noqa: E402
from simulator.components import judging, make_solver  # noqa: E402
from simulator.replay import Replayer, ReplaySettings  # noqa: E402
from simulator.store import Store  # noqa: E402
from sim_helpers import final_results, row_counts  # noqa: E402

# Fast health checks: a killed node is declared dead in about a second, not half a minute.
SYSTEM_CONFIG = {"health_check_period_ms": 300, "health_check_failure_threshold": 3, "health_check_timeout_ms": 300}


def cluster(temp_dir: str):
    from ray.cluster_utils import Cluster

    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "temp_dir": temp_dir,
                                                       "_system_config": SYSTEM_CONFIG,
                                                       "include_dashboard": False})
    workers = [c.add_node(num_cpus=1) for _ in range(2)]
    c.wait_for_nodes()
    return c, workers


def programs(problem) -> list[tuple[str, str]]:
    """Programs with every kind of verdict on PROBLEM: its own solutions, and ones that fail at runtime,
    do not compile, run out of time."""
    out = [(s.language, s.source) for s in problem.solutions]
    out += [("python", "import sys\nsys.exit(3)\n"), ("python", "print(\n"), ("cpp", "int main( {}\n"),
            ("python", "while True:\n    pass\n"), ("python", "print(-12345)\n")]
    return out


def verdicts(out: Path, temp_dir: str) -> None:
    import ray
    import ray.cloudpickle as cloudpickle

    from contests.errors import DataError
    from solver.selection.executor import LocalExecutor
    from solver.selection.ray_executor import RayExecutor

    problem = demo_contest().problems[0]
    problem = replace(problem, time_limit=0.5)
    progs = programs(problem)
    calls = {
        "examples": lambda j, p: j.judge(p[1], p[0], problem, tests=problem.examples).to_dict(),
        "hidden": lambda j, p: j.judge(p[1], p[0], problem).to_dict(),
        "execute": lambda j, p: [(o.verdict.value, o.stdout) for o in j.execute(
            p[1], p[0], [t.input for t in problem.examples], time_limit=0.5, memory_limit=problem.memory_limit)],
    }
    c, _ = cluster(temp_dir)
    try:
        with judging("ray", "local", None, c.address) as (judge, fingerprint, executor):
            remote = {name: [_stable(r) for r in executor.map(fn, progs, f"csim-{name}")] for name, fn in calls.items()}
            one = judge.judge(progs[0][1], progs[0][0], problem).verdict.value  # the replay's one-at-a-time path
            reports = [n.report for n in executor.nodes.values()]
            stats = vars(executor.stats).copy()
            ray_fingerprint = fingerprint
        refused = ""
        try:
            RayExecutor(c.address, describe=node_pid).start()
        except DataError as e:
            refused = str(e)
        finally:
            ray.shutdown()
        with judging("local", "local", 2, None) as (judge, fingerprint, _):
            local = {name: [_stable(r) for r in LocalExecutor(judge).map(fn, progs, f"csim-{name}")]
                     for name, fn in calls.items()}
            local_fingerprint = fingerprint
    finally:
        c.shutdown()
    out.write_text(json.dumps({"ray": remote, "local": local, "one": one, "reports": reports, "stats": stats,
                               "problem_bytes": len(cloudpickle.dumps(problem)), "programs": len(progs),
                               "refused": refused, "ray_fingerprint": ray_fingerprint, "local_fingerprint": local_fingerprint}))


def node_pid(judge) -> dict:
    """A description that differs from node to node."""
    import os

    return {"pid": os.getpid()}


def _stable(result):
    """A judging without its timings (which differ from run to run)."""
    if isinstance(result, dict):
        return {k: _stable(v) for k, v in result.items() if k not in ("time", "wall_time", "memory", "cpu_time", "seconds")}
    if isinstance(result, list):
        return [_stable(r) for r in result]
    return result


# ------------------------------------------------------------------ a node killed midway

def samples_file(path: Path, contest, copies: int = 12) -> Path:
    """Many distinct programs per problem, right and wrong (only wrong ones for the last problem), so
    that the filtering has batches to spread and the results hold solved and unsolved problems."""
    lines = []
    for n, problem in enumerate(contest.problems):
        for i in range(copies):
            for s in problem.solutions:
                if s.language == "python" and (s.correct is False or n < len(contest.problems) - 1):
                    lines.append({"problem": problem.id, "language": "python", "source": f"{s.source}\n# copy {i}\n"})
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def replay_once(db: str, address: str, contest, samples: Path, kill=None) -> tuple[int, dict]:
    settings = ReplaySettings(schedule="fixed:10", samples=100, clustering_inputs=4)
    from simulator.components import solver_identity

    with Store(db) as store, judging("ray", "local", None, address) as (judge, fingerprint, executor):
        solver = make_solver(f"samples:{samples}", judge, executor=executor)
        version = store.solver_version(solver_identity(solver, "test"))
        store.record_contest(contest)
        run = store.create_run(version, 7, {**settings.to_dict(), "contests": [contest.id]}, [contest.id])
        hook = None
        if kill is not None:
            def hook(done, total, what):
                if done == 1 and "solving" in what and not kill["started"]:
                    kill["started"] = True
                    threading.Thread(target=kill["fn"], args=(executor,), daemon=True).start()
        Replayer(store, solver, judge, fingerprint, settings, on_progress=hook).run(run, [contest])
        stats = vars(executor.stats).copy()
        nodes = len(executor.nodes)
    with Store(db) as store:
        solves = [(p.problem.index, p.stats, p.notes) for p in store.problem_results(run)]
        sources = [(s.problem_id, s.order, s.source, s.cluster_size) for s in store.submissions(run)]
    return run, {"results": {**final_results(db, run), "solves": solves, "sources": sources}, "counts": row_counts(db, run), "stats": stats, "nodes": nodes}


def kill(out: Path, temp_dir: str, db_dir: str) -> None:
    contest = demo_contest()
    contest = replace(contest, problems=contest.problems[:3])
    samples = samples_file(Path(db_dir) / "samples.jsonl", contest)
    c, workers = cluster(temp_dir)
    killed = {"started": False, "at": None, "in_flight": None}

    def kill_node(executor):
        victim = workers[1]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until the victim holds work, then kill it outright
            busy = executor.in_flight().get(victim.node_id, 0)
            if busy:
                killed["in_flight"] = busy
                c.remove_node(victim, allow_graceful=False)
                killed["at"] = time.monotonic()
                return
            time.sleep(0.005)

    killed["fn"] = kill_node
    try:
        _, undisturbed = replay_once(f"sqlite:///{db_dir}/a.db", c.address, contest, samples)
        _, disturbed = replay_once(f"sqlite:///{db_dir}/b.db", c.address, contest, samples, kill=killed)
    finally:
        c.shutdown()
    killed.pop("fn")
    out.write_text(json.dumps({"undisturbed": undisturbed, "disturbed": disturbed, "killed": killed}, default=str))


# ------------------------------------------------------------------ the driver killed midway, and 1 node vs 2

CSIM = Path(sys.executable).parent / "csim"


def csim_replay(address: str, home: Path, db: str, *args: str) -> subprocess.Popen:
    """`csim replay ... --executor ray` in a session of its own (so that SIGKILL reaches all of it)."""
    return subprocess.Popen([str(CSIM), "replay", *args, "--executor", "ray", "--ray-address", address, "--db", db,
                             "--json"], env={**os.environ, "CSIM_HOME": str(home)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def finished(proc: subprocess.Popen) -> None:
    out, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"csim replay failed ({proc.returncode}): {err[-3000:]}")


def kill_driver_midway(proc: subprocess.Popen, db: str) -> dict:
    """SIGKILL the replay once it has stored a problem's result (before its last); what it had stored."""
    from simulator.store import Store

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the replay ended before it could be killed: {proc.stderr.read()[-2000:]}")
        try:
            with Store(db) as store:
                run = store.run(1)
                stored = len(store.problem_results(1)) if run is not None else 0
        except Exception:  # the database is being created
            stored = 0
        if stored >= 1:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            return {"problems_stored": stored, "returncode": proc.returncode,
                    "status": final_results(db, 1)["status"]}
        time.sleep(0.05)
    raise RuntimeError("the replay stored no problem result in time")


def resume(out: Path, temp_dir: str, db_dir: str) -> None:
    contest = demo_contest()
    samples = samples_file(Path(db_dir) / "samples.jsonl", contest, copies=3)
    home = Path(db_dir) / "home"
    home.mkdir()
    args = ("--contest", "demo", "--solver", f"samples:{samples}", "--samples", "100", "--schedule", "fixed:10",
            "--seed", "7")
    c, workers = cluster(temp_dir)
    try:
        dbs = {name: f"sqlite:///{db_dir}/{name}.db" for name in ("two_nodes", "resumed", "one_node")}
        finished(csim_replay(c.address, home, dbs["two_nodes"], *args))
        killed = kill_driver_midway(csim_replay(c.address, home, dbs["resumed"], *args), dbs["resumed"])
        finished(csim_replay(c.address, home, dbs["resumed"], "--resume", "1"))
        c.remove_node(workers[1])
        c.wait_for_nodes()
        finished(csim_replay(c.address, home, dbs["one_node"], *args))
    finally:
        c.shutdown()
    out.write_text(json.dumps({"killed": killed, **{name: {"results": final_results(db, 1), "counts": row_counts(db, 1)}
                                                        for name, db in dbs.items()}}, default=str))


if __name__ == "__main__":
    mode, out, temp_dir, *rest = sys.argv[1:]
    # Ray's Cluster writes the head's address to <RAY_TMPDIR or /tmp>/ray/ray_current_cluster whatever
    # temp_dir the head got, and fails on a fresh machine where /tmp/ray does not exist yet: keep it
    # in this cluster's own directory.
    os.environ["RAY_TMPDIR"] = str(Path(temp_dir).parent)
    {"verdicts": verdicts, "kill": kill, "resume": resume}[mode](Path(out), temp_dir, *rest)
