"""Scaling out: FSDP + tensor-parallel sharding on 8 simulated CPU devices, and training and
sampling with jax.distributed over two local processes (gloo collectives), each equal to one
device / one process. Every check runs in fresh interpreters: the device count and the
distributed runtime are fixed when JAX starts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]

COMMON = textwrap.dedent("""
    import itertools, json, sys
    from dataclasses import replace
    import jax
    from solver.model import mesh as meshlib
    from solver.model.config import MODEL_PRESETS, TrainConfig, load_run_config
    from solver.model.train import Trainer, synthetic_batches

    def named(tree):
        '''{"decoder/0/ffn/wi": leaf, ...} of an nnx state (or a tree like it).'''
        out = {}
        for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
            keys = [getattr(k, "key", getattr(k, "idx", getattr(k, "name", None))) for k in path]
            out["/".join(str(k) for k in keys if k is not None and k != "value")] = leaf
        return out

    def shard_shape(x):
        return list(x.addressable_shards[0].data.shape)

    def tiny(batch_size, **model):
        return load_run_config(preset="tiny", overrides={
            "model": {"decoder_layers": 1, **model},
            "train": {"batch_size": batch_size, "warmup_steps": 1, "learning_rate": 1e-2}})
""")

EIGHT_DEVICES = COMMON + textwrap.dedent("""
    config = tiny(8)
    batches = list(itertools.islice(synthetic_batches(config.model.vocab_size, 8, 32, 16, seed=7), 2))
    out = {"devices": jax.device_count()}
    params = None
    for data, model, fsdp in [(1, 1, False), (4, 2, True), (8, 1, True)]:
        trainer = Trainer(config.model, replace(config.train, fsdp=fsdp), meshlib.make_mesh(data, model))
        if params is None:
            params = jax.device_get(trainer.init(0).params)
        state = trainer.from_params(meshlib.put_global(params, trainer.param_shardings))
        losses = []
        for batch in batches:
            state, metrics = trainer.step(state, trainer.put(batch))
            losses.append(float(metrics["loss"]))
        p = named(state.params)
        wi = p["decoder/0/ffn/wi"]
        moments = {tuple(shard_shape(x)) for x in jax.tree.leaves(state.opt_state) if x.shape == wi.shape}
        out[f"{data}x{model}"] = {
            "losses": losses,
            "shards": {k: [list(p[k].shape), shard_shape(p[k])] for k in
                       ("decoder/0/ffn/wi", "decoder/0/self_attn/q", "decoder/0/self_attn/k", "embed/embedding")},
            "moments": sorted(moments),
            "bytes_per_device": sum(x.addressable_shards[0].data.nbytes for x in jax.tree.leaves(state.params)),
            "bytes": sum(x.nbytes for x in jax.tree.leaves(state.params)),
        }

    # The paper presets: shapes only (jax.eval_shape inside Trainer), nothing allocated.
    mesh = meshlib.make_mesh(4, 2)
    for name in ("300M", "1B"):
        trainer = Trainer(MODEL_PRESETS[name], TrainConfig(fsdp=True), mesh)
        shapes = named(trainer.abstract_state.params)
        shardings = named(trainer.param_shardings)
        local = {k: shardings[k].shard_shape(x.shape) for k, x in shapes.items()}
        size = lambda shape: int(__import__("math").prod(shape))
        opt = [(x, s) for x, s in zip(jax.tree.leaves(trainer.abstract_state.opt_state),
                                      jax.tree.leaves(trainer.shardings.opt_state)) if x.ndim]
        out[name] = {
            "shards": {k: [list(shapes[k].shape), list(local[k])] for k in
                       ("decoder/0/ffn/wi", "decoder/0/ffn/wo", "decoder/0/self_attn/q", "decoder/0/self_attn/o",
                        "decoder/0/self_attn/k", "embed/embedding", "lm_head")},
            "params": sum(size(x.shape) for x in shapes.values()),
            "params_per_device": sum(size(s) for s in local.values()),
            "opt_per_device": sum(size(s.shard_shape(x.shape)) for x, s in opt),
            "opt": sum(size(x.shape) for x, _ in opt),
        }
    print(json.dumps(out))
""")


def _run(script: str, env: dict, cwd: Path, *args: str, timeout: int = 900) -> dict:
    done = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def eight_devices(tmp_path_factory):
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8", PYTHONPATH=str(ROOT))
    return _run(EIGHT_DEVICES, env, tmp_path_factory.mktemp("eight"))


@pytest.mark.slow
def test_fsdp_and_tensor_parallel_steps_give_the_one_device_loss(eight_devices):
    """4 (data, FSDP) x 2 (model) and 8 x 1 FSDP: the losses of one device, before and after an
    optimiser step."""
    out = eight_devices
    assert out["devices"] == 8
    one = out["1x1"]["losses"]
    assert one[1] != one[0]  # the step changed the parameters
    for layout in ("4x2", "8x1"):
        np.testing.assert_allclose(out[layout]["losses"], one, rtol=2e-5)


@pytest.mark.slow
def test_fsdp_and_tensor_parallel_really_split_the_tiny_parameters(eight_devices):
    """Per-device shapes: the MLP kernel [64, 384] is split over data on d_model and over model
    on the hidden width; q's heads over model; multi-query K/V (one head) over data only; Adam's
    moments exactly as their parameters."""
    shards = eight_devices["4x2"]["shards"]
    assert shards["decoder/0/ffn/wi"] == [[64, 384], [16, 192]]
    assert shards["decoder/0/self_attn/q"] == [[64, 4, 16], [16, 2, 16]]
    assert shards["decoder/0/self_attn/k"] == [[64, 1, 16], [16, 1, 16]]
    assert shards["embed/embedding"] == [[512, 64], [256, 16]]
    assert eight_devices["4x2"]["moments"] == [[16, 192]]  # mu and nu of wi
    assert eight_devices["8x1"]["shards"]["decoder/0/ffn/wi"] == [[64, 384], [64, 48]]
    assert eight_devices["1x1"]["bytes_per_device"] == eight_devices["1x1"]["bytes"]
    assert eight_devices["4x2"]["bytes_per_device"] < 0.2 * eight_devices["4x2"]["bytes"]


@pytest.mark.slow
def test_sharding_rules_split_the_300M_and_1B_presets_eight_ways(eight_devices):
    """The paper presets on a 4 x 2 mesh (shapes only): every large matrix split over both axes
    (1B's 11 heads do not divide by 2: q and o split the head size instead), so that parameters
    and Adam's moments take little more than an eighth of their size per device."""
    big = eight_devices["300M"]["shards"]
    assert big["decoder/0/ffn/wi"] == [[768, 4608], [192, 2304]]
    assert big["decoder/0/ffn/wo"] == [[4608, 768], [2304, 192]]
    assert big["decoder/0/self_attn/q"] == [[768, 6, 128], [192, 3, 128]]
    assert big["decoder/0/self_attn/o"] == [[6, 128, 768], [3, 128, 192]]
    assert big["decoder/0/self_attn/k"] == [[768, 1, 128], [192, 1, 128]]
    assert big["embed/embedding"] == [[8000, 768], [4000, 192]]
    assert big["lm_head"] == [[768, 8000], [192, 4000]]
    one_b = eight_devices["1B"]["shards"]
    assert one_b["decoder/0/ffn/wi"] == [[1408, 8448], [352, 4224]]
    assert one_b["decoder/0/self_attn/q"] == [[1408, 11, 128], [352, 11, 64]]
    assert one_b["decoder/0/self_attn/o"] == [[11, 128, 1408], [11, 64, 352]]
    for name in ("300M", "1B"):
        preset = eight_devices[name]
        assert preset["params_per_device"] < preset["params"] / 8 * 1.1, name
        assert preset["opt_per_device"] < preset["opt"] / 8 * 1.1, name


PROCESS = COMMON + textwrap.dedent("""
    import os
    from solver.model.sampler import Sampler
    from solver.model.tokenizer import Tokenizer
    from contests.model import Problem

    meshlib.start_runtime(distributed="JAX_COORDINATOR_ADDRESS" in os.environ)
    tokenizer = Tokenizer.load(sys.argv[1])
    config = tiny(4, vocab_size=tokenizer.vocab_size)
    batches = list(itertools.islice(synthetic_batches(config.model.vocab_size, 4, 32, 16, seed=7), 2))
    out = {"processes": jax.process_count(), "devices": jax.device_count(), "local": jax.local_device_count()}

    # The same starting parameters in every process: from the seed, on one local device.
    one = Trainer(config.model, config.train, meshlib.make_mesh(1, 1, devices=jax.local_devices()[:1]))
    params = jax.device_get(one.init(0).params)

    # Training over the global mesh: data across processes, model (and FSDP) within.
    model = 2 if jax.device_count() > 1 else 1
    trainer = Trainer(config.model, replace(config.train, fsdp=True), meshlib.make_mesh(None, model))
    state = trainer.from_params(meshlib.put_global(params, trainer.param_shardings))
    losses = []
    for batch in batches:
        state, metrics = trainer.step(state, trainer.put(batch))
        losses.append(float(metrics["loss"]))
    out["losses"] = losses
    out["wi"] = shard_shape(named(state.params)["decoder/0/ffn/wi"])

    # Sampling: this process's share of the problem's samples, on its own devices.
    sampler = Sampler(config.model, params, tokenizer, batch_size=int(sys.argv[2]))
    problem = Problem(id="sum", name="sum", statement="Read two integers a and b; print a + b.")
    out["samples"] = [[s.index, s.source, s.language, s.logprob, s.tokens] for s in sampler.sample(
        problem, 7, seed=3, temperature=1.0, max_new_tokens=12,
        share=(jax.process_index(), jax.process_count()))]
    print(json.dumps(out))
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_jax_processes_train_and_sample_as_one(tmp_path, codecontests_dev):
    """Two processes joined by jax.distributed (gloo collectives on CPU), two devices each: one
    training step over the 2 x 2 global mesh has the loss of one process on one device, and their
    shares of a problem's 7 samples together are the one process's 7 samples."""
    from solver.model.data.corpus import problem_documents
    from solver.model.tokenizer import Tokenizer

    Tokenizer.train((d.text for p in codecontests_dev[:40] for d in problem_documents(p)), tmp_path / "tok",
                    vocab_size=512)
    tokenizer = str(tmp_path / "tok.model")
    base = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
    port = _free_port()
    env = dict(base, XLA_FLAGS="--xla_force_host_platform_device_count=2",
               JAX_COORDINATOR_ADDRESS=f"127.0.0.1:{port}", JAX_NUM_PROCESSES="2")
    procs = [subprocess.Popen([sys.executable, "-c", PROCESS, tokenizer, "2"], env=dict(env, JAX_PROCESS_ID=str(i)),
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    try:
        single = _run(PROCESS, base, tmp_path, tokenizer, "4")  # meanwhile, one process on one device
        outputs = [p.communicate(timeout=900) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (stdout, stderr) in zip(procs, outputs):
        assert p.returncode == 0, stderr[-3000:]
    hosts = [json.loads(stdout.strip().splitlines()[-1]) for stdout, _ in outputs]
    assert single["processes"] == 1 and single["devices"] == 1
    assert [h["processes"] for h in hosts] == [2, 2] and [h["devices"] for h in hosts] == [4, 4]
    assert hosts[0]["wi"] == [32, 192]  # the MLP kernel split over data (FSDP) and model
    for host in hosts:
        np.testing.assert_allclose(host["losses"], single["losses"], rtol=2e-5)
    assert single["losses"][1] != single["losses"][0]
    assert [s[0] for s in hosts[0]["samples"]] == [0, 2, 4, 6] and [s[0] for s in hosts[1]["samples"]] == [1, 3, 5]
    together = sorted(hosts[0]["samples"] + hosts[1]["samples"])
    assert [(i, src, lang, n) for i, src, lang, _, n in together] == \
        [(i, src, lang, n) for i, src, lang, _, n in single["samples"]]
    np.testing.assert_allclose([s[3] for s in together], [s[3] for s in single["samples"]], rtol=1e-5)
    assert len({s[1] for s in single["samples"]}) > 1  # temperature 1: different programs
