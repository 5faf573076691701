"""evidence files: a source may carry an uploaded copy of its document

Revision ID: 0007_evfiles
Revises: 0006_evidence
Create Date: 2026-12-02 14:30:00

Five nullable columns on `source`: the stored name of the file in the uploads storage, the name
it was uploaded under, its SHA-256, size and content type.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_evfiles"
down_revision = "0006_evidence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("file_stored_name", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("file_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("file_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("file_size", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("file_content_type", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.drop_column("file_content_type")
        batch.drop_column("file_size")
        batch.drop_column("file_sha256")
        batch.drop_column("file_name")
        batch.drop_column("file_stored_name")
