"""Keep an upload that waits for confirmation: import_jobs.upload and .removals.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

A workbook that would remove stored rows (a farm's animals, crops or changes
of land use that it has no rows for) is refused; the job keeps the uploaded
file (``upload``) and the keys of the removals it listed (``removals``) so
that its uploader can confirm the replacement on the job page without
uploading again (web/views/imports.py). The file is cleared when it is imported.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.add_column("import_jobs", sa.Column("upload", sa.LargeBinary(), nullable=True))
    op.add_column(
        "import_jobs",
        sa.Column("removals", JSON_DOC, nullable=False, server_default="[]"),
    )


def downgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_column("removals")
        batch_op.drop_column("upload")
