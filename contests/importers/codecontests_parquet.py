"""CodeContests as DeepMind ships it on Hugging Face: Parquet shards (e.g.
`train-00000-of-00039.parquet`) with the same fields as the JSON lines, nested as Arrow structs
(tests and solutions as {input, output} / {language, solution} lists, time_limit as {seconds,
nanos}). Read in record batches with pyarrow, so a 200 MB shard is never in memory at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from contests.errors import DataError

BATCH_ROWS = 64


def iter_parquet_records(path: Path) -> Iterator[tuple[int, dict]]:
    """(row number from 1, record as a dict) for each row of a CodeContests Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as e:
        raise DataError(path, None, f"not a Parquet file ({e})") from None
    missing = {"name", "description"} - set(parquet.schema_arrow.names)
    if missing:
        raise DataError(path, None, f"not CodeContests data: no column {', '.join(sorted(missing))}")
    row = 0
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        for record in batch.to_pylist():
            row += 1
            yield row, record
