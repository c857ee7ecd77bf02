"""csim's SQL store: solver versions, contests, runs, submissions, results and rating estimates.

`Store(db)` opens a SQLite file (a path) or any SQLAlchemy URL (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test) and migrates its schema to the latest
revision shipped in simulator/store/migrations.
"""

from simulator.store.engine import database_url
from simulator.store.store import SolverIdentity, Store

__all__ = ["Store", "SolverIdentity", "database_url"]
