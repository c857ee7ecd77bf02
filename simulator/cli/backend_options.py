"""The options of the model backends (hf:PATH, openai:URL), declared once and shared by
`csim replay`, `csim solver sample --backend` and `csim solver serve`."""

from __future__ import annotations

import click

OPTION_NAMES = ("model", "api", "api_key_env", "concurrency", "request_timeout", "retries", "batch_size", "device",
                "temperature", "top_p", "top_k", "max_new_tokens", "languages", "prompt_style", "prompt_file",
                "headers", "model_cutoff")


SAMPLING = ("batch_size", "temperature", "top_p", "top_k", "languages", "headers")


def backend_options(func=None, *, sampling: bool = True, cutoff: bool = True):
    """Add the backend options to a command; they arrive as keyword arguments named in OPTION_NAMES.
    sampling=False leaves out those the command already declares (SAMPLING), cutoff=False --model-cutoff."""
    if func is None:
        return lambda f: backend_options(f, sampling=sampling, cutoff=cutoff)
    options = [
        click.option("--model", help="openai: the served model's name (as the server lists it in /v1/models)."),
        click.option("--api", type=click.Choice(["chat", "completions"]), default="chat", show_default=True,
                     help="openai: /chat/completions (chat prompt) or /completions (base prompt)."),
        click.option("--api-key-env", help="openai: name of the environment variable holding the API key."),
        click.option("--concurrency", type=int, default=8, show_default=True, help="openai: requests in flight."),
        click.option("--request-timeout", type=float, default=600.0, show_default=True,
                     help="openai: seconds to wait for one answer (then retried)."),
        click.option("--retries", type=int, default=5, show_default=True,
                     help="openai: retries of a request answered 429 or 5xx or timed out (exponential backoff)."),
        click.option("--batch-size", "batch_size", type=int, default=16, show_default=True,
                     help="hf: samples decoded together."),
        click.option("--device", help="hf: torch device (default: cuda when present, else cpu)."),
        click.option("--temperature", type=float, default=0.8, show_default=True),
        click.option("--top-p", type=float, default=0.95, show_default=True,
                     help="Sample among the most likely tokens making up this share of probability (1: all)."),
        click.option("--top-k", type=int, help="Sample among the K most likely tokens only."),
        click.option("--max-new-tokens", type=int, default=1024, show_default=True, help="Tokens per sample, at most."),
        click.option("--languages", default="python,cpp", show_default=True,
                     help="Comma-separated languages; sample i is in the (i mod count)-th."),
        click.option("--prompt-style", type=click.Choice(["base", "chat"]),
                     help="base: statement then AlphaCode's header, the model continues with code; chat: system "
                          "and user messages through the model's chat template (default: chat for --api chat or "
                          "a tokenizer with a chat template, else base)."),
        click.option("--prompt", "prompt_file", type=click.Path(dir_okay=False),
                     help="Template file replacing the base prompt or the chat user message "
                          "(placeholders in solver/backends/prompts.py; must contain $statement)."),
        click.option("--headers", type=click.Choice(["none", "problem"]), default="none", show_default=True,
                     help="problem: put the problem's rating and tags in the prompt (an oracle: neither is known "
                          "during a contest)."),
        click.option("--model-cutoff", type=click.DateTime(formats=["%Y-%m-%d"]),
                     help="The date the model's training data ends: replay refuses contests that started before "
                          "it (see --allow-contaminated)."),
    ]
    for option in reversed(options):
        name = option(lambda: None).__click_params__[0].name
        if (sampling or name not in SAMPLING) and (cutoff or name != "model_cutoff"):
            func = option(func)
    return func


def options_from(kwargs: dict):
    """Pop the backend options out of a command's keyword arguments: a BackendOptions."""
    from solver.backends.factory import BackendOptions

    values = {name: kwargs.pop(name) for name in OPTION_NAMES if name in kwargs}
    if isinstance(values.get("languages"), str):
        values["languages"] = tuple(x.strip() for x in values["languages"].split(",") if x.strip())
    if values.get("model_cutoff") is not None:
        values["model_cutoff"] = values["model_cutoff"].date().isoformat()
    return BackendOptions(**values)


def quiet_transformers() -> None:
    """transformers' loading bars and advice are not csim's output."""
    import os

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
