"""indexes for the queues, the coverage matrix, notifications and the audit log

Revision ID: 0002_queues
Revises: 0002_security
Create Date: 2026-11-28 11:00:00

"""

from alembic import op

revision = "0002_queues"
down_revision = "0002_security"
branch_labels = None
depends_on = None

INDEXES = [
    ("version", "ix_version_assessment_id_state", ["assessment_id", "state"]),
    ("audit_event", "ix_audit_event_actor_id_at", ["actor_id", "at"]),
    ("audit_event", "ix_audit_event_country_id_at", ["country_id", "at"]),
    ("audit_event", "ix_audit_event_action_at", ["action", "at"]),
    ("notification", "ix_notification_user_id_read", ["user_id", "read"]),
]


def upgrade():
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
