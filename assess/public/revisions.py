"""The framework's public history: every approved change to an indicator's text (the
methodology changes page), and each revision's full text at its own permanent address, which a
published finding links to as the definition it was assessed under."""

from flask import abort, render_template

from ..i18n import indicator_shown
from ..models.framework import TEXT_FIELDS
from ..queries import framework as queries
from ..queries import public


def methodology_changes():
    changes = [c for c in queries.changes() if c.previous or c.revision.created_by_id is not None]
    return render_template("public/methodology_changes.html", changes=changes)


def indicator_revision(slug: str, number: int):
    indicator = public.indicator_by_slug(slug)
    if indicator is None:
        abort(404)
    revisions = queries.revisions_of(indicator)
    position = next((n for n, r in enumerate(revisions) if r.number == number), None)
    if position is None:
        abort(404)
    revision = revisions[position]
    later = revisions[position + 1] if position + 1 < len(revisions) else None
    texts = {
        name: indicator_shown(revision.translations, name, getattr(revision, name) or "")
        for name in TEXT_FIELDS
    }
    return render_template(
        "public/indicator_revision.html",
        indicator=indicator,
        revision=revision,
        later=later,
        revisions=revisions,
        texts=texts,
    )


def definition_changed(revision, indicator) -> bool:
    """Whether the wording in force now differs from the one `revision` holds (a new
    translation alone changes nothing a finding rests on)."""
    return any(getattr(revision, n) != getattr(indicator, n) for n in TEXT_FIELDS)
