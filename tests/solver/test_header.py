"""The value-conditioning header: its exact text, round trip, and AlphaCode's sampling distribution."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from contests.model import Problem
from solver.model.data.header import (
    FALLBACK_TAG_SETS,
    RATINGS,
    HeaderFields,
    format_header,
    make_header,
    parse_header,
    popular_tag_sets,
    random_header_fields,
)


def test_exact_text():
    assert make_header(1200, ["greedy", "dp"], "python", True) == \
        "RATING: 1200\nTAGS: dp,greedy\nLANGUAGE IS python3\nCORRECT SOLUTION\n"
    assert make_header(3500, ["math"], "cpp", False) == "RATING: 3500\nTAGS: math\nLANGUAGE IS cpp\nINCORRECT SOLUTION\n"
    assert make_header(None, [], "java", None) == "LANGUAGE IS java\n"  # unknown fields leave their line out
    assert make_header(None, (), None, None) == ""


def test_round_trip():
    rng = np.random.default_rng(0)
    cases = [HeaderFields(1200, ("dp", "greedy"), "python", True), HeaderFields(None, (), "cpp", False),
             HeaderFields(800, ("dfs and similar", "graphs"), None, None), HeaderFields()]
    cases += [random_header_fields(rng, ("python", "cpp", "java")) for _ in range(200)]
    for fields in cases:
        assert parse_header(format_header(fields)) == fields


def test_bad_fields_and_lines():
    with pytest.raises(ValueError, match="unknown language"):
        make_header(1200, [], "rust", True)
    with pytest.raises(ValueError, match="commas"):
        make_header(1200, ["dp,greedy"], "python", True)
    with pytest.raises(ValueError, match="not a header line"):
        parse_header("RATING: 1200\nLANGUAGE IS cobol\n")
    with pytest.raises(ValueError, match="not a header line"):
        parse_header("RATING: twelve hundred\n")


def test_sampling_distribution():
    rng = np.random.default_rng(7)
    draws = [random_header_fields(rng) for _ in range(6000)]
    assert all(d.correct is True for d in draws)
    ratings = Counter(d.rating for d in draws)
    assert set(ratings) == set(RATINGS) == set(range(800, 3501, 100))
    assert max(ratings.values()) < 2 * min(ratings.values())  # uniform: ~214 each
    languages = Counter(d.language for d in draws)
    assert set(languages) == {"python", "cpp"} and abs(languages["python"] / 6000 - 0.5) < 0.03
    assert {d.tags for d in draws} == {tuple(sorted(t)) for t in FALLBACK_TAG_SETS}


def test_sampling_without_ratings():
    rng = np.random.default_rng(0)
    draws = [random_header_fields(rng, ratings=()) for _ in range(50)]
    assert all(d.rating is None for d in draws)
    assert all(format_header(d).startswith("TAGS: ") for d in draws)


def test_sampling_is_seeded():
    a = [random_header_fields(np.random.default_rng(3)) for _ in range(3)]
    assert a[0] == a[1] == a[2]
    draws = {random_header_fields(np.random.default_rng(s)) for s in range(50)}
    assert len(draws) > 40


def test_popular_tag_sets_from_real_problems(codecontests_dev):
    sets = popular_tag_sets(codecontests_dev)
    assert len(sets) == 50 and len(set(sets)) == 50
    assert sets[:3] == [("geometry",), ("math", "number theory"), ("dfs and similar", "dsu", "graphs")]  # 9, 8, 7 problems
    rng = np.random.default_rng(0)
    assert {random_header_fields(rng, tag_sets=sets).tags for _ in range(3000)} == set(sets)


def test_fallback_tag_sets():
    assert len(FALLBACK_TAG_SETS) == 50 and len({tuple(sorted(t)) for t in FALLBACK_TAG_SETS}) == 50
    assert popular_tag_sets([Problem("1A", "x")]) == list(FALLBACK_TAG_SETS)
    assert popular_tag_sets([Problem("1A", "x", tags=["math"])] * 2 + [Problem("1B", "y", tags=["dp", "greedy"])]) \
        == [("math",), ("dp", "greedy")]
