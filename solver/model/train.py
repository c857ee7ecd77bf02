"""Training: one jitted step with donated state on a (data, model) mesh, the loop around it
(resumable Orbax checkpoints, metrics.jsonl, progress through a callback), and the two entry points
`pretrain` and `finetune` that own a run directory.

A run directory holds config.json, tokenizer.model, checkpoints/ and metrics.jsonl.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from jax.sharding import Mesh

from contests.errors import DataError
from contests.model import Problem
from solver.model import mesh as meshlib
from solver.model.checkpoint import CheckpointStore, abstract_with_shardings
from solver.model.config import (FINETUNE_DEFAULTS, ModelConfig, RunConfig, TrainConfig, load_run_config,
                           read_run_config, save_run_config)
from solver.model.losses import mlm_positions, total_loss
from solver.model.transformer import Transformer, abstract_model
from solver.model.rundir import RunDir
from solver.model.tokenizer import Tokenizer

BATCH_FIELDS = ("enc_tokens", "enc_mask", "mlm_targets", "mlm_mask", "dec_inputs", "dec_targets",
                "dec_mask", "dec_loss_mask", "correct")


class TrainState(NamedTuple):
    step: jax.Array  # int32 scalar: optimiser steps taken
    params: nnx.State
    opt_state: optax.OptState


def learning_rate_schedule(config: TrainConfig) -> optax.Schedule:
    warmup = min(config.warmup_steps, max(config.steps - 1, 0))
    return optax.warmup_cosine_decay_schedule(
        0.0, config.learning_rate, warmup, max(config.steps, warmup + 1), config.final_learning_rate
    )


def make_optimizer(config: TrainConfig) -> optax.GradientTransformation:
    """AdamW with warm-up and cosine decay, global-norm clipping; no weight decay on vectors
    (norm scales, biases)."""
    return optax.chain(
        optax.clip_by_global_norm(config.clip_norm),
        optax.adamw(
            learning_rate_schedule(config), b1=config.b1, b2=config.b2, weight_decay=config.weight_decay,
            mask=lambda params: jax.tree.map(lambda x: x.ndim >= 2, params),
        ),
    )


def batch_arrays(batch: Any) -> dict[str, np.ndarray]:
    """A solver.model.data.batches.Batch (or a mapping with the same fields) as a dict of numpy arrays."""
    if is_dataclass(batch):
        batch = {f.name: getattr(batch, f.name) for f in fields(batch)}
    missing = [f for f in BATCH_FIELDS if f not in batch]
    if missing:
        raise ValueError(f"batch lacks {', '.join(missing)}")
    return {f: np.asarray(batch[f]) for f in BATCH_FIELDS}


class Trainer:
    """The jitted initialisation and training step for one model and training config on one mesh.

    The model is split once into a graph definition and its parameters; the step is a pure
    function of (state, batch) that merges them inside, with the state donated and every array's
    placement given explicitly (parameters by solver.model.mesh's rules, batches over `data`).
    On several hosts (jax.distributed) every process builds the same Trainer over the global mesh
    and calls step with the same global batch; each feeds only its own devices' rows.
    """

    def __init__(self, model_config: ModelConfig, train_config: TrainConfig, mesh: Mesh):
        self.model_config, self.config, self.mesh = model_config, train_config, mesh
        self.graphdef, abstract_params, rest = nnx.split(abstract_model(model_config), nnx.Param, ...)
        assert not jax.tree.leaves(rest), "the model holds state other than parameters"
        self.tx = make_optimizer(train_config)
        self.schedule = learning_rate_schedule(train_config)
        self.param_shardings = meshlib.param_shardings(abstract_params, mesh, fsdp=train_config.fsdp)
        abstract_opt = jax.eval_shape(self.tx.init, abstract_params)
        replicated = meshlib.replicated(mesh)
        opt_shardings = optax.tree_map_params(
            self.tx, lambda _, s: s, abstract_opt, self.param_shardings, transform_non_params=lambda _: replicated
        )
        self.shardings = TrainState(replicated, self.param_shardings, opt_shardings)
        self.abstract_state = TrainState(jax.ShapeDtypeStruct((), jnp.int32), abstract_params, abstract_opt)
        self._init = jax.jit(self._init_fn, out_shardings=self.shardings)
        self._from_params = jax.jit(self._from_params_fn, in_shardings=(self.param_shardings,), out_shardings=self.shardings)
        # Donating the state lets XLA update parameters and moments in place.
        self.step = jax.jit(
            self._step_fn,
            in_shardings=(self.shardings, meshlib.batch_sharding(mesh)),
            out_shardings=(self.shardings, replicated),
            donate_argnums=0,
        )
        self.loss = jax.jit(self._eval_fn, in_shardings=(self.param_shardings, meshlib.batch_sharding(mesh), replicated))

    # --- state ---------------------------------------------------------------------------------
    def _init_fn(self, key: jax.Array) -> TrainState:
        _, params = nnx.split(Transformer(self.model_config, key=key), nnx.Param)
        return self._from_params_fn(params)

    def _from_params_fn(self, params) -> TrainState:
        return TrainState(jnp.zeros((), jnp.int32), params, self.tx.init(params))

    def init(self, seed: int) -> TrainState:
        with jax.set_mesh(self.mesh):
            return self._init(jax.random.key(seed))

    def from_params(self, params) -> TrainState:
        """A fresh optimiser around given parameters (fine-tuning from a pre-trained run)."""
        return self._from_params(params)

    def abstract_params(self):
        return abstract_with_shardings(self.abstract_state.params, self.param_shardings)

    def abstract_opt(self):
        return abstract_with_shardings(
            {"step": self.abstract_state.step, "opt_state": self.abstract_state.opt_state},
            {"step": self.shardings.step, "opt_state": self.shardings.opt_state},
        )

    # --- the step ------------------------------------------------------------------------------
    def _loss_fn(self, params, batch: Mapping[str, jax.Array], step: jax.Array):
        model = nnx.merge(self.graphdef, params)
        positions = valid = targets = None
        if self.config.mlm_weight > 0:
            count = max(1, math.ceil(batch["enc_tokens"].shape[1] * self.config.mlm_max_fraction))
            positions, valid = mlm_positions(batch["mlm_mask"], count)
            targets = jnp.take_along_axis(batch["mlm_targets"], positions, axis=1)
        outputs = model(batch["enc_tokens"], batch["enc_mask"], batch["dec_inputs"], batch["dec_mask"],
                        batch["dec_loss_mask"], positions)
        return total_loss(outputs, batch, valid, targets, self.config, step)

    def _step_fn(self, state: TrainState, batch: Mapping[str, jax.Array]) -> tuple[TrainState, dict]:
        (_, metrics), grads = jax.value_and_grad(self._loss_fn, has_aux=True)(state.params, batch, state.step)
        updates, opt_state = self.tx.update(grads, state.opt_state, state.params)
        params = optax.apply_updates(state.params, updates)
        metrics = dict(metrics, grad_norm=optax.tree.norm(grads), learning_rate=self.schedule(state.step),
                       code_tokens=batch["dec_loss_mask"].sum(),
                       tokens=batch["dec_mask"].sum() + batch["enc_mask"].sum())
        return TrainState(state.step + 1, params, opt_state), metrics

    def _eval_fn(self, params, batch, step):
        return self._loss_fn(params, batch, step)[1]

    def put(self, batch: Any) -> dict[str, jax.Array]:
        return meshlib.put_batch(batch_arrays(batch), self.mesh)


# --- the loop ------------------------------------------------------------------------------------

class MetricsLog:
    """metrics.jsonl: one JSON object per logged step, appended; on resume, lines after the
    restored step are dropped (they were written after the checkpoint that the run goes back to)."""

    def __init__(self, path: Path):
        self.path = path

    def truncate_after(self, step: int) -> None:
        if not self.path.exists() or jax.process_index() != 0:
            return
        kept = [line for line in self.path.read_text(encoding="utf-8").splitlines()
                if line.strip() and json.loads(line).get("step", 0) <= step]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
        tmp.replace(self.path)

    def append(self, record: dict) -> None:
        if jax.process_index() != 0:  # on several hosts, one writer (every process sees the same metrics)
            return
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]


# progress(step, total_steps, logged): called after every step; LOGGED is the record just written to
# metrics.jsonl (loss, tokens_per_s, ...) on a logging step, else None. The command line draws it.
TrainProgress = Callable[[int, int, "dict | None"], None]


class _Reporter:
    """Logs a step's metrics every `every` steps (metrics.jsonl, and the progress callback), with
    tokens/s over the steps since the last log."""

    def __init__(self, log: MetricsLog, every: int, progress: TrainProgress | None, total: int):
        self.log, self.every, self.progress, self.total = log, max(1, every), progress, total
        self.since, self.tokens = time.perf_counter(), 0

    def __call__(self, step: int, metrics: dict, force: bool = False) -> None:
        values = {k: float(v) for k, v in jax.device_get(metrics).items()}
        self.tokens += int(values["tokens"])
        if step % self.every and not force:
            if self.progress:
                self.progress(step, self.total, None)
            return
        now = time.perf_counter()
        tps = self.tokens / max(now - self.since, 1e-9)
        record = {"step": step, **{k: round(v, 6) for k, v in values.items()},
                  "tokens_per_s": round(tps, 1), "time": round(time.time(), 3)}
        self.log.append(record)
        if self.progress:
            self.progress(step, self.total, record)
        self.since, self.tokens = now, 0


def run_training(
    run_dir: str | Path,
    model_config: ModelConfig,
    train_config: TrainConfig,
    make_batches: Callable[[int], Iterable],
    *,
    init_params: Callable[[Trainer], Any] | None = None,
    mesh: Mesh | None = None,
    stop_at: int | None = None,
    progress: TrainProgress | None = None,
) -> dict:
    """Train (or resume training) in RUN_DIR up to train_config.steps (or stop_at, to pause early).

    make_batches(start) returns the deterministic stream of batches from batch START on (as
    solver.model.data.batches's start_step does), so a resumed run sees exactly the data an uninterrupted one
    would. init_params(trainer) gives starting parameters for a new run (fine-tuning); otherwise
    they are initialised from the seed. Returns a summary of the run."""
    run_dir = Path(run_dir)
    meshlib.start_runtime(distributed=train_config.distributed,
                          compilation_cache=train_config.compilation_cache)
    mesh = mesh or meshlib.make_mesh(train_config.data_parallel, train_config.model_parallel)
    data_size = mesh.shape[meshlib.DATA]
    if train_config.batch_size % data_size:
        raise ValueError(f"batch_size {train_config.batch_size} is not a multiple of the data axis ({data_size})")
    trainer = Trainer(model_config, train_config, mesh)
    metrics_log = MetricsLog(RunDir(run_dir).metrics)
    end = min(train_config.steps, stop_at) if stop_at is not None else train_config.steps
    started = time.perf_counter()

    with CheckpointStore(RunDir(run_dir).checkpoints, keep=train_config.keep_checkpoints) as store:
        latest = store.latest_step()
        if latest is not None:
            params, opt, meta = store.restore(latest, trainer.abstract_params(), trainer.abstract_opt())
            state = TrainState(opt["step"], params, opt["opt_state"])
            consumed = int(meta["batches_consumed"])
            metrics_log.truncate_after(latest)
        else:
            state = trainer.from_params(init_params(trainer)) if init_params else trainer.init(train_config.seed)
            consumed = 0
        step = first_step = int(state.step)
        batches = iter(make_batches(consumed))

        def save() -> None:
            store.save(step, state.params, {"step": state.step, "opt_state": state.opt_state},
                       {"step": step, "batches_consumed": consumed})

        report = _Reporter(metrics_log, train_config.log_every, progress, end)
        pending = None
        buckets: set[tuple[int, int]] = set()
        while step < end:
            raw = next(batches, None)
            if raw is None:
                break  # the data ran out
            batch = trainer.put(raw)
            buckets.add((batch["enc_tokens"].shape[1], batch["dec_inputs"].shape[1]))
            state, metrics = trainer.step(state, batch)
            consumed += 1
            step += 1
            # Read the previous step's metrics only now, so that the host prepares the next
            # batch while the device still computes this step.
            if pending is not None:
                report(*pending)
            pending = (step, metrics)
            if step % train_config.checkpoint_every == 0:
                save()
        if pending is not None:
            report(*pending, force=True)
        if step > first_step and store.latest_step() != step:
            save()
    logged = metrics_log.read()
    # Each (encoder, decoder) bucket should cost one compilation of the step, and no more.
    compilations = getattr(trainer.step, "_cache_size", lambda: None)()
    return {"run_dir": str(run_dir), "step": step, "steps": train_config.steps,
            "seconds": round(time.perf_counter() - started, 3), "buckets": sorted(buckets),
            "step_compilations": compilations, "last": logged[-1] if logged else None}


def synthetic_batches(
    vocab_size: int, batch_size: int, enc_len: int, dec_len: int, *, seed: int = 0, mlm: bool = True
) -> Iterator[dict[str, np.ndarray]]:
    """Endless random batches in exactly solver.model.data.batches's Batch layout (benchmarks and smoke runs:
    the cost of a step does not depend on what the tokens say). Rows have random real lengths;
    the first 8 decoder tokens play the header (not scored)."""
    rng = np.random.default_rng(seed)
    while True:
        enc_n = rng.integers(enc_len // 2, enc_len + 1, batch_size)
        dec_n = rng.integers(max(dec_len // 2, 9), dec_len + 1, batch_size)
        enc_mask = np.arange(enc_len)[None] < enc_n[:, None]
        dec_mask = np.arange(dec_len)[None] < dec_n[:, None]
        tokens = rng.integers(5, vocab_size, (batch_size, enc_len + dec_len + 1)).astype(np.int32)
        enc_tokens = np.where(enc_mask, tokens[:, :enc_len], 0)
        mlm_mask = enc_mask & (rng.random((batch_size, enc_len)) < (0.15 if mlm else 0.0))
        dec = np.where(dec_mask, tokens[:, enc_len:-1], 0)
        targets = np.where(dec_mask, tokens[:, enc_len + 1:], 0)
        yield {
            "enc_tokens": np.where(mlm_mask, 4, enc_tokens).astype(np.int32),
            "enc_mask": enc_mask,
            "mlm_targets": enc_tokens.astype(np.int32),
            "mlm_mask": mlm_mask,
            "dec_inputs": dec.astype(np.int32),
            "dec_targets": targets.astype(np.int32),
            "dec_mask": dec_mask,
            "dec_loss_mask": dec_mask & (np.arange(dec_len)[None] >= 8),
            "correct": rng.integers(-1, 2, batch_size).astype(np.int32),
        }


# --- runs: pre-training and fine-tuning in a run directory ---------------------------------------

CONFIG_FILE, TOKENIZER_FILE = RunDir.CONFIG, RunDir.TOKENIZER


def _open_run(run_dir: Path, kind: str, config: RunConfig | None, tokenizer: Tokenizer | None,
              make_tokenizer: Callable[[int], Tokenizer], extra: dict) -> tuple[RunConfig, Tokenizer]:
    """A run directory's config and tokenizer: those stored there when resuming (a given config
    may then differ only in train.steps, to train longer), else new ones, written first."""
    config_path = run_dir / CONFIG_FILE
    if config_path.exists():
        stored, stored_extra = read_run_config(config_path)
        if stored_extra.get("kind") != kind:
            raise DataError(config_path, "kind", f"this is a {stored_extra.get('kind')} run, not a {kind} run")
        if config is not None:
            wanted = replace(config, model=replace(config.model, vocab_size=stored.model.vocab_size),
                             train=replace(config.train, steps=stored.train.steps))
            if wanted != stored:
                raise DataError(config_path, None, "the run exists with a different configuration "
                                "(only train.steps may change when resuming)")
            stored = replace(stored, train=replace(stored.train, steps=config.train.steps))
            save_run_config(config_path, stored, **stored_extra)
        return stored, Tokenizer.load(run_dir / TOKENIZER_FILE)
    config = config or load_run_config()
    run_dir.mkdir(parents=True, exist_ok=True)
    if tokenizer is None:
        tokenizer = make_tokenizer(config.model.vocab_size)
    tokenizer.save(run_dir / TOKENIZER_FILE)
    config = replace(config, model=replace(config.model, vocab_size=tokenizer.vocab_size))
    save_run_config(config_path, config, kind=kind, **extra)
    return config, tokenizer


def restore_params(run_dir: str | Path, trainer: Trainer, step: int | None = None):
    """A run's parameters (latest checkpoint by default), placed as TRAINER wants them."""
    with CheckpointStore(RunDir(run_dir).checkpoints, read_only=True) as store:
        params, _, _ = store.restore(step, trainer.abstract_params())
    return params


def pretrain(run_dir: str | Path, paths: Iterable[str | Path] | None = None, *, config: RunConfig | None = None,
             tokenizer: Tokenizer | None = None, stop_at: int | None = None,
             progress: TrainProgress | None = None) -> dict:
    """Pre-train on the source files under PATHS (None: the machine's Python standard library and
    C/C++ headers), or resume the run in RUN_DIR. Without a tokenizer, one is trained on PATHS."""
    from solver.model.data.batches import pretrain_batches
    from solver.model.tokenizer import TokenizerConfig, build_tokenizer

    run_dir = Path(run_dir)
    paths = None if paths is None else [str(p) for p in paths]

    def make_tokenizer(vocab_size: int) -> Tokenizer:
        build_tokenizer(TokenizerConfig(vocab_size=vocab_size, sources=tuple(paths or ())), run_dir)
        return Tokenizer.load(run_dir / TOKENIZER_FILE)

    config, tokenizer = _open_run(run_dir, "pretrain", config, tokenizer, make_tokenizer, {"paths": paths})
    seed = config.train.seed
    return run_training(
        run_dir, config.model, config.train,
        lambda start: pretrain_batches(paths, tokenizer, config.data, seed, start_step=start),
        stop_at=stop_at, progress=progress,
    )


def finetune(run_dir: str | Path, problems: list[Problem], *, init_from: str | Path | None = None,
             config: RunConfig | None = None, tokenizer: Tokenizer | None = None, stop_at: int | None = None,
             progress: TrainProgress | None = None) -> dict:
    """Fine-tune on PROBLEMS' statements and solutions, starting from the pre-trained run INIT_FROM
    (its model shape, tokenizer and latest parameters) when given, or resume the run in RUN_DIR.
    Without either, a tokenizer is trained on the problems' text. The problems' most common tag
    sets are kept in config.json for the sampler's headers (AlphaCode's sampling distribution)."""
    from solver.model.data.corpus import problem_documents
    from solver.model.data.batches import finetune_batches
    from solver.model.data.header import RATINGS, popular_tag_sets

    run_dir = Path(run_dir)
    if not (run_dir / CONFIG_FILE).exists():
        config = config or load_run_config(train_defaults=FINETUNE_DEFAULTS)
        if init_from is not None:
            init_config, _ = read_run_config(Path(init_from) / CONFIG_FILE)
            config = replace(config, model=init_config.model)
            tokenizer = tokenizer or Tokenizer.load(Path(init_from) / TOKENIZER_FILE)

    def make_tokenizer(vocab_size: int) -> Tokenizer:
        texts = (d.text for p in problems for d in problem_documents(p))
        return Tokenizer.train(texts, None, vocab_size)

    # Random headers carry a rating only if the model saw ratings (CodeContests records can lack them).
    extra = {"init_from": None if init_from is None else str(Path(init_from).resolve()),
             "tag_sets": [list(t) for t in popular_tag_sets(problems)],
             "header_ratings": list(RATINGS) if any(p.rating for p in problems) else []}
    config, tokenizer = _open_run(run_dir, "finetune", config, tokenizer, make_tokenizer, extra)
    seed = config.train.seed
    return run_training(
        run_dir, config.model, config.train,
        lambda start: finetune_batches(problems, tokenizer, config.data, seed, start_step=start),
        init_params=None if init_from is None else (lambda trainer: restore_params(init_from, trainer)),
        stop_at=stop_at, progress=progress,
    )
