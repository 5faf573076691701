"""notifications stored as a message key and parameters; each user's language and time zone

Revision ID: 0004_rtl
Revises: 0004_research_search
Create Date: 2026-12-02 00:20:00

A notification was stored as a finished sentence in the site's language; it now also keeps the
key of its message and the names it mentions, and is rendered in the reader's language when read
(`assess/messages.py`). Rows written before keep their sentence and are shown as they are.
A user's language (for e-mail) and time zone (for staff times) are new account settings; empty
means the site's language and the browser's zone, or UTC.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_rtl"
down_revision = "0004_research_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("key", sa.String(60), nullable=True))
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=False, server_default=""))
        batch.add_column(sa.Column("time_zone", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("language")
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("params")
        batch.drop_column("key")
