"""an index for the public revision's audited part

Revision ID: 0004_public_revision
Revises: 0003_perf
Create Date: 2026-12-01 23:50:00

The public revision (behind every public page's ETag) reads the latest audited change of the
object types the public sees (indicators, profile content), not of every audit event: a staff
sign-in must not make the public pages render again. A partial index holds just those events,
whatever the number of sign-ins and reviews audited since, and serves no other query.
"""

import sqlalchemy as sa
from alembic import op

# As in assess/models/audit.py when this was written (a migration keeps its own copy).
PUBLIC_TYPES_SQL = "object_type IN ('indicator', 'member', 'fact', 'resource', 'newsitem')"

revision = "0004_public_revision"
down_revision = "0003_perf"
branch_labels = None
depends_on = None


def upgrade():
    where = sa.text(PUBLIC_TYPES_SQL)
    op.create_index(
        "ix_audit_event_public_at",
        "audit_event",
        ["at"],
        sqlite_where=where,
        postgresql_where=where,
    )


def downgrade():
    op.drop_index("ix_audit_event_public_at", table_name="audit_event")
