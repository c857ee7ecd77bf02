"""`csim solve` end to end through the real judge: samples file and reference solutions, JSON and
table output, one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from simulator.cli import main
from selection_helpers import GAME23_CPP


@pytest.fixture(scope="module")
def dev(shared_data):
    return str(shared_data / "codecontests" / "dev.jsonl")


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    path = tmp_path_factory.mktemp("solve") / "samples.jsonl"
    records = [("cpp", GAME23_CPP), ("python", "print(-1)\n"), ("python", "print(0)\n"),
               ("cpp", GAME23_CPP.replace("q % 3 == 0", "q % 5 == 0")),  # passes the examples, wrong
               ("cpp", GAME23_CPP + "// again\n")]
    path.write_text("".join(json.dumps({"problem": "1141A", "language": lang, "source": src}) + "\n"
                            for lang, src in records))
    return path


def run(*args):
    return CliRunner().invoke(main, ["solve", *args], catch_exceptions=False)


def test_solve_samples_json(dev, samples):
    result = run("--problem", dev, "--problem-name", "1141A", "--solver", f"samples:{samples}", "--inputs", "8",
                 "--workers", "2", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["problem_id"] == "1141A" and out["solver"]["name"] == "samples"
    assert out["stats"]["drawn"] == 5 and out["stats"]["passed_examples"] >= 2
    first = out["submissions"][0]
    assert first["source"] == GAME23_CPP and first["cluster_size"] == 2 and first["reason"]
    assert [s["order"] for s in out["submissions"]] == list(range(len(out["submissions"])))
    assert out["seed"] == 0 and out["budget"]["clustering_inputs"] == 8


def test_solve_reference_table(dev):
    result = run("--problem", dev, "--problem-name", "1141A", "--solver", "reference", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "1 submissions" in result.output and "reference solution 1" in result.output


@pytest.mark.parametrize("args, says", [
    (["--reference"], "--reference was removed; use --solver reference"),
    (["--run", "runs/ft"], "--run was removed; use --solver jax:RUN_DIR"),
    (["--samples", "x.jsonl"], "--samples: 'x.jsonl' is not a whole number; a samples file is given as --solver samples:FILE"),
    (["--solver", "samples"], "unknown solver 'samples'"),
    (["--solver", "samples:/nonexistent.jsonl"], "no such samples file"),
])
def test_solve_bad_input_is_one_line(dev, args, says):
    result = CliRunner().invoke(main, ["solve", "--problem", dev, "--problem-name", "1141A", *args])
    assert result.exit_code == 2
    assert says in result.output and result.output.count("\n") == 1


def test_solve_bad_samples_line(dev, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"problem": "1141A", "language": "python", "source": "print(1)"}\n{oops\n')
    result = CliRunner().invoke(main, ["solve", "--problem", dev, "--problem-name", "1141A", "--solver", f"samples:{bad}"])
    assert result.exit_code == 2 and f"{bad}: line 2: not valid JSON" in result.output
