"""Model and training configuration: plain dataclasses, presets, and loading from JSON/TOML with overrides.

The paper presets follow AlphaCode's Table 3 (Li et al. 2022): head size 128, feed-forward 6 x d_model,
a shallow encoder and a deep decoder, 1 key/value head up to 3B. With learned positions and an
untied output projection their parameter counts match the paper's 284M / 1.1B / 2.8B / 8.7B / 41.1B.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from contests.errors import DataError
from solver.model.data.batches import DataConfig


ATTENTION_IMPLEMENTATIONS = ("einsum", "xla", "cudnn")
REMAT_POLICIES = ("none", "full", "dots", "dots_no_batch")  # solver.model.transformer maps them to JAX's


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int = 8000
    d_model: int = 256
    num_heads: int = 4  # query heads
    num_kv_heads: int = 1  # 1 = multi-query attention (AlphaCode); num_heads = standard multi-head
    head_dim: int = 64
    ffn_dim: int = 1536  # 6 x d_model in AlphaCode
    encoder_layers: int = 1
    decoder_layers: int = 4
    max_encoder_len: int = 1536
    max_decoder_len: int = 768
    tie_embeddings: bool = True  # output projection = token embedding transposed
    value_hidden: int = 64  # width of the value-prediction head (training only)
    dtype: str = "float32"  # activations and matmuls (bfloat16 on accelerators); parameters stay float32
    # "einsum": csim's batched matmuls (the fastest layout on XLA's CPU backend); "xla" or "cudnn":
    # jax.nn.dot_product_attention with that implementation ("cudnn": fused flash attention on
    # NVIDIA GPUs, bfloat16 only). All three compute the same function (tests/solver/test_model.py).
    attention: str = "einsum"
    # Rematerialisation of each layer in training (jax.checkpoint), by named policy: "none", "full"
    # (keep only each layer's inputs), "dots" (keep every matmul's output), "dots_no_batch" (keep
    # the matmuls without batch dimensions: the projections, not attention's logits).
    remat: str = "none"

    def __post_init__(self) -> None:
        if self.num_heads % self.num_kv_heads:
            raise ValueError(f"num_heads {self.num_heads} is not a multiple of num_kv_heads {self.num_kv_heads}")
        if self.dtype not in ("float32", "bfloat16"):
            raise ValueError(f"dtype must be float32 or bfloat16, not {self.dtype!r}")
        if self.attention not in ATTENTION_IMPLEMENTATIONS:
            raise ValueError(f"attention must be one of {', '.join(ATTENTION_IMPLEMENTATIONS)}, not {self.attention!r}")
        if self.remat not in REMAT_POLICIES:
            raise ValueError(f"remat must be one of {', '.join(REMAT_POLICIES)}, not {self.remat!r}")

    @property
    def groups(self) -> int:
        """Query heads per key/value head."""
        return self.num_heads // self.num_kv_heads


def _paper(d_model: int, heads: int, kv_heads: int, enc: int, dec: int) -> ModelConfig:
    return ModelConfig(
        vocab_size=8000, d_model=d_model, num_heads=heads, num_kv_heads=kv_heads, head_dim=128,
        ffn_dim=6 * d_model, encoder_layers=enc, decoder_layers=dec, max_encoder_len=1536,
        max_decoder_len=768, tie_embeddings=False, value_hidden=256,
    )


MODEL_PRESETS: dict[str, ModelConfig] = {
    # Compiles and trains in seconds: for tests.
    "tiny": ModelConfig(
        vocab_size=512, d_model=64, num_heads=4, num_kv_heads=1, head_dim=16, ffn_dim=384,
        encoder_layers=1, decoder_layers=2, max_encoder_len=256, max_decoder_len=256, value_hidden=32,
    ),
    # ~8.1M parameters (2M of them the 8,000-piece embedding): trains on a 2-core CPU in minutes.
    "small": ModelConfig(),
    "300M": _paper(768, 6, 1, 4, 24),
    "1B": _paper(1408, 11, 1, 5, 30),
    "3B": _paper(2048, 16, 1, 6, 36),
    "9B": _paper(3072, 24, 4, 8, 48),
    "41B": _paper(6144, 48, 16, 8, 56),
}

# Table 3 of the AlphaCode paper: parameter counts the presets must match.
PAPER_PARAMS = {"300M": 284e6, "1B": 1.1e9, "3B": 2.8e9, "9B": 8.7e9, "41B": 41.1e9}


@dataclass(frozen=True)
class TrainConfig:
    # Optimiser (AlphaCode: AdamW, cosine 1e-4 -> 1e-5, 1,000 warm-up steps, clip 1.0, weight decay 0.1).
    learning_rate: float = 1e-4
    final_learning_rate: float = 1e-5
    warmup_steps: int = 1000
    steps: int = 10000
    b1: float = 0.9
    b2: float = 0.999  # 0.95 for 9B/41B in the paper
    weight_decay: float = 0.1
    clip_norm: float = 1.0
    batch_size: int = 16
    # Losses.
    tempering: float = 0.2  # softmax tempering: decoder logits / T in the training loss
    gold_alpha: float = 0.5
    gold_beta: float = 0.05
    gold_start_step: int | None = None  # GOLD from this step on (after a tempering-only phase); None = never
    token_weight: float = 1.0
    mlm_weight: float = 1.0  # 0 switches the encoder masked-LM loss (and its head's compute) off
    value_weight: float = 0.1
    mlm_max_fraction: float = 0.25  # at most this share of encoder positions is scored by masked-LM
    seed: int = 0  # parameters' initialisation and the order of the data
    # Bookkeeping.
    log_every: int = 1
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    # Devices: mesh axes (None = all devices on the data axis) and multi-host start-up.
    data_parallel: int | None = None
    model_parallel: int = 1
    # FSDP: also split every parameter matrix (and its optimiser moments) over the data axis, on
    # the largest dimension the model axis leaves free (solver.model.mesh.param_spec).
    fsdp: bool = False
    distributed: bool = False  # call jax.distributed.initialize() (solver.model.mesh.start_runtime)
    compilation_cache: str | None = None  # directory for JAX's persistent compilation cache

    def __post_init__(self) -> None:
        if self.tempering <= 0:
            raise ValueError("tempering must be > 0")
        if self.steps < 1 or self.batch_size < 1:
            raise ValueError("steps and batch_size must be >= 1")


FINETUNE_DEFAULTS = {"learning_rate": 1e-5, "final_learning_rate": 1e-6}  # AlphaCode's fine-tuning


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a training run: the model, the optimisation, and the batches
    (solver.model.data.batches.DataConfig, whose batch_size is always train.batch_size)."""

    model: ModelConfig
    train: TrainConfig
    data: DataConfig

    def to_dict(self) -> dict:
        return {"model": asdict(self.model), "train": asdict(self.train), "data": asdict(self.data)}


def model_preset(name: str) -> ModelConfig:
    try:
        return MODEL_PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown model preset {name!r}; choose from {', '.join(MODEL_PRESETS)}") from None


def _check_known(cls, values: dict, origin: str, section: str) -> None:
    unknown = sorted(set(values) - {f.name for f in fields(cls)})
    if unknown:
        raise DataError(origin, section, f"unknown setting(s) {', '.join(unknown)} (known: "
                        f"{', '.join(f.name for f in fields(cls))})")


def build_run_config(sections: dict[str, Any], origin: str = "<flags>") -> RunConfig:
    """RunConfig from {"model": preset name or {fields, optional "preset"}, "train": {fields},
    "data": {DataConfig fields but batch_size}}; missing sections take defaults (model: `small`;
    data: DataConfig's buckets cut at the model's maximum lengths)."""
    model = sections.get("model") or {}
    model = {"preset": model} if isinstance(model, str) else dict(model)
    preset = model.pop("preset", None) or "small"
    train = dict(sections.get("train") or {})
    data = dict(sections.get("data") or {})
    _check_known(ModelConfig, model, origin, "model")
    _check_known(TrainConfig, train, origin, "train")
    if "batch_size" in data:
        raise DataError(origin, "data.batch_size", "set the batch size in the train section")
    try:
        model_cfg = replace(model_preset(preset), **model)
        train_cfg = TrainConfig(**train)
    except (TypeError, ValueError) as e:
        raise DataError(origin, None, str(e)) from None
    data = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    data_cfg = DataConfig.from_dict(
        {**asdict(DataConfig.for_lengths(model_cfg.max_encoder_len, model_cfg.max_decoder_len)), **data,
         "batch_size": train_cfg.batch_size}, origin)
    if data_cfg.enc_buckets[-1] > model_cfg.max_encoder_len or data_cfg.dec_buckets[-1] > model_cfg.max_decoder_len:
        raise DataError(origin, "data", f"buckets up to {data_cfg.enc_buckets[-1]}/{data_cfg.dec_buckets[-1]} exceed "
                        f"the model's lengths {model_cfg.max_encoder_len}/{model_cfg.max_decoder_len}")
    return RunConfig(model_cfg, train_cfg, data_cfg)


def read_config_file(path: str | Path) -> dict:
    """A JSON or TOML file with optional `model` (a preset name, or a table of fields with an
    optional `preset`), `train` and `data` sections."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise DataError(path, None, f"cannot read: {e.strerror}") from None
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        raise DataError(path, None, f"not valid {'TOML' if path.suffix == '.toml' else 'JSON'}: {e}") from None
    if not isinstance(data, dict) or not set(data) <= {"model", "train", "data"}:
        raise DataError(path, None, "expected an object with only `model`, `train` and `data` sections")
    return data


def load_run_config(
    path: str | Path | None = None,
    *,
    preset: str | None = None,
    overrides: dict[str, dict] | None = None,
    train_defaults: dict | None = None,
) -> RunConfig:
    """A RunConfig from train_defaults, then an optional file, then a preset name, then flag
    overrides per section ({"model": {...}, "train": {...}, "data": {...}}; None values ignored)."""
    sections = read_config_file(path) if path else {}
    model = sections.get("model") or {}
    model = {"preset": model} if isinstance(model, str) else dict(model)
    if preset:
        model["preset"] = preset
    merged = {"model": model, "train": {**(train_defaults or {}), **(sections.get("train") or {})},
              "data": dict(sections.get("data") or {})}
    for section, values in (overrides or {}).items():
        merged[section].update({k: v for k, v in values.items() if v is not None})
    return build_run_config(merged, origin=str(path) if path else "<flags>")


def save_run_config(path: Path, config: RunConfig, **extra: Any) -> None:
    """config.json of a run directory (atomically), with EXTRA keys beside the sections."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({**config.to_dict(), **extra}, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def read_run_config(path: Path) -> tuple[RunConfig, dict]:
    """A run directory's config.json: (the RunConfig, the other keys)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(path, None, "missing: not a run directory") from None
    except json.JSONDecodeError as e:
        raise DataError(path, None, f"not valid JSON: {e}") from None
    if not isinstance(data, dict) or not {"model", "train", "data"} <= set(data):
        raise DataError(path, None, "expected `model`, `train` and `data` sections")
    data["data"] = {k: v for k, v in data["data"].items() if k != "batch_size"}
    config = build_run_config({k: data[k] for k in ("model", "train", "data")}, origin=str(path))
    return config, {k: v for k, v in data.items() if k not in ("model", "train", "data")}
