"""The sampler: cache vs recomputation, determinism, memorised programs, `csim solver sample`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from model_runs import memorised_run

@pytest.fixture(scope="module")
def memorised(tmp_path_factory, shared_data):
    return memorised_run(tmp_path_factory, shared_data)


@pytest.fixture(scope="module")
def sampler(memorised):
    from solver.model.sampler import Sampler

    return Sampler.from_run(memorised[0], batch_size=4)


def _draw(sampler, problem, n, **options):
    options = {"seed": 1, "temperature": 1.0, **options}
    return [(s.index, s.source, s.language, s.logprob, s.tokens) for s in sampler.sample(problem, n, **options)]


@pytest.mark.slow  # needs the memorised run (about a minute to train once)
def test_cached_decoding_draws_exactly_the_tokens_of_full_recomputation(sampler, memorised):
    """Same keys, same draws: the KV cache changes the cost, not one token (temperature 1, so the
    draws are far from deterministic; the statement is one the model has never seen)."""
    unseen = memorised[1][0]
    unseen = type(unseen)(id="unseen", name="unseen", statement=unseen.statement[::-1])
    cached = _draw(sampler, unseen, 4, max_new_tokens=48)
    recomputed = _draw(sampler, unseen, 4, max_new_tokens=48, use_cache=False)
    assert [c[1] for c in cached] == [r[1] for r in recomputed]
    np.testing.assert_allclose([c[3] for c in cached], [r[3] for r in recomputed], rtol=1e-4)
    assert len({c[1] for c in cached}) == 4  # four different programs


@pytest.mark.slow  # needs the memorised run (about a minute to train once)
def test_same_seed_same_samples_whatever_the_batch_size(sampler, memorised):
    problem = memorised[1][2]
    first = _draw(sampler, problem, 6, max_new_tokens=48)
    assert _draw(sampler, problem, 6, max_new_tokens=48) == first
    assert _draw(sampler, problem, 6, max_new_tokens=48, seed=2) != first
    # Sample i depends on (seed, problem, i) only: drawing fewer, or in other batches, repeats it
    # (another batch shape may sum in another order: the same tokens, log-probs equal to rounding).
    assert _draw(sampler, problem, 3, max_new_tokens=48) == first[:3]
    other = _draw(sampler, problem, 6, max_new_tokens=48, batch_size=2)
    assert [(i, src, lang, n) for i, src, lang, _, n in other] == [(i, src, lang, n) for i, src, lang, _, n in first]
    np.testing.assert_allclose([x[3] for x in other], [x[3] for x in first], rtol=1e-5)


@pytest.mark.slow  # needs the memorised run (about a minute to train once)
def test_headers_follow_alphacode_sampling(sampler, memorised):
    problem = memorised[1][1]
    samples = list(sampler.sample(problem, 8, seed=3, max_new_tokens=48))
    assert [s.index for s in samples] == list(range(8))
    for s in samples:
        # fine-tuned on dev problems, which have no ratings: the model never saw a RATING line
        assert s.header["rating"] is None
        assert s.header["correct"] is True and s.header["language"] == s.language in ("python", "cpp")
        assert 1 <= s.tokens <= 48
    from solver.model.data.header import RATINGS
    from solver.model.sampler import Sampler

    rated = Sampler(sampler.config, sampler.params, sampler.tokenizer, tag_sets=sampler.tag_sets, ratings=RATINGS,
                    batch_size=4)
    drawn = [s.header["rating"] for s in rated.sample(problem, 8, seed=3, max_new_tokens=8)]
    assert all(800 <= r <= 3500 and r % 100 == 0 for r in drawn) and len(set(drawn)) > 1
    assert {s.language for s in samples} == {"python", "cpp"}
    only_cpp = list(sampler.sample(problem, 4, seed=3, max_new_tokens=48, languages=("cpp",)))
    assert {s.language for s in only_cpp} == {"cpp"}


@pytest.mark.slow  # needs the memorised run (about a minute to train once)
def test_a_memorised_model_samples_its_training_solutions(sampler, memorised):
    """Fine-tuned until it memorised four problems, the model writes their solutions back at a low
    temperature, given the header it was trained with (the problem's own tags)."""
    _, problems = memorised
    reproduced = 0
    for problem in problems:
        samples = list(sampler.sample(problem, 4, seed=0, temperature=0.12, languages=("python",), headers="problem"))
        reproduced += any(s.source == problem.correct_solutions[0].source for s in samples)
        assert all(np.isfinite(s.logprob) and s.logprob <= 0 for s in samples)
    assert reproduced >= 3


@pytest.mark.slow  # needs the memorised run (about a minute to train once)
def test_csim_solver_sample_streams_distinct_samples(memorised, shared_data, tmp_path, monkeypatch):
    from simulator.cli import main

    run_dir, problems = memorised
    monkeypatch.setenv("CSIM_HOME", str(tmp_path / "home"))
    out = tmp_path / "samples.jsonl"
    problem = problems[3]
    result = CliRunner().invoke(main, [
        "solver", "sample", "--problem", str(shared_data / "codecontests" / "dev.jsonl"), "--problem-name",
        f"{problem.contest_id}_{problem.index}. {problem.name}", "--run", str(run_dir), "-n", "8",
        "--batch-size", "4", "--temperature", "0.12", "--languages", "python", "--headers", "problem",
        "--out", str(out), "--json",
    ])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert summary["drawn"] == 8 and summary["distinct"] == len(records) < 8  # memorised: repeats dropped
    assert len({(r["language"], r["source"]) for r in records}) == len(records)
    assert all(r["problem"] == problem.id and r["language"] == "python" for r in records)
    assert problem.correct_solutions[0].source in {r["source"] for r in records}


def test_csim_solver_sample_says_what_is_wrong_in_one_line(tmp_path):
    from simulator.cli import main

    result = CliRunner().invoke(main, ["solver", "sample", "--problem", str(tmp_path / "missing"), "--run",
                                       str(tmp_path), "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "no such file or directory" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.slow  # needs the memorised run (about a minute to train once)
def test_csim_solver_sample_shares_split_the_draw_between_hosts(memorised, shared_data, tmp_path, monkeypatch):
    """`--share 0/2` and `--share 1/2` (two hosts, nothing shared between them) draw disjoint
    halves of the indices, and each sample is the one a single host draws at that index."""
    from simulator.cli import main

    run_dir, problems = memorised
    monkeypatch.setenv("CSIM_HOME", str(tmp_path / "home"))
    problem = problems[0]

    def draw(share: str) -> dict[int, tuple[str, str]]:
        out = tmp_path / f"{share.replace('/', '-')}.jsonl"
        result = CliRunner().invoke(main, [
            "solver", "sample", "--problem", str(shared_data / "codecontests" / "dev.jsonl"), "--problem-name",
            f"{problem.contest_id}_{problem.index}. {problem.name}", "--run", str(run_dir), "-n", "6",
            "--batch-size", "4", "--temperature", "1.0", "--seed", "5", "--share", share, "--out", str(out), "--json",
        ])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["drawn"] == {"0/1": 6, "0/2": 3, "1/2": 3}[share]
        return {r["index"]: (r["language"], r["source"]) for r in map(json.loads, out.read_text().splitlines())}

    whole, first, second = draw("0/1"), draw("0/2"), draw("1/2")
    assert set(first) <= {0, 2, 4} and set(second) <= {1, 3, 5}
    assert len(whole) > 2  # temperature 1: several distinct programs
    for index, sample in whole.items():
        assert (first | second)[index] == sample
    bad = CliRunner().invoke(main, ["solver", "sample", "--problem", "x", "--run", str(run_dir), "--out",
                                    str(tmp_path / "o.jsonl"), "--share", "2/2"])
    assert bad.exit_code == 2 and "HOST/HOSTS" in bad.output


def test_invert_cdf_finds_the_token_whose_interval_holds_u_with_or_without_padded_blocks():
    import jax
    import jax.numpy as jnp

    from solver.model.sampler import invert_cdf

    probs = jax.nn.softmax(3 * jax.random.normal(jax.random.key(0), (64, 8000)), axis=-1)
    probs = probs.at[:, 7999].set(0.0)  # u near 1 must not land on a zero-probability token
    probs = probs / probs.sum(axis=-1, keepdims=True)
    u = jax.random.uniform(jax.random.key(1), (64,)).at[0].set(1.0 - 1e-7)
    cdf = np.cumsum(np.asarray(probs, np.float64), axis=-1)
    for block in (None, 128):  # 125 divides 8,000 (no padded copy); 128 pads
        tokens = np.asarray(invert_cdf(probs, u, block))
        rows = np.arange(64)
        assert (np.asarray(probs)[rows, tokens] > 0).all()
        assert (cdf[rows, tokens] >= np.asarray(u) - 1e-4).all()
        assert (cdf[rows, tokens] - np.asarray(probs)[rows, tokens] <= np.asarray(u) + 1e-4).all()


@pytest.mark.parametrize("attention", ["einsum", "xla"])
def test_the_cache_grown_segment_by_segment_draws_the_tokens_of_recomputation(attention):
    """80 new tokens: a 64-slot segment, then the cache grown to 80 (solver.model.sampler._segments);
    left-padded rows (another start each) and no EOS, so every row crosses the growth."""
    import dataclasses

    import jax
    import jax.numpy as jnp
    from flax import nnx

    from solver.model import mesh as meshlib
    from solver.model.config import MODEL_PRESETS
    from solver.model.sampler import Decoder, _segments
    from solver.model.transformer import Transformer

    config = dataclasses.replace(MODEL_PRESETS["tiny"], attention=attention)
    assert _segments(80) == (64, 80)
    decoder = Decoder(config, meshlib.make_mesh(), eos_id=-1, banned=(0,))
    params = nnx.split(Transformer(config, key=jax.random.key(0)), nnx.Param)[1]
    enc = jnp.arange(5, 37, dtype=jnp.int32)
    cross = decoder.encode(params, enc, jnp.ones(32, bool))
    start = jnp.array([0, 3, 5, 7], jnp.int32)
    prefix = jnp.where(jnp.arange(8)[None] >= start[:, None], jnp.arange(32).reshape(4, 8) % 50 + 5, 0)
    keys = jax.vmap(lambda i: jax.random.fold_in(jax.random.key(0), i))(jnp.arange(4))
    args = (params, cross, jnp.ones(32, bool), prefix, start, keys, jnp.full(4, 80, jnp.int32),
            jnp.float32(1.0), jnp.float32(1.0))
    cached = decoder.generate(*args, max_new=80, top_k=None, use_top_p=False)
    recomputed = decoder.generate_uncached(*args, max_new=80, top_k=None, use_top_p=False)
    assert (np.asarray(cached[2]) == 80).all()
    np.testing.assert_array_equal(np.asarray(cached[0]), np.asarray(recomputed[0]))
    np.testing.assert_allclose(np.asarray(cached[1]), np.asarray(recomputed[1]), rtol=1e-4)
