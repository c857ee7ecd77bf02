"""`hf:PATH`: a local transformers checkpoint (decoder-only or encoder-decoder), sampled in batches.

Never downloads: PATH must be a directory holding the checkpoint (save_pretrained's layout); the
hub is switched off (HF_HUB_OFFLINE, local_files_only) before transformers is first imported.

Each row of a batch draws with its own torch.Generator seeded by the sample's seed, through the
Gumbel-max trick (argmax of the warped logits plus Gumbel noise is an exact sample of their
softmax): so a sample depends on its seed alone, not on which batch it was drawn in, and a resumed
or extended draw gives the same programs as one uninterrupted draw. A batch shares one prompt,
so no row is padded.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from contests.errors import DataError
from solver.backends.base import Generation, Prompt, SamplingParams

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".msgpack", ".h5")


def checkpoint_digest(path: Path) -> str:
    """A digest of every file of the checkpoint (weights, config, tokenizer), names included."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
        h.update(str(f.relative_to(path)).encode() + b"\0")
        with f.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def check_checkpoint_dir(spec_path: str) -> Path:
    path = Path(spec_path).expanduser()
    if not path.is_dir():
        raise DataError(spec_path, None, "not a local checkpoint directory; csim never downloads models: pass a "
                                         "directory written by save_pretrained (or `huggingface-cli download`)")
    if not (path / "config.json").is_file():
        raise DataError(path, None, "not a transformers checkpoint (no config.json)")
    return path


class HFBackend:
    kind = "hf"

    def __init__(self, path: str | Path, *, batch_size: int = 16, device: str | None = None,
                 dtype: str | None = None):
        self.path = check_checkpoint_dir(str(path))
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers reads it; nothing here downloads
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

        self.torch = torch
        try:
            config = AutoConfig.from_pretrained(self.path, local_files_only=True)
            self.tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
            self.seq2seq = bool(getattr(config, "is_encoder_decoder", False))
            auto = AutoModelForSeq2SeqLM if self.seq2seq else AutoModelForCausalLM
            kwargs = {"dtype": getattr(torch, dtype)} if dtype else {}
            self.net = auto.from_pretrained(self.path, local_files_only=True, **kwargs)
        except (OSError, ValueError, KeyError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise DataError(self.path, None, f"cannot load the checkpoint ({first})") from None
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.net.to(self.device).eval()
        self.batch_size = batch_size
        self.digest = checkpoint_digest(self.path)
        self.model = self.digest  # the identity that keys the generation cache
        self.default_style = "chat" if getattr(self.tokenizer, "chat_template", None) else "base"
        self.max_positions = getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None)

    def describe(self) -> dict:
        return {"backend": self.kind, "path": str(self.path.resolve()), "checkpoint_digest": self.digest,
                "architecture": type(self.net).__name__, "seq2seq": self.seq2seq, "batch_size": self.batch_size}

    def close(self) -> None:
        self.net = None

    def render(self, prompt: Prompt) -> str:
        """The text the model reads: the prompt itself, or the messages through its chat template."""
        if prompt.style == "base":
            return prompt.text
        if not getattr(self.tokenizer, "chat_template", None):
            raise DataError(self.path, "chat_template", "the tokenizer has no chat template: use the base prompt "
                                                        "style (--prompt-style base)")
        messages = [{"role": role, "content": content} for role, content in prompt.messages]
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def generate(self, prompt: Prompt, params: SamplingParams, seeds: Sequence[int],
                 on_done: Callable[[int, Generation], None]) -> None:
        text = self.render(prompt)
        for first in range(0, len(seeds), self.batch_size):
            batch = list(seeds[first:first + self.batch_size])
            start = time.perf_counter()
            rows, prompt_tokens = self.sample_texts(text, params, batch)
            share = (time.perf_counter() - start) / len(batch)
            for j, (out, count, reason) in enumerate(rows):
                on_done(first + j, Generation(out, prompt_tokens, count, share, reason))

    def sample_texts(self, text: str, params: SamplingParams, seeds: Sequence[int]):
        """[(text, completion tokens, finish reason)] for one prompt, one row per seed; and the prompt's tokens."""
        torch = self.torch
        encoded = self.tokenizer(text, return_tensors="pt", add_special_tokens=self.seq2seq)
        ids = encoded["input_ids"]
        if ids.shape[1] == 0:  # a decoder-only model needs something to continue
            start_id = self.tokenizer.bos_token_id if self.tokenizer.bos_token_id is not None else self.tokenizer.eos_token_id
            ids = torch.tensor([[start_id]])
        prompt_tokens = int(ids.shape[1])
        max_new = params.max_new_tokens
        if not self.seq2seq and self.max_positions:
            if prompt_tokens >= self.max_positions:
                raise DataError(self.path, "prompt", f"the prompt is {prompt_tokens} tokens, the model takes at "
                                                     f"most {self.max_positions}")
            max_new = min(max_new, self.max_positions - prompt_tokens)
        ids = ids.repeat(len(seeds), 1).to(self.device)
        eos = self.tokenizer.eos_token_id
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else eos
        with torch.no_grad():
            out = self.net.generate(
                input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False, num_beams=1,
                max_new_tokens=max_new, logits_processor=_processors(params, seeds, self.device),
                pad_token_id=pad, eos_token_id=eos)
        new = out if self.seq2seq else out[:, prompt_tokens:]
        rows = []
        for row in new.tolist():
            if self.seq2seq and row and row[0] == self.net.config.decoder_start_token_id:
                row = row[1:]
            stop = row.index(eos) if eos is not None and eos in row else None
            tokens = row[:stop] if stop is not None else row
            rows.append((self.tokenizer.decode(tokens, skip_special_tokens=True), len(tokens),
                         "stop" if stop is not None else "length"))
        return rows, prompt_tokens


def _processors(params: SamplingParams, seeds: Sequence[int], device: str):
    """The temperature / top-k / top-p warpers of transformers, then per-row Gumbel noise."""
    import torch
    from transformers.generation.logits_process import (
        LogitsProcessor,
        LogitsProcessorList,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    class PerRowGumbel(LogitsProcessor):
        def __init__(self):
            self.generators = [torch.Generator(device="cpu").manual_seed(int(s)) for s in seeds]

        def __call__(self, input_ids, scores):
            noise = torch.stack([
                -torch.log(-torch.log(torch.rand(scores.shape[-1], generator=g, dtype=torch.float64)
                                      .clamp_(1e-300, 1.0 - 1e-16)))
                for g in self.generators]).to(device=scores.device, dtype=torch.float32)
            return scores.float() + noise

    processors = LogitsProcessorList()
    if params.temperature <= 0:
        return processors  # greedy
    if params.temperature != 1.0:
        processors.append(TemperatureLogitsWarper(params.temperature))
    if params.top_k:
        processors.append(TopKLogitsWarper(params.top_k))
    if params.top_p is not None and params.top_p < 1.0:
        processors.append(TopPLogitsWarper(params.top_p))
    processors.append(PerRowGumbel())
    return processors
