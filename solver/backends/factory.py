"""From a spec (`hf:PATH`, `openai:URL`) and the user's options to a backend, draw settings and a
solver; one place, used by `csim solver sample --backend`, `csim solver serve` and `csim replay`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from contests.errors import DataError
from solver.backends.base import SamplingParams
from solver.backends.draw import DrawSettings
from solver.backends.prompts import LANGUAGE_TITLES, PromptTemplates

KINDS = ("hf", "openai")


@dataclass(frozen=True)
class BackendOptions:
    """Every option of a backend draw, as the command line takes them (recorded with a run, so
    that --resume rebuilds the same backend)."""

    model: str | None = None  # openai: the served model's name
    api: str = "chat"  # openai: chat | completions
    api_key_env: str | None = None  # openai: the environment variable holding the API key
    concurrency: int = 8  # openai: requests in flight
    request_timeout: float = 600.0  # openai: seconds per request
    retries: int = 5  # openai: retries on 429, 5xx, timeouts
    batch_size: int = 16  # hf: samples decoded together
    device: str | None = None  # hf: torch device (default: cuda if present, else cpu)
    temperature: float = 0.8
    top_p: float | None = 0.95
    top_k: int | None = None
    max_new_tokens: int = 1024
    languages: tuple[str, ...] = ("python", "cpp")
    prompt_style: str | None = None  # base | chat; default: the backend's (chat API or chat template: chat)
    prompt_file: str | None = None
    headers: str = "none"  # none | problem (the problem's rating and tags: an oracle)
    model_cutoff: str | None = None  # ISO date the model's training data ends (contamination)

    def to_dict(self) -> dict:
        return {**asdict(self), "languages": list(self.languages)}

    @classmethod
    def from_dict(cls, d: dict) -> BackendOptions:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in d.items() if k in known}
        if "languages" in values:
            values["languages"] = tuple(values["languages"])
        return cls(**values)


def is_backend_spec(spec: str) -> bool:
    kind, sep, arg = spec.partition(":")
    return kind in KINDS and bool(sep)


def make_backend(spec: str, options: BackendOptions):
    kind, _, arg = spec.partition(":")
    if not arg:
        raise DataError("--backend", None, f"{kind}: needs a target, e.g. hf:PATH or openai:URL")
    if kind == "hf":
        from solver.backends.hf import HFBackend

        return HFBackend(arg, batch_size=options.batch_size, device=options.device)
    if kind == "openai":
        from solver.backends.openai import OpenAIBackend

        return OpenAIBackend(arg, options.model or "", api=options.api, api_key_env=options.api_key_env,
                             concurrency=options.concurrency, timeout=options.request_timeout,
                             retries=options.retries)
    raise DataError("--backend", None, f"unknown backend {spec!r}: expected hf:PATH or openai:URL")


def draw_settings(backend, options: BackendOptions) -> DrawSettings:
    # The languages a prompt can ask for (their names, titles and code fences are in prompts.py).
    known = tuple(LANGUAGE_TITLES)
    bad = [x for x in options.languages if x not in known]
    if bad or not options.languages:
        raise DataError("--languages", None, f"unknown or no languages {bad}; expected some of {', '.join(known)}")
    style = options.prompt_style or backend.default_style
    templates = PromptTemplates.default()
    if options.prompt_file:
        templates = templates.with_prompt_file(options.prompt_file, style)
    if options.temperature < 0 or (options.top_p is not None and not 0 < options.top_p <= 1):
        raise DataError("--temperature", None, "temperature must be >= 0 and top-p in (0, 1]")
    params = SamplingParams(options.temperature, options.top_p, options.top_k, options.max_new_tokens)
    return DrawSettings(params, tuple(options.languages), style, options.headers, templates)


def make_backend_solver(spec: str, judge, options: BackendOptions, cache=None, executor=None):
    from solver.backends.solver import BackendSolver

    backend = make_backend(spec, options)
    return BackendSolver(backend, judge, draw_settings(backend, options), cache=cache,
                         model_cutoff=options.model_cutoff, executor=executor)
