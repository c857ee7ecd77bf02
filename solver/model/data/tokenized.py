"""A pre-training corpus tokenised once and kept on disk, so that building batches and resuming at
a step read token counts and tokens instead of tokenising files again (benchmarks/
data_pipeline.py measures both ways).

A cache directory holds one folder per (tokenizer, file list with sizes and modification times,
line filter): change any of them and a new folder is built. Each folder: tokens.bin (all files'
tokens, uint16 when the vocabulary fits, else int32), offsets.npy (file i is
tokens[offsets[i]:offsets[i+1]]; an unusable file has none) and index.json. A folder is built
beside its final name and renamed into place, so a reader never sees half of one; one that
cannot be read is built again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from solver.model.data.corpus import SourceFile, read_source
from solver.model.tokenizer import Tokenizer

FORMAT = "csim-tokens/1"
ENCODE_GROUP = 64  # files encoded per call (SentencePiece spreads a list over its threads)


class TokenizedCorpus:
    def __init__(self, folder: Path):
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        if index.get("format") != FORMAT:
            raise ValueError(f"{folder}: not a {FORMAT} folder")
        self.folder = folder
        self.offsets = np.load(folder / "offsets.npy")
        total = int(self.offsets[-1])
        self.tokens = np.memmap(folder / "tokens.bin", dtype=index["dtype"], mode="r", shape=(total,)) if total \
            else np.zeros(0, dtype=index["dtype"])
        if len(self.offsets) != index["files"] + 1:
            raise ValueError(f"{folder}: index and offsets disagree")

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def count(self, item: int) -> int:
        return int(self.offsets[item + 1] - self.offsets[item])

    def tokens_of(self, item: int) -> np.ndarray:
        return np.asarray(self.tokens[self.offsets[item]: self.offsets[item + 1]], dtype=np.int32)


def corpus_key(files: list[SourceFile], tokenizer: Tokenizer, max_line_chars: int) -> str:
    digest = hashlib.sha256(f"{FORMAT}\n{tokenizer.digest}\n{max_line_chars}\n".encode())
    for f in files:
        digest.update(f"{f.path}\0{f.size}\0{f.mtime_ns}\n".encode())
    return digest.hexdigest()[:20]


def open_tokenized_corpus(cache_dir: str | Path, files: list[SourceFile], tokenizer: Tokenizer, *,
                          max_line_chars: int, progress: Callable[[int, int], None] | None = None) -> TokenizedCorpus:
    """The tokenised FILES under CACHE_DIR, built first if not there (progress(done, total) while building)."""
    cache_dir = Path(cache_dir)
    folder = cache_dir / corpus_key(files, tokenizer, max_line_chars)
    try:
        return TokenizedCorpus(folder)
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        pass  # missing or unreadable: (re)build
    tmp = cache_dir / f".{folder.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    dtype = "uint16" if tokenizer.vocab_size <= np.iinfo(np.uint16).max + 1 else "int32"
    offsets = [0]
    with open(tmp / "tokens.bin", "wb") as out:
        for start in range(0, len(files), ENCODE_GROUP):
            group = files[start: start + ENCODE_GROUP]
            texts = [read_source(f.path, max_line_chars=max_line_chars) or "" for f in group]
            for ids in tokenizer.encode_many(texts):
                ids = ids if len(ids) >= 2 else []  # under 2 tokens: no pivot, unusable
                np.asarray(ids, dtype=dtype).tofile(out)
                offsets.append(offsets[-1] + len(ids))
            if progress:
                progress(min(start + ENCODE_GROUP, len(files)), len(files))
    np.save(tmp / "offsets.npy", np.array(offsets, dtype=np.int64))
    (tmp / "index.json").write_text(json.dumps({
        "format": FORMAT, "dtype": dtype, "files": len(files), "tokens": offsets[-1],
        "tokenizer": tokenizer.digest, "max_line_chars": max_line_chars,
        "paths": [str(f.path) for f in files],
    }), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)  # an unreadable leftover of the same key
    os.replace(tmp, folder)
    return TokenizedCorpus(folder)
