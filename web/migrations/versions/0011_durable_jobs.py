"""Durable jobs: export jobs, heartbeats, clean-up.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

Issue 15 (ready for the open internet). Filled in by its part.
"""

from collections.abc import Sequence

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
