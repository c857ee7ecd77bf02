"""The Docker backend against a real engine: the test starts its own dockerd (private data root,
exec root, pidfile and socket under a temporary directory, no bridge, no iptables) and stops it
afterwards; it skips, saying why, where that cannot be done."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from judge.runner import Judge, JudgeConfig
from judge.verdicts import Verdict

pytestmark = [pytest.mark.docker, pytest.mark.slow]
MIB = 1 << 20


@pytest.fixture(scope="module")
def engine():
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        pytest.skip("dockerd is not installed (scripts/setup.sh installs docker.io)")
    if os.geteuid() != 0:
        pytest.skip("starting dockerd needs root")
    # A short path: unix socket paths are limited to 108 bytes.
    root = Path(tempfile.mkdtemp(prefix="csim-dockerd-", dir="/tmp"))
    sock = root / "docker.sock"
    log = open(root / "dockerd.log", "wb")
    proc = subprocess.Popen([dockerd, "--data-root", str(root / "data"), "--exec-root", str(root / "exec"),
                             "--pidfile", str(root / "dockerd.pid"), "--host", f"unix://{sock}",
                             "--bridge", "none", "--iptables=false", "--ip6tables=false"],
                            stdout=log, stderr=log, start_new_session=True)
    url = f"unix://{sock}"
    try:
        import docker

        deadline = time.monotonic() + 60
        while True:
            try:
                docker.DockerClient(base_url=url).ping()
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = (root / "dockerd.log").read_text(errors="replace").strip().splitlines()[-1:]
                    pytest.skip(f"dockerd did not start here: {tail}")
                time.sleep(0.5)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        subprocess.run(["umount", "-R", str(root / "data")], capture_output=True)  # overlay mounts, if any
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def djudge(engine):
    with Judge(JudgeConfig(sandbox="docker", docker_url=engine, workers=2)) as j:
        yield j


def test_docker_layers(djudge):
    layers = {layer.name: layer for layer in djudge.layers}
    assert all(layer.active for layer in layers.values())
    assert {"docker-engine", "container", "seccomp", "cgroup-memory", "unprivileged-uid"} <= set(layers)
    assert "docker import" in layers["docker-engine"].detail


def test_docker_verdicts(djudge, problem_of):
    problem = problem_of([("1 2", "3"), ("5 5", "10")], time_limit=1.0, memory_limit=64 * MIB)
    cases = {
        "a, b = map(int, input().split())\nprint(a + b)\n": Verdict.OK,
        "print(0)\n": Verdict.WA,
        "while True:\n    pass\n": Verdict.TLE,
        "x = bytearray(1 << 30)\n": Verdict.MLE,
        "import sys\nwhile True:\n    sys.stdout.write('9' * 65536)\n": Verdict.OLE,
        "raise SystemExit(3)\n": Verdict.RE,
        "print((\n": Verdict.CE,
    }
    assert {src: djudge.judge(src, "python", problem).verdict for src in cases} == cases
    cpp = "#include <cstdio>\nint main() { int a, b; scanf(\"%d %d\", &a, &b); printf(\"%d\\n\", a + b); }\n"
    result = djudge.judge(cpp, "cpp", problem, all_tests=True)
    assert result.verdict is Verdict.OK and result.max_memory > 0


def test_docker_containment(djudge, problem_of):
    probe = """
import os, socket
out = []
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM); out.append("OPEN")
except PermissionError:
    out.append("blocked")
for path in ("/evil", "/usr/evil", "/box/evil", "/tmp/scratch"):
    try:
        open(path, "w").write("x"); out.append("written")
    except OSError:
        out.append("blocked")
out.append(str(os.getuid()))
print(*out)
"""
    result = djudge.judge(probe, "python", problem_of([("", "blocked blocked blocked blocked written 65534")]))
    assert result.verdict is Verdict.OK, result.message
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    # Under the pids limit the bomb can only spin (256 MB: memory is not what it runs out of first).
    assert djudge.judge(bomb, "python", problem_of([("", "")], 0.5, 256 * MIB)).verdict is Verdict.TLE
    assert djudge.judge("print(7)", "python", problem_of([("", "7")])).verdict is Verdict.OK


def test_docker_cleans_up_its_containers(engine, problem_of):
    import docker

    client = docker.DockerClient(base_url=engine)
    with Judge(JudgeConfig(sandbox="docker", docker_url=engine, workers=1)) as j:
        assert j.judge("print(1)", "python", problem_of([("", "1")])).verdict is Verdict.OK
        token = j._token
        assert client.containers.list(filters={"label": f"csim-judge={token}"})
    assert not client.containers.list(all=True, filters={"label": f"csim-judge={token}"})


def test_cli_with_the_docker_sandbox(engine, tmp_path, native_sum):
    from simulator.cli import main

    src = tmp_path / "sum.py"
    src.write_text("a, b = map(int, input().split())\nprint(a + b)\n")
    result = CliRunner().invoke(main, ["judge", str(src), "--problem", str(native_sum), "--sandbox", "docker",
                                       "--json"], env={"DOCKER_HOST": engine})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "OK"


def test_no_engine_is_one_line_and_non_zero(tmp_path, native_sum):
    from simulator.cli import main

    src = tmp_path / "sum.py"
    src.write_text("print(1)\n")
    result = CliRunner().invoke(main, ["judge", str(src), "--problem", str(native_sum), "--sandbox", "docker"],
                                env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert result.exit_code == 1 and result.stderr.startswith("csim: error: the judge could not run: no Docker engine")


@pytest.fixture
def native_sum(tmp_path):
    from contests.model import Problem, TestCase
    from contests.native import write_problem

    return write_problem(tmp_path / "sum", Problem("sum", "A + B", tests=[TestCase("1 2\n", "3\n")],
                                                   time_limit=1.0, memory_limit=64 << 20))
