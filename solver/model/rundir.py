"""A training run's directory, its layout spelled out once: whoever reads or writes a run (training,
the sampler, the JAX solver, the command line, the contamination cut-off) asks RunDir for its paths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contests.errors import DataError


@dataclass(frozen=True)
class RunDir:
    path: Path

    CONFIG = "config.json"  # RunConfig and the run's kind (pretrain | finetune), written first
    TOKENIZER = "tokenizer.model"  # the SentencePiece model
    CHECKPOINTS = "checkpoints"  # Orbax, one folder per saved step
    METRICS = "metrics.jsonl"  # one JSON object per logged step
    MODEL_CUTOFF = "model_cutoff.json"  # a fine-tuned run's training cut-off (contamination)

    LAYOUT = "config.json, tokenizer.model, checkpoints/, metrics.jsonl, model_cutoff.json"

    def __post_init__(self):
        object.__setattr__(self, "path", Path(self.path))

    # The paths, one per file of the layout above.
    config = property(lambda self: self.path / self.CONFIG)
    tokenizer = property(lambda self: self.path / self.TOKENIZER)
    checkpoints = property(lambda self: self.path / self.CHECKPOINTS)
    metrics = property(lambda self: self.path / self.METRICS)
    model_cutoff = property(lambda self: self.path / self.MODEL_CUTOFF)

    def exists(self) -> bool:
        return self.config.is_file()

    def check(self) -> "RunDir":
        """Refuse a directory that holds no run (no config.json) in one line."""
        if not self.exists():
            raise DataError(self.path, None, f"not a solver run directory (no {self.CONFIG})")
        return self
