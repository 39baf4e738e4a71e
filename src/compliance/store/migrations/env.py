"""Alembic environment of the store.

At run time ``compliance.store.migrate`` passes an open connection (already in a write
transaction) in ``config.attributes["connection"]``; a developer drafting a revision
passes ``sqlalchemy.url`` instead.
"""

from alembic import context
from sqlalchemy import create_engine

from compliance.store.models import Base

config = context.config
OPTIONS = {
    "target_metadata": Base.metadata,
    "render_as_batch": True,  # SQLite can ALTER only by copying the table
    "compare_type": True,
}


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as own:
        context.configure(connection=own, **OPTIONS)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
