"""End to end: a tiny model fine-tuned to memorise a few real problems yields samples that pass
their examples and reach the judge's OK, through `csim solve --run`. A model that small has seen
only its problems' own ratings and tags, so it samples with those (--headers problem) and a low
temperature (AlphaCode's 0.12 for a tempered model)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from model_runs import memorised_run
from simulator.cli import main


@pytest.mark.slow
def test_memorised_model_solves_its_problems_through_csim_solve(tmp_path_factory, shared_data):
    from judge.runner import Judge, JudgeConfig

    from solver.model.config import read_run_config
    from solver.model.tokenizer import Tokenizer

    run_dir, problems = memorised_run(tmp_path_factory, shared_data)
    dev = str(shared_data / "codecontests" / "dev.jsonl")
    # A solution longer than the tiny model's decoder (header included) is cut short: not solvable.
    config, _ = read_run_config(run_dir / "config.json")
    tokenizer = Tokenizer.load(run_dir / "tokenizer.model")
    room = config.model.max_decoder_len - 64
    with Judge(JudgeConfig(workers=2)) as judge:
        solvable = [p for p in problems if len(tokenizer.encode(p.correct_solutions[0].source)) < room
                    and judge.judge(p.correct_solutions[0].source, "python", p).accepted]
        assert len(solvable) >= 2, "fewer than two memorised problems fit the decoder and are accepted"
        for problem in solvable[:2]:
            result = CliRunner().invoke(main, [
                "solve", "--problem", dev, "--problem-name", problem.id, "--solver", f"jax:{run_dir}",
                "--samples", "8", "--languages", "python", "--headers", "problem", "--temperature", "0.12", "--inputs", "5", "--seed", "1", "--workers", "2", "--json"])
            assert result.exit_code == 0, result.output
            out = json.loads(result.output)
            assert out["solver"]["name"] == "jax" and len(out["solver"]["checkpoint_digest"]) == 64
            assert out["stats"]["drawn"] == 8 and out["stats"]["passed_examples"] >= 1, (problem.id, out["stats"])
            first = out["submissions"][0]
            assert judge.judge(first["source"], first["language"], problem).accepted, problem.id
