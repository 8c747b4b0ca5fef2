"""Add farm_invitations: an advisor hands a farm it created to the farmer.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04

Issue 14: one row per invitation (web/store/models.py ``FarmInvitation``,
web/services/handover.py): the farm, who invited, the invited e-mail address,
the SHA-256 of the link's token (unique), when it expires and when (and by whom)
it was accepted. Made with ``farmcalc db revision`` and reviewed. Downgrade
drops the table (open invitations are lost; handed-over farms stay with their
new owners).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "farm_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("farm_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["users.id"],
            name=op.f("fk_farm_invitations_accepted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["farm_id"],
            ["farms.id"],
            name=op.f("fk_farm_invitations_farm_id_farms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_farm_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_farm_invitations")),
    )
    with op.batch_alter_table("farm_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_farm_invitations_farm_id"), ["farm_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_farm_invitations_token_hash"), ["token_hash"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("farm_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_farm_invitations_token_hash"))
        batch_op.drop_index(batch_op.f("ix_farm_invitations_farm_id"))

    op.drop_table("farm_invitations")
