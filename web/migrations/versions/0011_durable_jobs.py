"""Durable jobs: export jobs, leases and heartbeats, one open job per identical upload.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

Issue 15 (ready for the open internet), findings 5 and 6 (web/services/jobs.py):

- ``import_jobs`` gains ``upload_sha256`` (an identical upload while the job is
  open joins it: a unique index on ``(user_id, upload_sha256)`` over the open
  jobs), ``lease_owner``/``lease_until`` (the worker running it and its
  heartbeat; a running job past its lease lost its worker and is resumed or
  failed) and ``attempts``.
- ``export_jobs``: workbooks made in the background (the advisor's results
  workbook), kept for their owner until ``expires_at``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
OPEN_JOB = "status IN ('queued', 'running')"


def upgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("upload_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "lease_owner",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_index(
        "uq_import_jobs_open_upload",
        "import_jobs",
        ["user_id", "upload_sha256"],
        unique=True,
        sqlite_where=sa.text(OPEN_JOB),
        postgresql_where=sa.text(OPEN_JOB),
    )
    op.create_index("ix_import_jobs_status_lease", "import_jobs", ["status", "lease_until"])

    op.create_table(
        "export_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("params", JSON_DOC, nullable=False),
        sa.Column("params_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("result", sa.LargeBinary(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_export_jobs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_export_jobs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_jobs")),
    )
    op.create_index(op.f("ix_export_jobs_user_id"), "export_jobs", ["user_id"], unique=False)
    op.create_index(
        "uq_export_jobs_open_params",
        "export_jobs",
        ["user_id", "params_key"],
        unique=True,
        sqlite_where=sa.text(OPEN_JOB),
        postgresql_where=sa.text(OPEN_JOB),
    )
    op.create_index("ix_export_jobs_status_lease", "export_jobs", ["status", "lease_until"])


def downgrade() -> None:
    op.drop_index("ix_export_jobs_status_lease", table_name="export_jobs")
    op.drop_index("uq_export_jobs_open_params", table_name="export_jobs")
    op.drop_index(op.f("ix_export_jobs_user_id"), table_name="export_jobs")
    op.drop_table("export_jobs")
    op.drop_index("ix_import_jobs_status_lease", table_name="import_jobs")
    op.drop_index("uq_import_jobs_open_upload", table_name="import_jobs")
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_column("attempts")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("lease_owner")
        batch_op.drop_column("upload_sha256")
