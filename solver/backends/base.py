"""What csim asks of a model backend, and the plain data that flows through drawing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class SamplingParams:
    """How each sample is drawn. top_k / top_p None: not applied."""

    temperature: float = 0.8
    top_p: float | None = 0.95
    top_k: int | None = None
    max_new_tokens: int = 1024

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Prompt:
    """One prompt: plain text for a base model (style "base"), or chat messages (style "chat",
    the server or the tokenizer applies the model's chat template)."""

    style: str  # "base" | "chat"
    text: str = ""
    messages: tuple[tuple[str, str], ...] = ()  # (role, content)

    def to_dict(self) -> dict:
        return {"style": self.style, "text": self.text, "messages": [list(m) for m in self.messages]}

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Generation:
    """One answer of the model, with what it cost."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    seconds: float = 0.0  # latency of the request (for a batch: the batch's time shared evenly)
    finish_reason: str | None = None  # "stop" | "length" | the server's word


@dataclass(frozen=True)
class CachedSample:
    """A generation as the cache keeps it, with the code extracted from it (source None: none)."""

    index: int
    language: str
    generation: Generation
    source: str | None
    extraction: str  # how the source was found, or why none was, e.g. "fenced python block", "no code block"
    problem_id: str = ""

    def to_dict(self) -> dict:
        return {**asdict(self), "generation": asdict(self.generation)}


def sample_seed(seed: int, index: int) -> int:
    """The seed of sample INDEX of a draw with SEED: fixed by both, below 2^31 (any generator or
    server takes it), so each sample can be drawn again alone and gives the same program."""
    digest = hashlib.sha256(f"{seed}/{index}".encode()).hexdigest()
    return int(digest[:8], 16) & 0x7FFFFFFF


def request_key(backend: str, model: str, prompt: Prompt, params: SamplingParams, seed: int) -> str:
    """The cache key of a set of samples: everything that decides them but the sample's index."""
    blob = json.dumps({"backend": backend, "model": model, "prompt": prompt.digest, "params": params.to_dict(),
                       "seed": seed}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


@runtime_checkable
class Backend(Protocol):
    kind: str  # "hf" | "openai"
    model: str  # the model's identity: a checkpoint digest, or the server's model name
    default_style: str  # the prompt style the model takes by default: "base" or "chat"

    def describe(self) -> dict:
        """Everything that identifies the backend's behaviour, JSON-able."""

    def generate(self, prompt: Prompt, params: SamplingParams, seeds: Sequence[int],
                 on_done: Callable[[int, Generation], None]) -> None:
        """One generation per seed (the seed of sample i is seeds[i]); on_done(i, generation) as each
        is ready, in any order, so that a caller can store it at once."""

    def close(self) -> None:
        """Release connections or memory."""


@runtime_checkable
class GenerationCache(Protocol):
    """Where drawn samples are kept, keyed by request_key() and index (the store implements it)."""

    def load(self, key: str) -> dict[int, CachedSample]:
        """The samples already drawn for KEY, by index."""

    def save(self, key: str, meta: dict, sample: CachedSample) -> None:
        """Keep SAMPLE under KEY (meta: backend, model, prompt digest, params, seed), whole or not at all.
        Called for every sample as it arrives, on the backend's own thread or event loop: it must be
        quick (the store's cache only hands the sample to its writer)."""

    def flush(self) -> None:
        """Return once every sample saved so far is kept for good (a draw calls it when it ends)."""


@dataclass
class MemoryCache:
    """A cache that lives as long as the process (no store given)."""

    samples: dict[str, dict[int, CachedSample]] = field(default_factory=dict)

    def load(self, key: str) -> dict[int, CachedSample]:
        return dict(self.samples.get(key, {}))

    def save(self, key: str, meta: dict, sample: CachedSample) -> None:
        self.samples.setdefault(key, {})[sample.index] = sample

    def flush(self) -> None:
        pass
