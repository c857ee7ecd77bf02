"""CodeContests read from Parquet, the format of DeepMind's public release: a shard written here
from real dev records, with the release's nested columns, imports as the same problems as the
JSON lines."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from contests.errors import DataError
from contests.importers.codecontests import load_codecontests
from contests.problems import load_problem


def _records(shared_data, count: int) -> list[dict]:
    with (shared_data / "codecontests" / "dev.jsonl").open(encoding="utf-8") as f:
        return [json.loads(next(f)) for _ in range(count)]


def test_a_parquet_shard_imports_as_the_same_problems_as_json_lines(shared_data, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    records = _records(shared_data, 70)  # more than one record batch
    table = pa.Table.from_pylist(records)
    assert pa.types.is_struct(table.schema.field("public_tests").type)  # nested, as the release ships it
    shard = tmp_path / "valid-00000-of-00001.parquet"
    pq.write_table(table, shard, row_group_size=25)
    lines = tmp_path / "same.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    from_parquet, from_lines = load_codecontests(shard), load_codecontests(lines)
    assert len(from_parquet) == 70
    assert [replace(p, origin="") for p in from_parquet] == [replace(p, origin="") for p in from_lines]
    assert from_parquet[3].origin == f"{shard}:4"
    assert sum(len(p.tests) for p in from_parquet) > 0 and any(p.solutions for p in from_parquet)
    first = from_parquet[0]
    assert load_problem(shard, first.id) == first


def test_a_parquet_file_that_is_not_codecontests_is_refused(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"x": [1, 2]}), other)
    with pytest.raises(DataError, match="not CodeContests data: no column description, name"):
        load_codecontests(other)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(DataError, match="not a Parquet file"):
        load_codecontests(broken)
