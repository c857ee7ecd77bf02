"""Bad flags are refused in one line naming the flag (exit 2) before anything runs or is stored,
and SIGTERM ends a replay as Ctrl-C does: recorded `interrupted`, never left `running` (issue 11)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main as csim
from simulator.store import Store

CSIM = str(Path(sys.executable).parent / "csim")


@pytest.mark.parametrize("args, message", [
    (["replay", "--contest", "demo", "--workers", "-3"], "--workers: -3 is out of range"),
    (["replay", "--contest", "demo", "--seed", str(10 ** 23)], "--seed: 100000000000000000000000 is out of range"),
    (["replay", "--contest", "demo", "--seed", "-1"], "--seed: -1 is out of range"),
    (["replay", "--contest", "demo", "--samples", "-5"], "--samples: -5 is out of range"),
    (["replay", "--contest", "demo", "--max-submissions", "0"], "--max-submissions: 0 is out of range"),
    (["demo", "--seed", str(10 ** 23)], "--seed: 100000000000000000000000 is out of range"),
    (["demo", "--samples", "-5"], "--samples: -5 is out of range"),
])
def test_bad_numbers_are_refused_in_one_line_naming_the_flag(args, message, tmp_path):
    db = tmp_path / "csim.db"
    result = CliRunner().invoke(csim, [*args, "--db", f"sqlite:///{db}"], env={"CSIM_HOME": str(tmp_path)})
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not db.exists()  # refused before the store was opened


def test_sigterm_ends_a_replay_as_interrupted(tmp_path):
    db = tmp_path / "csim.db"
    proc = subprocess.Popen([CSIM, "replay", "--contest", "demo", "--db", f"sqlite:///{db}", "--workers", "1"],
                            env={**os.environ, "CSIM_HOME": str(tmp_path)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if db.exists():
                with Store(f"sqlite:///{db}") as store:
                    if any(r.status == "running" for r in store.runs()):
                        break
            time.sleep(0.2)
        else:
            pytest.fail("the replay never started running")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode != 0
    with Store(f"sqlite:///{db}") as store:
        assert [r.status for r in store.runs()] == ["interrupted"], proc.stderr.read()
