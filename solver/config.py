"""Model and training configuration: plain dataclasses, presets, and loading from JSON/TOML with overrides.

The paper presets follow AlphaCode's Table 3 (Li et al. 2022): head size 128, feed-forward 6 x d_model,
a shallow encoder and a deep decoder, 1 key/value head up to 3B. With learned positions and an
untied output projection their parameter counts match the paper's 284M / 1.1B / 2.8B / 8.7B / 41.1B.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from contests.errors import DataError


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
    dtype: str = "float32"  # activations and matmuls; parameters stay float32

    def __post_init__(self) -> None:
        if self.num_heads % self.num_kv_heads:
            raise ValueError(f"num_heads {self.num_heads} is not a multiple of num_kv_heads {self.num_kv_heads}")
        if self.dtype not in ("float32", "bfloat16"):
            raise ValueError(f"dtype must be float32 or bfloat16, not {self.dtype!r}")

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
    # Data: lengths and buckets the batches are cut to (passed on to solver.data).
    max_encoder_len: int = 1536
    max_decoder_len: int = 768
    seed: int = 0
    # Bookkeeping.
    log_every: int = 1
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    # Devices: mesh axes (None = all devices on the data axis) and multi-host start-up.
    data_parallel: int | None = None
    model_parallel: int = 1
    distributed: bool = False  # call jax.distributed.initialize() (coordinator from the environment)
    compilation_cache: str | None = None  # directory for JAX's persistent compilation cache

    def __post_init__(self) -> None:
        if self.tempering <= 0:
            raise ValueError("tempering must be > 0")
        if self.steps < 1 or self.batch_size < 1:
            raise ValueError("steps and batch_size must be >= 1")


FINETUNE_DEFAULTS = {"learning_rate": 1e-5, "final_learning_rate": 1e-6}


def model_preset(name: str) -> ModelConfig:
    try:
        return MODEL_PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown model preset {name!r}; choose from {', '.join(MODEL_PRESETS)}") from None


def _coerce(cls, values: dict[str, Any], origin: str, section: str):
    names = {f.name: f for f in fields(cls)}
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise DataError(origin, section, f"unknown setting(s) {', '.join(unknown)}")
    return values


def build_configs(
    model: str | dict | None = None,
    train: dict | None = None,
    *,
    origin: str = "<flags>",
) -> tuple[ModelConfig, TrainConfig]:
    """ModelConfig from a preset name and/or a dict of fields (the dict wins); TrainConfig from a dict."""
    model_fields: dict[str, Any] = {}
    base = MODEL_PRESETS["small"]
    if isinstance(model, str):
        base = model_preset(model)
    elif isinstance(model, dict):
        model_fields = dict(model)
        preset = model_fields.pop("preset", None)
        if preset is not None:
            base = model_preset(preset)
    _coerce(ModelConfig, model_fields, origin, "model")
    train_fields = dict(train or {})
    _coerce(TrainConfig, train_fields, origin, "train")
    try:
        return replace(base, **model_fields), TrainConfig(**train_fields)
    except (TypeError, ValueError) as e:
        raise DataError(origin, None, str(e)) from None


def read_config_file(path: str | Path) -> dict:
    """A JSON or TOML file with optional `model` (a table of fields, `preset = "small"` allowed)
    and `train` tables."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise DataError(path, None, f"cannot read: {e.strerror}") from None
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        raise DataError(path, None, f"not valid {'TOML' if path.suffix == '.toml' else 'JSON'}: {e}") from None
    if not isinstance(data, dict) or set(data) - {"model", "train"}:
        raise DataError(path, None, "expected an object with only `model` and `train` sections")
    if isinstance(data.get("model"), str):
        data["model"] = {"preset": data["model"]}
    return data


def load_configs(
    path: str | Path | None = None,
    *,
    preset: str | None = None,
    model_overrides: dict | None = None,
    train_overrides: dict | None = None,
    train_defaults: dict | None = None,
) -> tuple[ModelConfig, TrainConfig]:
    """Configs from an optional file, then a preset name, then flag overrides (later wins)."""
    data = read_config_file(path) if path else {}
    model = dict(data.get("model") or {})
    if preset:
        model = {"preset": preset, **{k: v for k, v in model.items() if k != "preset"}}
    model.update({k: v for k, v in (model_overrides or {}).items() if v is not None})
    train = dict(train_defaults or {})
    train.update(data.get("train") or {})
    train.update({k: v for k, v in (train_overrides or {}).items() if v is not None})
    return build_configs(model, train, origin=str(path) if path else "<flags>")


def to_dict(config) -> dict:
    return dataclasses.asdict(config)


def save_run_config(path: Path, model: ModelConfig, train: TrainConfig, **extra: Any) -> None:
    payload = {"model": to_dict(model), "train": to_dict(train), **extra}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def load_run_config(path: Path) -> tuple[ModelConfig, TrainConfig, dict]:
    """A run directory's config.json: (model, train, the other keys)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(path, None, "missing: not a run directory") from None
    except json.JSONDecodeError as e:
        raise DataError(path, None, f"not valid JSON: {e}") from None
    if not isinstance(data, dict) or "model" not in data or "train" not in data:
        raise DataError(path, None, "expected `model` and `train` sections")
    model_cfg, train_cfg = build_configs(dict(data["model"]), dict(data["train"]), origin=str(path))
    extra = {k: v for k, v in data.items() if k not in ("model", "train")}
    return model_cfg, train_cfg, extra
