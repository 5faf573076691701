"""The framework under review: what awaits review, each language's translation of the indicator
texts, a translator's form, and one revision with its differences and the decisions on it."""

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import translated
from ..extensions import db
from ..i18n import reference_text
from ..models import Indicator, IndicatorRevision
from ..models.framework import TEXT_FIELDS
from ..services import framework_revisions
from ..services.errors import ValidationError
from ..services.permissions import is_admin, is_translator, may_read
from ..workflow import DECISIONS
from .blueprint import bp
from .common import apply_errors, decide, refusals
from .forms import CommentForm, RejectForm, TranslationForm

REVISION_ACTIONS = "submit, withdraw, discard, approve, request_changes, reject"


def _may_read() -> None:
    if not may_read(current_user, IndicatorRevision, None):
        abort(403)


def propose_from_form(
    form, indicator_id: int, scope: str, back: str, confirmed: frozenset[str] = frozenset()
) -> IndicatorRevision | None:
    """Save the posted texts into the open revision of `scope` (started if none), submitting it
    when asked; None when the service refused, with its errors on the form."""
    row_version = int(form.row_version.data) if (form.row_version.data or "").isdigit() else None
    data = framework_revisions.RevisionInput(
        {name: form[name].data or "" for name in TEXT_FIELDS}, row_version, confirmed
    )
    try:
        with refusals(back, form=True):
            return framework_revisions.propose(
                current_user,
                indicator_id,
                scope,
                data,
                submit=request.form.get("then") == "submit",
            )
    except ValidationError as error:
        apply_errors(form, error)
    return None


def _may_translate() -> bool:
    return is_admin(current_user) or is_translator(current_user, None)


@dataclass(frozen=True)
class Coverage:
    """How much of one indicator's text one language has, current or not."""

    current: int
    outdated: int
    missing: int


def coverage(indicator: Indicator, language: str) -> Coverage:
    counts = dict.fromkeys(translated.Standing, 0)
    for name in TEXT_FIELDS:
        source = getattr(indicator, name) or ""
        if source:
            counts[translated.standing(indicator.translations, language, name, source)] += 1
    return Coverage(*(counts[s] for s in translated.Standing))


@bp.route("/framework/")
def framework_overview():
    _may_read()
    indicators = list(
        db.session.scalars(
            select(Indicator).where(Indicator.retired_at.is_(None)).order_by(Indicator.position)
        )
    )
    languages = framework_revisions.translation_languages()
    return render_template(
        "admin/framework.html",
        indicators=indicators,
        languages=languages,
        coverage={(i.id, lang): coverage(i, lang) for i in indicators for lang in languages},
        open_revisions=framework_revisions.open_by_indicator(),
        may_translate=_may_translate(),
    )


def _prefilled(indicator: Indicator, language: str) -> dict[str, str]:
    """What a new translation starts from: the approved one, else the interface catalogue's for
    a seeded text (the default framework is translated there)."""
    from flask_babel import force_locale

    values = {}
    for name in TEXT_FIELDS:
        found = translated.entry(indicator.translations, language, name).get("text")
        if not found and getattr(indicator, name):
            with force_locale(language):
                candidate = reference_text(getattr(indicator, name))
            found = candidate if candidate != getattr(indicator, name) else ""
        values[name] = found or ""
    return values


@bp.route("/framework/<int:indicator_id>/translate/<language>", methods=["GET", "POST"])
def indicator_translate(indicator_id: int, language: str):
    if not _may_translate():
        abort(403)
    if language not in framework_revisions.translation_languages():
        abort(404)
    indicator = db.get_or_404(Indicator, indicator_id)
    held = framework_revisions.open_revision(indicator_id, language)
    if held is not None and held.state == "submitted":
        flash(_("This translation is submitted for review; withdraw it to edit it again."), "error")
        return redirect(url_for("admin.revision_detail", revision_id=held.id), 303)
    texts_from = held.translations if held else indicator.translations
    sources = held.texts() if held else {n: getattr(indicator, n) or "" for n in TEXT_FIELDS}
    form = TranslationForm()
    if form.validate_on_submit():
        back = url_for("admin.indicator_translate", indicator_id=indicator_id, language=language)
        confirmed = frozenset(request.form.getlist("confirmed")) & set(TEXT_FIELDS)
        revision = propose_from_form(form, indicator_id, language, back, confirmed)
        if revision is not None:
            flash(_("Your translation is saved."), "success")
            return redirect(url_for("admin.revision_detail", revision_id=revision.id), 303)
    elif request.method == "GET":
        start = (
            {
                n: translated.entry(held.translations, language, n).get("text", "")
                for n in TEXT_FIELDS
            }
            if held
            else _prefilled(indicator, language)
        )
        for name, value in start.items():
            form[name].data = value
        form.row_version.data = str(held.row_version) if held else ""
    return render_template(
        "admin/framework_translate.html",
        form=form,
        indicator=indicator,
        language=language,
        held=held,
        sources=sources,
        standings={
            n: translated.standing(texts_from, language, n, sources[n]) for n in TEXT_FIELDS
        },
        previous={n: translated.entry(texts_from, language, n) for n in TEXT_FIELDS},
        from_catalogue={
            n
            for n in TEXT_FIELDS
            if held is None and not translated.entry(texts_from, language, n) and form[n].data
        },
    )


@dataclass(frozen=True)
class FieldChange:
    """One field a revision changes: its text before and as proposed (the translation, for a
    translation), the original it translates, and whether that original changed since."""

    name: str
    old: str
    new: str
    original: str = ""
    outdated: bool = False


def field_changes(revision: IndicatorRevision) -> list[FieldChange]:
    base = revision.base_revision
    changes = []
    for name in TEXT_FIELDS:
        if not revision.is_translation:
            old = getattr(base, name) if base else ""
            if base is None or old != getattr(revision, name):
                changes.append(FieldChange(name, old or "", getattr(revision, name) or ""))
            continue
        before = translated.entry(base.translations if base else None, revision.scope, name)
        mine = translated.entry(revision.translations, revision.scope, name)
        if before.get("text", "") != mine.get("text", ""):
            original = getattr(revision, name) or ""
            outdated = bool(mine) and mine.get("source") != original
            changes.append(
                FieldChange(name, before.get("text", ""), mine.get("text", ""), original, outdated)
            )
    return changes


@bp.route("/framework/revisions/<int:revision_id>")
def revision_detail(revision_id: int):
    return _revision_page(revision_id)


def _revision_page(revision_id: int, **context):
    with refusals(url_for("admin.framework_overview")):
        revision = framework_revisions.get(current_user, revision_id)
    actions = framework_revisions.actions_for(current_user, revision)
    return render_template(
        "admin/framework_revision.html",
        revision=revision,
        base=revision.base_revision,
        changes=field_changes(revision),
        actions={a.value for a in actions},
        can_decide=bool(actions & DECISIONS),
        needs_supervisor=revision.state == "submitted"
        and not framework_revisions.has_eligible_supervisor(revision),
        form=context.pop("form", CommentForm(formdata=None)),
        reject_form=context.pop("reject_form", RejectForm(formdata=None)),
        confirm_reject=context.pop("confirm_reject", False),
    )


@bp.route(
    f"/framework/revisions/<int:revision_id>/<any({REVISION_ACTIONS}):action>", methods=["POST"]
)
def revision_action(revision_id: int, action: str):
    back = url_for("admin.revision_detail", revision_id=revision_id)
    return decide(
        framework_revisions,
        revision_id,
        action,
        back,
        _revision_page,
        _(
            "Approved: the framework shows the new text, and the public methodology changes list it."
        ),
    )
