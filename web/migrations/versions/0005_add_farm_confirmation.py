"""Add the farm's confirmation and the advisors the municipality trusts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Only farms the municipality has confirmed (``farms.confirmation =
'confirmed'``) count in its figures (web/store/totals_query.py, docs/municipality.md
"Who counts"). Farms that exist already become ``pending``: the municipality
confirms them on its register (web/views/confirmations.py). ``advisor_trust``
names the advisors it lets confirm farms too.

A trigger makes a farm ``pending`` again whenever its code, municipality or
owner changes, whatever writes the change (the ORM, a Core UPDATE, plain
SQL). On SQLite a later ``batch_alter_table("farms")`` that copies the table
drops the trigger: such a migration must create it again
(:func:`create_reconfirm_trigger`); tests/web/test_web_confirmation.py fails
without it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER = "farms_reconfirm"

SQLITE_TRIGGER = f"""
CREATE TRIGGER {TRIGGER} AFTER UPDATE OF farm_code, municipality_code, owner_id ON farms
FOR EACH ROW
WHEN OLD.farm_code IS NOT NEW.farm_code
  OR OLD.municipality_code IS NOT NEW.municipality_code
  OR OLD.owner_id IS NOT NEW.owner_id
BEGIN
  UPDATE farms SET confirmation = 'pending', confirmed_by_id = NULL, confirmed_at = NULL
  WHERE id = NEW.id;
END
"""

POSTGRES_FUNCTION = f"""
CREATE FUNCTION {TRIGGER}() RETURNS trigger AS $$
BEGIN
  IF NEW.farm_code IS DISTINCT FROM OLD.farm_code
     OR NEW.municipality_code IS DISTINCT FROM OLD.municipality_code
     OR NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
    NEW.confirmation := 'pending';
    NEW.confirmed_by_id := NULL;
    NEW.confirmed_at := NULL;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

POSTGRES_TRIGGER = f"""
CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON farms
FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()
"""


def create_reconfirm_trigger() -> None:
    """The trigger that makes a changed farm pending (SQLite or PostgreSQL)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def drop_reconfirm_trigger() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON farms")
        op.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


def upgrade() -> None:
    with op.batch_alter_table("farms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "confirmation",
                sa.String(length=16),
                server_default="pending",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_farms_confirmed_by_id_users"),
            "users",
            ["confirmed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            op.f("ck_farms_confirmation"), "confirmation IN ('pending', 'confirmed', 'rejected')"
        )
        batch_op.create_index(
            "ix_farms_municipality_code_confirmation",
            ["municipality_code", "confirmation"],
            unique=False,
        )
    create_reconfirm_trigger()
    op.create_table(
        "advisor_trust",
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advisor_id"],
            ["users.id"],
            name=op.f("fk_advisor_trust_advisor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["users.id"],
            name=op.f("fk_advisor_trust_granted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("advisor_id", "municipality_code", name=op.f("pk_advisor_trust")),
    )


def downgrade() -> None:
    op.drop_table("advisor_trust")
    drop_reconfirm_trigger()
    with op.batch_alter_table("farms", schema=None) as batch_op:
        batch_op.drop_index("ix_farms_municipality_code_confirmation")
        batch_op.drop_constraint(op.f("ck_farms_confirmation"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_farms_confirmed_by_id_users"), type_="foreignkey")
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("confirmed_by_id")
        batch_op.drop_column("confirmation")
