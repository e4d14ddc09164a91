"""Alembic environment: the engine comes from transitguard (config.attributes), never from a file."""

from __future__ import annotations

from alembic import context

from transitguard.adapters.store.tables import metadata

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
