"""AlphaCode's value-conditioning header: what the program to come is (rating, tags, language,
correct or not).

    RATING: 1200
    TAGS: dp,greedy
    LANGUAGE IS python3
    CORRECT SOLUTION

Design (docs/interfaces.md): the header is the START OF THE DECODER sequence, teacher-forced and
left out of the loss; the encoder sees only the statement. So a statement is encoded once per
problem and shared by every sample whatever its header. A field that is unknown (a problem
without a rating or tags; pre-training, where correctness is unknown) leaves its line out.
Tags are written sorted, so a set has one spelling.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from contests.model import Problem

# How each language the model knows is named in its headers (AlphaCode's names). This is part of
# the model, not a list of what the judge runs (judge.languages): a language enters here when the
# model is trained on it, and a trained model's headers must keep their spelling.
LANGUAGE_NAMES = {"python": "python3", "cpp": "cpp", "java": "java"}
LANGUAGE_BY_NAME = {name: language for language, name in LANGUAGE_NAMES.items()}
RATINGS = tuple(range(800, 3600, 100))  # AlphaCode samples ratings uniformly from 800..3500, step 100
POPULAR_TAG_SETS = 50  # AlphaCode samples tags from the 50 most common tag sets

# Real Codeforces tag sets, used when the training problems carry no tags: common single tags, and
# the most frequent sets of the CodeContests problems in ../shared/data (not a frequency ranking
# of all of Codeforces, which we do not have here).
FALLBACK_TAG_SETS: tuple[tuple[str, ...], ...] = tuple(tuple(s.split(",")) for s in (
    "implementation", "math", "greedy", "brute force", "constructive algorithms", "strings", "sortings",
    "dp", "number theory", "geometry", "graphs", "binary search", "data structures", "trees",
    "combinatorics", "games", "bitmasks", "two pointers", "dfs and similar", "shortest paths",
    "implementation,math", "greedy,implementation", "math,number theory", "dfs and similar,dsu,graphs",
    "combinatorics,dp,math", "combinatorics,dp,math,number theory", "dp,math,probabilities",
    "constructive algorithms,math,number theory", "dp,strings", "dfs and similar,graphs,trees",
    "dfs and similar,dp,trees", "dp,implementation,strings", "brute force,geometry", "dp,probabilities",
    "dfs and similar,graphs,shortest paths", "combinatorics,math", "brute force,geometry,math",
    "geometry,implementation", "data structures,trees", "data structures,dp,trees", "dp,implementation",
    "dfs and similar,trees", "graphs,implementation", "games,math,number theory",
    "implementation,math,sortings", "dp,graphs,shortest paths", "graphs,shortest paths",
    "combinatorics,number theory", "greedy,math", "dp,greedy",
))


@dataclass(frozen=True)
class HeaderFields:
    rating: int | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None  # csim language id: python, cpp, java
    correct: bool | None = None

    def to_dict(self) -> dict:
        return {"rating": self.rating, "tags": list(self.tags), "language": self.language, "correct": self.correct}


def make_header(rating: int | None, tags: Iterable[str], language: str | None, correct: bool | None) -> str:
    """The header text, one line per known field, each ending in a newline ("" if none is known)."""
    lines = []
    if rating is not None:
        lines.append(f"RATING: {int(rating)}")
    tags = sorted(tags)
    if tags:
        bad = [t for t in tags if not t or "," in t or "\n" in t or t != t.strip()]
        if bad:
            raise ValueError(f"tags cannot be empty or hold commas, newlines or edge spaces: {bad!r}")
        lines.append("TAGS: " + ",".join(tags))
    if language is not None:
        if language not in LANGUAGE_NAMES:
            raise ValueError(f"unknown language {language!r} (known: {', '.join(LANGUAGE_NAMES)})")
        lines.append(f"LANGUAGE IS {LANGUAGE_NAMES[language]}")
    if correct is not None:
        lines.append("CORRECT SOLUTION" if correct else "INCORRECT SOLUTION")
    return "".join(line + "\n" for line in lines)


def format_header(fields: HeaderFields) -> str:
    return make_header(fields.rating, fields.tags, fields.language, fields.correct)


def parse_header(text: str) -> HeaderFields:
    """The fields of a header made by make_header; ValueError names the first line it cannot read."""
    rating, tags, language, correct = None, (), None, None
    for line in text.splitlines():
        if line.startswith("RATING: ") and line[8:].isdigit():
            rating = int(line[8:])
        elif line.startswith("TAGS: "):
            tags = tuple(line[6:].split(","))
        elif line.startswith("LANGUAGE IS ") and line[12:] in LANGUAGE_BY_NAME:
            language = LANGUAGE_BY_NAME[line[12:]]
        elif line in ("CORRECT SOLUTION", "INCORRECT SOLUTION"):
            correct = line == "CORRECT SOLUTION"
        elif line.strip():
            raise ValueError(f"not a header line: {line!r}")
    return HeaderFields(rating, tags, language, correct)


def popular_tag_sets(problems: Iterable[Problem], n: int = POPULAR_TAG_SETS) -> list[tuple[str, ...]]:
    """The N most common tag sets among PROBLEMS (ties: alphabetical), or FALLBACK_TAG_SETS if
    none has tags."""
    counts = Counter(tuple(sorted(p.tags)) for p in problems if p.tags)
    if not counts:
        return list(FALLBACK_TAG_SETS[:n])
    return [tags for tags, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def random_header_fields(rng: np.random.Generator, languages: Sequence[str] = ("python", "cpp"),
                         tag_sets: Sequence[tuple[str, ...]] | None = None,
                         ratings: Sequence[int] = RATINGS) -> HeaderFields:
    """Header fields for sampling, with AlphaCode's distribution: a rating uniform over RATINGS
    (800..3500, step 100), a tag set uniform over TAG_SETS (default: FALLBACK_TAG_SETS; pass
    popular_tag_sets(training problems)), a language uniform over LANGUAGES, always correct.
    Empty RATINGS leaves the rating out: right for a model fine-tuned on problems that had none
    (the CodeContests dev data here has no ratings), which never saw a RATING line."""
    tag_sets = list(tag_sets) if tag_sets else list(FALLBACK_TAG_SETS)
    if not languages:
        raise ValueError("languages must not be empty")
    return HeaderFields(
        rating=int(ratings[rng.integers(len(ratings))]) if len(ratings) else None,
        tags=tuple(sorted(tag_sets[rng.integers(len(tag_sets))])),
        language=languages[rng.integers(len(languages))],
        correct=True,
    )
