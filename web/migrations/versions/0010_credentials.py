"""Credentials: session and token expiry, two-factor sign-in.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

Issue 15 (ready for the open internet). Filled in by its part.
"""

from collections.abc import Sequence

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
