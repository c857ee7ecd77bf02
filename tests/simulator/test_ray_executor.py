"""Judging on a real Ray cluster (solver.selection.ray_executor): a head and two worker nodes started
by ray.cluster_utils.Cluster in a helper process. Verdicts through Ray equal the local executor's;
a worker node killed in the middle of a replay changes nothing in its results; `csim replay` killed
midway and resumed, or run on one node instead of two, gives the same results; nothing of the
cluster is left running afterwards.

Ray binds the machine's own interface address; the helper runs in a private network namespace
(`unshare -n`, loopback up) so that the cluster lives on 127.0.0.1 and nothing else can reach it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from contests.errors import DataError

pytestmark = pytest.mark.slow

HELPER = Path(__file__).resolve().parent / "ray_cluster_helper.py"
ROOT = Path(__file__).resolve().parents[2]


def _can_unshare() -> bool:
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def run_helper(mode: str, *args: str) -> dict:
    """Run the helper in MODE inside a network namespace of its own; its JSON answer. Afterwards no
    process of its cluster may be left (every Ray process names the cluster's temp dir)."""
    if not _can_unshare():
        pytest.skip("needs `unshare -n` (root) to give the Ray cluster a private 127.0.0.1")
    temp = Path(tempfile.mkdtemp(prefix="csimray-", dir="/tmp"))  # short: Ray's socket paths live there
    try:
        out = temp / "out.json"
        command = f'ip link set lo up && exec "{sys.executable}" "{HELPER}" {mode} "{out}" "{temp}/ray" ' + \
                  " ".join(f'"{a}"' for a in args)
        proc = subprocess.run(["unshare", "-n", "sh", "-c", command], cwd=ROOT, capture_output=True, text=True,
                              timeout=900)
        assert proc.returncode == 0, proc.stderr[-4000:]
        assert _processes_naming(str(temp)) == [], "Ray processes outlived the cluster"
        return json.loads(out.read_text())
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _processes_naming(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in argv and "unshare" not in argv:
            found.append(argv[:200])
    return found


def _verdicts(results: dict) -> dict:
    """What must not depend on where a program was judged (timings and memory may)."""
    return {
        "examples": [(r["verdict"], r["failed_test"], [t["verdict"] for t in r["tests"]]) for r in results["examples"]],
        "hidden": [(r["verdict"], r["failed_test"], [t["verdict"] for t in r["tests"]]) for r in results["hidden"]],
        "execute": results["execute"],
    }


def test_verdicts_through_ray_equal_the_local_executors_and_each_node_gets_a_problem_once():
    d = run_helper("verdicts")
    assert _verdicts(d["ray"]) == _verdicts(d["local"])
    kinds = {v for v, _, _ in _verdicts(d["ray"])["hidden"]}
    assert {"OK", "WA", "RE", "CE", "TLE"} <= kinds  # every kind of outcome crossed the cluster
    assert d["one"] == "OK"  # one program at a time (the replay's submissions) goes through Ray too
    # Each node judged with its own sandbox and said so; the same machine judges alike locally.
    assert len(d["reports"]) == 2 and len({r["node_id"] for r in d["reports"]}) == 2
    for report in d["reports"]:
        assert {layer["name"] for layer in report["layers"] if layer["active"]} >= {"bubblewrap", "seccomp"}
    assert d["ray_fingerprint"] == d["local_fingerprint"]
    # The problem's tests went to each node once, though many batches used them.
    stats = d["stats"]
    assert stats["batches"] > 2 * len(d["reports"])
    assert stats["problem_bytes"] == len(d["reports"]) * d["problem_bytes"]
    # A node that judges differently (here: a description naming its process) is refused at start.
    assert "judges differently from the others" in d["refused"]


def test_a_worker_node_killed_mid_replay_changes_nothing():
    with tempfile.TemporaryDirectory(prefix="csimdb-") as db_dir:
        d = run_helper("kill", db_dir)
    undisturbed, disturbed = d["undisturbed"], d["disturbed"]
    assert d["killed"]["in_flight"] >= 1  # the node held work when it was killed
    assert disturbed["stats"]["resubmitted"] >= 1 and undisturbed["stats"]["resubmitted"] == 0
    assert disturbed["nodes"] == 1 and undisturbed["nodes"] == 2
    assert disturbed["results"] == undisturbed["results"]
    assert disturbed["results"]["status"] == "done"
    counts = disturbed["counts"]
    assert counts == undisturbed["counts"]
    assert counts["submissions"] == counts["distinct submissions"]  # nothing stored twice
    solved = [p[1] for p in disturbed["results"]["problems"]]
    assert True in solved and False in solved  # a result worth comparing: solved and unsolved problems


def test_csim_replay_through_ray_resumes_after_the_driver_is_killed_and_does_not_depend_on_the_node_count():
    with tempfile.TemporaryDirectory(prefix="csimdb-") as db_dir:
        d = run_helper("resume", db_dir)
    # Killed outright once a problem was stored, before the end; `csim replay --resume` finished it.
    assert d["killed"]["returncode"] == -9 and d["killed"]["status"] == "running"
    assert 1 <= d["killed"]["problems_stored"] < len(d["two_nodes"]["results"]["problems"])
    expected = d["two_nodes"]
    assert expected["results"]["status"] == "done"
    solved = [p[1] for p in expected["results"]["problems"]]
    assert True in solved and False in solved  # a result worth comparing
    for other in ("resumed", "one_node"):  # same seed: same results, row for row
        assert d[other]["results"] == expected["results"], other
        assert d[other]["counts"] == expected["counts"], other
    counts = d["resumed"]["counts"]
    assert counts["submissions"] == counts["distinct submissions"]  # nothing stored twice


def test_ray_address_without_the_ray_executor_is_refused():
    from simulator.components import judging

    with pytest.raises(DataError, match="--ray-address"):
        with judging("local", "none", 1, "127.0.0.1:6379"):
            pass
    with pytest.raises(DataError, match="--executor"):
        with judging("dask", "none", 1, None):
            pass
