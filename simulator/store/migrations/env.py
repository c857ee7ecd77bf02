"""Alembic environment for csim's store. Run programmatically by simulator.store.migrate, which
hands over an open connection inside a transaction (config.attributes["connection"]); no
alembic.ini is needed."""

from alembic import context

from simulator.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("csim's migrations run through simulator.store.migrate.upgrade(), with a connection")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
