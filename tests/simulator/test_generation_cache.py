"""The store's generation cache writes samples in batches (simulator.store.generations): what a
hard kill may lose is bounded by its window, a normal end, an error or SIGTERM loses nothing, and
what is stored is whole. Against a real HTTP server on 127.0.0.1 that counts the requests it answers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from backend_servers import ServerThread, seeded_app
from contests.native import read_problem
from simulator.store import Store
from simulator.store.generations import StoreCache
from solver.backends.base import CachedSample, Generation, SamplingParams, sample_seed
from solver.backends.draw import DrawSettings, draw_samples
from solver.backends.openai import OpenAIBackend

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = read_problem(ROOT / "contests" / "demo" / "A")
SETTINGS = DrawSettings(SamplingParams(temperature=1.0, max_new_tokens=8), ("python",), "base")
SEED = 3
CONCURRENCY = 4

# A draw in a process of its own, as `csim solver sample` runs it (SIGTERM turned into Ctrl-C).
CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from contests.native import read_problem
    from simulator.cli.common import end_on_sigterm
    from simulator.store import Store
    from simulator.store.generations import StoreCache
    from solver.backends.base import SamplingParams
    from solver.backends.draw import DrawSettings, draw_samples
    from solver.backends.openai import OpenAIBackend

    end_on_sigterm()
    url, db, n, window, flush_seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    settings = DrawSettings(SamplingParams(temperature=1.0, max_new_tokens=8), ("python",), "base")
    backend = OpenAIBackend(url, "seeded", api="completions", concurrency={concurrency})
    with Store(db) as store, StoreCache(store, window=window, flush_seconds=flush_seconds) as cache:
        draw_samples(backend, read_problem({problem!r}), n, {seed}, settings, cache)
""").format(root=str(ROOT), problem=str(ROOT / "contests" / "demo" / "A"), seed=SEED, concurrency=CONCURRENCY)


@pytest.fixture
def server():
    with ServerThread(seeded_app()) as s:
        yield s


def stored(db: Path) -> dict[int, tuple[str, str | None]]:
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        try:
            rows = conn.execute('SELECT "index", text, source FROM generations').fetchall()
        except sqlite3.OperationalError as e:  # the child has not migrated the file yet
            assert "no such table" in str(e)
            return {}
    return {i: (text, source) for i, text, source in rows}


def check_whole(rows: dict[int, tuple[str, str | None]]) -> None:
    """Every stored sample is the answer to its own request, with its code extracted."""
    for index, (text, source) in rows.items():
        assert text == f"print({sample_seed(SEED, index)})\n" and source == text, (index, text, source)


def start_child(server, db: Path, n: int, window: int, flush_seconds: float) -> subprocess.Popen:
    # stderr to a file: a pipe nobody reads while waiting could fill and stall the child
    with (db.parent / "child.err").open("w") as err:
        return subprocess.Popen([sys.executable, "-c", CHILD, server.url, str(db), str(n), str(window),
                                 str(flush_seconds)], stdout=subprocess.DEVNULL, stderr=err)


def child_err(db: Path) -> str:
    return (db.parent / "child.err").read_text()[-3000:]


def wait_for(condition, child: subprocess.Popen, db: Path, what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert child.poll() is None, f"the draw ended before {what}: {child_err(db)}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def wait_quiet(server) -> None:
    """The requests in flight when the client died are still answered: let them finish."""
    quiet_since = None
    while quiet_since is None or time.monotonic() - quiet_since < 0.5:
        quiet_since = None if server.app.state.active > 0 else (quiet_since or time.monotonic())
        time.sleep(0.02)


def resume(server, db: Path, n: int) -> int:
    """Draw N samples again over the same store; the requests it sent."""
    before = server.app.state.requests
    backend = OpenAIBackend(server.url, "seeded", api="completions", concurrency=CONCURRENCY)
    with Store(db) as store, StoreCache(store) as cache:
        drawn = draw_samples(backend, PROBLEM, n, SEED, SETTINGS, cache)
    assert [s.generation.text for s in drawn.samples] == [f"print({sample_seed(SEED, i)})\n" for i in range(n)]
    return server.app.state.requests - before


def test_sigkill_loses_at_most_the_window_and_the_resumed_draw_asks_only_for_what_is_missing(server, tmp_path):
    db, n, window = tmp_path / "cache.db", 3000, 8
    # flush_seconds far off: only the window makes the writer commit, so samples are held when the kill comes
    child = start_child(server, db, n, window, 3600)
    wait_for(lambda: len(stored(db)) >= 4 * window, child, db, "samples were stored")
    child.send_signal(signal.SIGKILL)
    child.wait()
    wait_quiet(server)
    answered, rows = server.app.state.requests, stored(db)
    assert len(rows) < n, "the draw finished before the kill"
    check_whole(rows)
    # lost: answers received and not yet written (at most the window) and the requests in flight
    assert answered - len(rows) <= window + CONCURRENCY, (answered, len(rows))
    assert resume(server, db, n) == n - len(rows)


def test_sigterm_mid_draw_stores_every_sample_received(server, tmp_path):
    db = tmp_path / "cache.db"
    # nothing would be written before the end without the flush on the way out
    child = start_child(server, db, 20_000, 1_000_000, 3600)
    wait_for(lambda: server.app.state.requests >= 200, child, db, "200 answers")
    assert not stored(db), "the writer committed before any flush"
    child.send_signal(signal.SIGTERM)
    assert child.wait(60) != 0 and "KeyboardInterrupt" in child_err(db)
    wait_quiet(server)
    answered, rows = server.app.state.requests, stored(db)
    check_whole(rows)
    # the server counts an answer before the client reads it: up to CONCURRENCY may be in flight
    assert len(rows) >= 200 - CONCURRENCY and answered - len(rows) <= CONCURRENCY, (answered, len(rows))


def test_a_draw_that_ends_normally_stores_everything_and_nothing_is_asked_again(server, tmp_path):
    db, n = tmp_path / "cache.db", 300
    child = start_child(server, db, n, 1_000_000, 3600)
    assert child.wait(120) == 0, child_err(db)
    assert server.app.state.requests == n
    check_whole(stored(db))
    assert len(stored(db)) == n and resume(server, db, n) == 0


def sample(index: int) -> CachedSample:
    return CachedSample(index, "python", Generation(f"print({index})", 5, 4, 0.01, "stop"), f"print({index})",
                        "base completion", "demo/A")


META = {"backend": "openai", "model": "m", "prompt_digest": "p" * 64, "params": {"temperature": 1.0}, "seed": 0}


def test_save_waits_once_the_window_is_unwritten_and_goes_on_when_the_store_frees(tmp_path):
    db = tmp_path / "cache.db"
    with Store(db) as store, StoreCache(store, window=4, flush_seconds=0.01) as cache:
        cache.load("k")  # the file exists and is migrated
        holder = sqlite3.connect(db, isolation_level=None, timeout=60)
        holder.execute("BEGIN IMMEDIATE")  # another process writing: the writer cannot commit
        for i in range(4):
            cache.save("k", META, sample(i))  # within the window: returns at once
        fifth = threading.Thread(target=cache.save, args=("k", META, sample(4)))
        fifth.start()
        fifth.join(0.5)
        assert fifth.is_alive(), "save went past the window while nothing could be written"
        holder.execute("ROLLBACK")
        fifth.join(30)
        assert not fifth.is_alive()
        assert sorted(cache.load("k")) == [0, 1, 2, 3, 4]
        holder.close()


def test_batches_are_stored_whole_and_a_sample_saved_twice_is_kept_once(db_url):
    with Store(db_url) as store:
        with StoreCache(store, window=16) as cache:
            for i in list(range(40)) + [3, 7]:
                cache.save("k", META, sample(i))
            cache.save("other", META, sample(0))
        cache = StoreCache(store)
        assert sorted(cache.load("k")) == list(range(40)) and cache.count() == 41
        assert cache.load("k")[7] == sample(7)


def test_a_writer_that_cannot_write_stops_the_draw_with_its_error(tmp_path):
    db = tmp_path / "cache.db"
    with Store(db) as store:
        cache = StoreCache(store, window=2, flush_seconds=0.01)
        cache.load("k")
        with sqlite3.connect(db) as conn:
            conn.execute("DROP TABLE generations")
        cache.save("k", META, sample(0))
        with pytest.raises(Exception, match="generations"):
            for i in range(1, 50):  # the writer's failure reaches the next save (or the flush)
                cache.save("k", META, sample(i))
            cache.flush()
        with pytest.raises(Exception, match="generations"):
            cache.close()
