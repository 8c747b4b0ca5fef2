"""Alembic environment for farmcalc's web database.

The URL comes from ``config.attributes["database_url"]`` (set by
``web.store.db.alembic_config``, used by ``farmcalc db upgrade``, ``farmcalc serve``
and the tests), else from the environment variable ``DATABASE_URL``, else the
default SQLite file ``instance/farmcalc.sqlite``. The target metadata is
``SQLModel.metadata`` with every table of ``web.store.models``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

import web.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from web.config import default_database_url
from web.store.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def database_url():
    return (
        config.attributes.get("database_url")
        or os.environ.get("DATABASE_URL")
        or default_database_url()
    )


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(database_url(), poolclass=NullPool)
    with engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        if is_sqlite:
            # batch mode copies tables; foreign keys would cascade on the copy
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=is_sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
