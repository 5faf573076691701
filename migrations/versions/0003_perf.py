"""indexes for the public freshness check and object histories; drop indexes others cover

Revision ID: 0003_perf
Revises: 0002_queues
Create Date: 2026-12-05 10:00:00

Added: max(assessment.public_updated_at) is read by every public request (the revision behind
ETag and Last-Modified); a version's review thread and last save, and a user's history, look
audit events up by (object_type, object_id).

Dropped: single-column indexes whose column leads a composite index or unique constraint that
already serves every lookup by it; each costs a write per row and buys no plan.
"""

from alembic import op

revision = "0003_perf"
down_revision = "0002_queues"
branch_labels = None
depends_on = None

ADDED = [
    ("assessment", "ix_assessment_public_updated_at", ["public_updated_at"]),
    ("audit_event", "ix_audit_event_object_type_object_id", ["object_type", "object_id"]),
]
# (table, index, columns), each with the index or constraint that covers it
REDUNDANT = [
    ("audit_event", "ix_audit_event_actor_id", ["actor_id"]),  # ix_audit_event_actor_id_at
    ("audit_event", "ix_audit_event_country_id", ["country_id"]),  # ix_audit_event_country_id_at
    ("audit_event", "ix_audit_event_action", ["action"]),  # ix_audit_event_action_at
    ("notification", "ix_notification_user_id", ["user_id"]),  # ix_notification_user_id_read
    ("role_grant", "ix_role_grant_user_id", ["user_id"]),  # uq_role_grant_user_id
]


def upgrade():
    for table, name, columns in ADDED:
        op.create_index(name, table, columns, unique=False)
    for table, name, _columns in REDUNDANT:
        op.drop_index(name, table_name=table)


def downgrade():
    for table, name, columns in reversed(REDUNDANT):
        op.create_index(name, table, columns, unique=False)
    for table, name, _columns in reversed(ADDED):
        op.drop_index(name, table_name=table)
