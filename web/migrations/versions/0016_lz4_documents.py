"""PostgreSQL: the farm-years' JSON documents compressed with LZ4 instead of pglz.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

Issue 12 (the stored import): a result document is ~7.5 KB of JSON, stored out of
line ("TOAST") and compressed. PostgreSQL's default compression, pglz, made
writing 10,000 results take about twice as long as LZ4 does (a ``COPY`` of 75 MB
of results into a ``jsonb`` column: 4.0–4.3 s with pglz, 2.1 s with LZ4, measured
on the CI machine's PostgreSQL 15). ``SET COMPRESSION`` changes how new values
are stored; stored ones stay as they are and read the same. A server built without
LZ4 support keeps pglz (the statement is skipped, logged). SQLite: nothing to do.

Downgrade: back to the server's default compression for new values.
"""

import logging
from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("record", "result")
log = logging.getLogger("alembic.runtime.migration")


def _has_lz4(bind) -> bool:
    """Whether the server accepts LZ4 (``default_toast_compression`` lists it)."""
    row = bind.exec_driver_sql(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
    ).first()
    return row is not None and "lz4" in (row[0] or [])


def _set(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if method == "lz4" and not _has_lz4(bind):
        log.warning("PostgreSQL has no LZ4: the farm-years' documents stay compressed by pglz")
        return
    for column in COLUMNS:
        op.execute(f"ALTER TABLE farm_years ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("default")
