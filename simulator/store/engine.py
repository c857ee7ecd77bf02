"""Engines for the two databases csim supports: a SQLite file (the default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from contests.errors import DataError

SQLITE_BUSY_SECONDS = 60  # how long a writer waits for another process's transaction to finish


def database_url(db: str | Path) -> str:
    """A SQLAlchemy URL from what a user typed: a URL, or a path to a SQLite file."""
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def masked_url(url: str) -> str:
    """A database URL as csim prints it: the password replaced by ***."""
    if "://" not in url:
        return url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL sqlalchemy can read: show nothing that might be a password
        return url.split("://", 1)[0] + "://..."


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception:  # sqlalchemy raises ArgumentError with a long message, the URL in it
        raise DataError(masked_url(url), None, "not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        _sqlite_write_locks(engine)
        return engine
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise DataError(masked_url(url), None, f"unsupported database {backend!r}: use a SQLite path or postgresql+psycopg://...")


def _sqlite_write_locks(engine: Engine) -> None:
    """Make every SQLite transaction take the write lock when it begins (BEGIN IMMEDIATE).

    pysqlite begins transactions lazily, so two processes that each read and then write would
    deadlock on the lock upgrade and one would fail at once with "database is locked" instead of
    waiting; taking the lock up front makes the busy timeout apply. This is SQLAlchemy's
    documented recipe for pysqlite transactions. WAL lets readers of other connections go on;
    with WAL, synchronous=NORMAL still keeps every committed transaction when the process is
    killed (only an OS crash or power cut may lose the last few), at a third less time per commit.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event emit BEGIN itself
        cursor = dbapi_connection.cursor()
        _set_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _set_wal(cursor) -> None:
    """Switch the file to WAL (it stays so: later connections find it done). Switching needs the
    exclusive lock and SQLite answers "database is locked" at once, without its busy timeout,
    when another process holds a lock meanwhile (two replays opening a fresh database): try
    again until the timeout."""
    import sqlite3
    import time

    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
