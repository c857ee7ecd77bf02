"""Training: memorisation, exact resume, one compilation per bucket, sharded steps, run directories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from contests.errors import DataError
from solver.model.config import MODEL_PRESETS, load_run_config, read_run_config
from solver.model.train import MetricsLog

from model_runs import MEMORISE_STEPS, memorised_run, tiny_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def memorised(tmp_path_factory, shared_data):
    return memorised_run(tmp_path_factory, shared_data)


@pytest.mark.slow
def test_loss_on_a_few_real_problems_falls_to_near_zero(memorised):
    run_dir, problems = memorised
    log = MetricsLog(run_dir / "metrics.jsonl").read()
    assert [r["step"] for r in log] == list(range(1, MEMORISE_STEPS + 1))
    assert log[0]["tempered_ce"] > 5.0  # tempered (T=0.2) cross-entropy of an untrained model
    assert max(r["tempered_ce"] for r in log[-8:]) < 0.05  # memorised (every batch of the last few)
    assert all(r["tokens_per_s"] > 0 for r in log)
    config, extra = read_run_config(run_dir / "config.json")
    assert extra["kind"] == "finetune" and (run_dir / "tokenizer.model").is_file()
    assert config.model.vocab_size == 512


@pytest.mark.slow
def test_the_step_compiles_once_per_bucket(memorised):
    """The memorised run's batches come in two (encoder, decoder) shapes; the jitted step was
    compiled exactly once for each, however many steps used it."""
    run_dir, _ = memorised
    summary = json.loads((run_dir / "done.json").read_text())
    assert summary["buckets"] == [[256, 192], [256, 256]]
    assert summary["step_compilations"] == 2


@pytest.mark.slow
def test_a_resumed_run_continues_with_the_same_losses(memorised, tmp_path, tmp_path_factory):
    """Stop at step 3 (checkpoint), start again from the directory, stop at 6: the losses equal
    those of the uninterrupted memorised run, step by step (same data position, same state)."""
    from solver.model.train import finetune

    run_dir, problems = memorised
    config = tiny_config(tmp_path_factory)
    interrupted = tmp_path / "run"
    first = finetune(interrupted, problems, config=config, stop_at=3, progress=False)
    assert first["step"] == 3 and (interrupted / "checkpoints" / "3").is_dir()
    second = finetune(interrupted, problems, config=config, stop_at=6, progress=False)
    assert second["step"] == 6
    straight = [(r["step"], r["loss"], r["grad_norm"]) for r in MetricsLog(run_dir / "metrics.jsonl").read()[:6]]
    resumed = [(r["step"], r["loss"], r["grad_norm"]) for r in MetricsLog(interrupted / "metrics.jsonl").read()]
    assert resumed == straight


def test_a_run_refuses_a_different_configuration(memorised, tmp_path_factory):
    from solver.model.train import finetune

    run_dir, problems = memorised
    other = tiny_config(tmp_path_factory, learning_rate=1.0)
    with pytest.raises(DataError, match="different configuration"):
        finetune(run_dir, problems, config=other, progress=False)


SHARDED = textwrap.dedent("""
    import json, sys
    import jax
    from solver.model import mesh as meshlib
    from solver.model.config import load_run_config
    from solver.model.train import Trainer, synthetic_batches

    config = load_run_config(preset="tiny", overrides={"model": {"decoder_layers": 1},
                                                       "train": {"batch_size": 4, "warmup_steps": 1,
                                                                 "learning_rate": 1e-2}})
    batches = list(__import__("itertools").islice(synthetic_batches(config.model.vocab_size, 4, 32, 16, seed=7), 2))
    params = None
    out = {"devices": jax.device_count()}
    for data, model in [(1, 1), (4, 1), (2, 2)]:
        mesh = meshlib.make_mesh(data, model)
        trainer = Trainer(config.model, config.train, mesh)
        if params is None:
            params = jax.device_get(trainer.init(0).params)
        state = trainer.from_params(jax.device_put(params, trainer.param_shardings))
        losses = []
        for batch in batches:
            state, metrics = trainer.step(state, trainer.put(batch))
            losses.append(float(metrics["loss"]))
        out[f"{data}x{model}"] = {"losses": losses,
                                  "q_sharding": str(state.params["decoder"][0]["self_attn"]["q"].value.sharding.spec)}

    # Sampling with the batch split over the devices draws what one device draws.
    import jax.numpy as jnp
    from solver.model.sampler import Decoder
    for data in (1, 4):
        mesh = meshlib.make_mesh(data, 1)
        decoder = Decoder(config.model, mesh, eos_id=3, banned=(0,))
        p = jax.device_put(params, decoder.param_shardings)
        enc = jnp.arange(5, 37, dtype=jnp.int32)
        cross = decoder.encode(p, enc, jnp.ones(32, bool))
        rows = decoder.rows
        prefix = jax.device_put(jnp.arange(8 * 4, dtype=jnp.int32).reshape(4, 8) % 50 + 5, rows)
        keys = jax.device_put(jax.vmap(lambda i: jax.random.fold_in(jax.random.key(0), i))(jnp.arange(4)), rows)
        tokens, logprob, lengths = decoder.generate(
            p, cross, jnp.ones(32, bool), prefix, jax.device_put(jnp.zeros(4, jnp.int32), rows), keys,
            jax.device_put(jnp.full(4, 12, jnp.int32), rows), jnp.float32(1.0), jnp.float32(1.0),
            max_new=12, top_k=None, use_top_p=False)
        out[f"sample_{data}"] = {"tokens": jax.device_get(tokens).tolist(),
                                 "devices": len(tokens.sharding.device_set)}
    print(json.dumps(out))
""")


@pytest.mark.slow
def test_a_four_device_sharded_step_gives_the_one_device_loss(tmp_path):
    """Four fake CPU devices: data parallel (4x1) and data x model parallel (2x2) give the losses
    of one device, before and after an optimiser step; sampling with the batch split over the
    four devices draws the tokens one device draws."""
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SHARDED], env=env, capture_output=True, text=True, timeout=600,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["devices"] == 4
    one = out["1x1"]["losses"]
    for layout in ("4x1", "2x2"):
        np.testing.assert_allclose(out[layout]["losses"], one, rtol=2e-5)
    assert one[1] != one[0]  # the step changed the parameters
    assert "model" in out["2x2"]["q_sharding"]  # heads really are split over the model axis
    assert out["sample_4"]["devices"] == 4 and out["sample_4"]["tokens"] == out["sample_1"]["tokens"]


@pytest.mark.slow
def test_pretrain_then_finetune_from_it(memorised, tmp_path, tmp_path_factory):
    """pretrain() writes a run from source files (masked-LM on); finetune(init_from=) starts from
    that run's model shape, tokenizer and parameters. (The warm-up's first learning rate is 0, so
    after one step the fine-tuned parameters are still exactly the pre-trained ones.)"""
    import jax

    from solver.model import mesh as meshlib
    from solver.model.tokenizer import Tokenizer
    from solver.model.train import Trainer, finetune, pretrain, restore_params

    memorised_dir, problems = memorised
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("textwrap.py", "shlex.py", "fnmatch.py"):
        (corpus / name).write_text(Path(textwrap.__file__).with_name(name).read_text())
    config = tiny_config(tmp_path_factory)  # the memorised run's: its compilations are reused
    tokenizer = Tokenizer.load(memorised_dir)
    summary = pretrain(tmp_path / "pre", [corpus], config=config, tokenizer=tokenizer, stop_at=2, progress=False)
    assert summary["step"] == 2
    pre_cfg, extra = read_run_config(tmp_path / "pre" / "config.json")
    assert extra["kind"] == "pretrain" and extra["paths"] == [str(corpus)]
    log = MetricsLog(tmp_path / "pre" / "metrics.jsonl").read()
    assert len(log) == 2 and log[0]["mlm_loss"] > 0

    other_shape = replace(config, model=replace(config.model, d_model=32))  # ignored: init_from's model wins
    finetune(tmp_path / "ft", problems, init_from=tmp_path / "pre", config=other_shape, stop_at=1, progress=False)
    ft_cfg, ft_extra = read_run_config(tmp_path / "ft" / "config.json")
    assert ft_cfg.model == pre_cfg.model and ft_extra["init_from"] == str((tmp_path / "pre").resolve())
    assert (tmp_path / "ft" / "tokenizer.model").read_bytes() == (tmp_path / "pre" / "tokenizer.model").read_bytes()
    trainer = Trainer(ft_cfg.model, ft_cfg.train, meshlib.make_mesh())
    pre = jax.tree.leaves(restore_params(tmp_path / "pre", trainer))
    ft = jax.tree.leaves(restore_params(tmp_path / "ft", trainer))
    fresh = jax.tree.leaves(jax.device_get(trainer.init(config.train.seed).params))
    assert all(np.array_equal(a, b) for a, b in zip(pre, ft))
    assert not all(np.array_equal(a, b) for a, b in zip(pre, fresh))


def test_configs_load_from_toml_with_flags_overriding(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('[model]\npreset = "tiny"\nd_model = 96\n[train]\nsteps = 7\nbatch_size = 2\n'
                    '[data]\nenc_buckets = [64, 128]\n')
    config = load_run_config(path, overrides={"train": {"steps": 9, "seed": None}})
    assert config.model.d_model == 96 and config.model.num_heads == MODEL_PRESETS["tiny"].num_heads
    assert config.train.steps == 9 and config.train.batch_size == 2 and config.train.seed == 0
    assert config.data.enc_buckets == (64, 128) and config.data.batch_size == 2
    path.write_text("[train]\nstepz = 3\n")
    with pytest.raises(DataError, match=r"run\.toml: train: unknown setting\(s\) stepz"):
        load_run_config(path)
    path.write_text('[model]\npreset = "tiny"\n[data]\nenc_buckets = [1024]\n')
    with pytest.raises(DataError, match="exceed the model's lengths"):
        load_run_config(path)
