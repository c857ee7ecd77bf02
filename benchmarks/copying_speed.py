"""Speed of the copying check (simulator/analysis/copying.py): building the suffix array of a
corpus, and finding each query program's longest common substring with it.

The corpus is synthetic but made of real code: the CodeContests programs of ../shared/data
(dev.jsonl), copied until it reaches --megabytes, every copy with its identifiers renamed by a
seeded rule so that the text is not one block repeated (which would flatter the suffix sort).
The queries are held-out programs of the same file (not in the corpus), plus one program that is.

    .venv/bin/python benchmarks/copying_speed.py [--megabytes 100] [--queries 50]

The last line printed is one JSON object: corpus characters per second for the index, query
characters per second, and both times.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from pathlib import Path

from simulator.analysis.copying import CorpusIndex, Program, read_programs

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "codecontests" / "dev.jsonl"
WORD = re.compile(r"\b[a-z_][a-z0-9_]{0,2}\b")  # short identifiers: the ones a renaming changes


def corpus(base: list[Program], megabytes: float, seed: int) -> list[Program]:
    rng, out, size, copy = random.Random(seed), [], 0, 0
    while size < megabytes * 1e6:
        suffix = f"{rng.randrange(36 ** 3):x}"
        for p in base:
            source = WORD.sub(lambda m: m.group(0) + suffix, p.source)
            out.append(Program(f"{p.origin} copy {copy}", source))
            size += len(source)
        copy += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=100.0)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    programs = list(read_programs(DEV))
    held_out, base = programs[:args.queries], programs[args.queries:]
    texts = corpus(base, args.megabytes, args.seed)
    index = CorpusIndex(texts)
    print(f"index: {index.characters:,} characters, {index.programs:,} programs, {index.seconds:.1f} s")

    started = time.perf_counter()
    queried = 0
    for p in held_out:
        queried += index.longest_common(p.source).length_bytes
    inside = index.longest_common(texts[len(texts) // 2].source)
    queried += inside.length_bytes
    query_seconds = time.perf_counter() - started
    assert inside.share == 1.0, "a program of the corpus must match itself whole"
    print(f"queries: {len(held_out) + 1} programs, {queried:,} characters, {query_seconds:.1f} s")
    print(json.dumps({
        "corpus_characters": index.characters, "corpus_programs": index.programs,
        "index_seconds": round(index.seconds, 3),
        "corpus_characters_per_second": round(index.characters / index.seconds),
        "query_programs": len(held_out) + 1, "query_characters": queried, "query_seconds": round(query_seconds, 3),
        "query_characters_per_second": round(queried / query_seconds),
    }))


if __name__ == "__main__":
    main()
