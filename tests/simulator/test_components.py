"""What keys stored judgings: the judge's configuration, its code and the toolchains."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import judge as judge_package
from simulator.components import code_digest, judging


def test_a_change_to_the_judge_code_changes_the_digest(tmp_path):
    copy = tmp_path / "judge"
    shutil.copytree(Path(judge_package.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_digest(copy)
    assert before == code_digest(Path(judge_package.__file__).parent)
    (copy / "verdicts.py").write_text((copy / "verdicts.py").read_text() + "\n# a fix\n")
    assert code_digest(copy) != before


def test_the_fingerprint_names_sandbox_code_and_toolchains():
    with judging("local", "none", 1) as (_, fingerprint, executor):
        assert executor is None
    got = json.loads(fingerprint)
    assert got["sandbox"] == "none" and got["judge_code"] == code_digest(Path(judge_package.__file__).parent)
    assert set(got["toolchains"]) == {"python", "cpp", "java"} and "g++" in got["toolchains"]["cpp"]
