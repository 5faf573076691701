"""content fingerprints: HTML links' baselines cleared, to be taken again as fingerprints of text

Revision ID: 0008_fingerprints
Revises: 0007_evfiles
Create Date: 2026-12-03 09:45:00

Link checks used to compare the SHA-256 of a page's raw bytes; they now compare a content
fingerprint (`assess/fingerprint.py`): for HTML, the SHA-256 of the page's visible text. A
baseline of the old kind can never equal a fingerprint of the new, so every HTML link would show
"changed" once after the upgrade. Its baseline (and its last fingerprint, of the old kind too) is
cleared instead: the next check that finds the page working takes its fingerprint as the baseline
and finds it "ok". The raw bytes are not kept, so the old digests cannot be converted.

A link already flagged "changed" keeps its flag and its digests: the change may be real, so a
person looks at it and marks it as checked (which takes the fingerprint of the next check as the
baseline). The price: a page that changed between its last check and the upgrade is not
flagged. PDFs and other types keep their baselines: their fingerprint is still
the raw SHA-256. Archived copies are untouched: their `sha256` stays the raw digest of the stored
bytes (integrity).

Downgrade clears the same rows, for the same reason the other way round: the older code then
takes the raw digest of its next check as the baseline.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_fingerprints"
down_revision = "0007_evfiles"
branch_labels = None
depends_on = None

# As `assess.fingerprint.HTML_TYPES` when this was written (a migration keeps its own copy).
HTML_TYPES = ("text/html", "application/xhtml+xml")
link_check = sa.table(
    "link_check",
    sa.column("content_type", sa.String),
    sa.column("sha256", sa.String),
    sa.column("baseline_sha256", sa.String),
    sa.column("state", sa.String),
)


def _clear_html_fingerprints() -> None:
    # The whole header is stored: "text/html; charset=utf-8".
    declared = sa.func.lower(sa.func.trim(link_check.c.content_type))
    op.execute(
        link_check.update()
        .where(sa.or_(*(declared.like(f"{media_type}%") for media_type in HTML_TYPES)))
        .where(link_check.c.state != "changed")
        .values(baseline_sha256="", sha256="")
    )


def upgrade() -> None:  # "changed" rows are left for a person: see above
    _clear_html_fingerprints()


def downgrade() -> None:
    _clear_html_fingerprints()
