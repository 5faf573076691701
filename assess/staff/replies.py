"""Replies from organisations: entered by the country's staff, reviewed with four eyes, shown
beside the assessment once approved (`services/replies.py`)."""

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField

from ..models import Indicator, Reply
from ..queries import public as public_queries
from ..queries import talkback as queries
from ..queries.staff import country_or_404
from ..rendering import REPLY_ROLES
from ..services import replies
from ..services.errors import NotFound, ServiceError, ValidationError
from ..workflow import EDITABLE_STATES, Action, State
from .blueprint import bp
from .forms import choice
from .responses import status_for


class ReplyForm(FlaskForm):
    organisation = StringField(_l("Organisation"))
    role = RadioField(
        _l("Its role"), choices=[choice(value, label) for value, label in REPLY_ROLES.items()]
    )
    received_on = StringField(_l("Date received"), render_kw={"type": "date"})
    language = StringField(_l("Language of the reply (e.g. en, fr, ru)"))
    text = TextAreaField(_l("The reply, as the organisation wrote it (Markdown)"))
    url = StringField(_l("Web address of the reply (optional)"), render_kw={"type": "url"})


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("Comment"))


def _input(form: ReplyForm) -> replies.ReplyInput:
    return replies.ReplyInput(
        organisation=form.organisation.data or "",
        role=form.role.data or "",
        text=form.text.data or "",
        language=form.language.data or "",
        received_on=form.received_on.data or "",
        url=form.url.data or "",
    )


def _place_errors(form, error: ValidationError) -> None:
    for name, messages in error.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *messages]


@bp.get("/replies")
@login_required
def reply_list():
    under_way, decided = queries.staff_replies(current_user)
    return render_template("staff/replies.html", under_way=under_way, decided=decided)


def _assessment_or_404(iso2: str, slug: str) -> tuple:
    country = country_or_404(current_user, iso2)
    indicator = public_queries.indicator_by_slug(slug)
    if not isinstance(indicator, Indicator) or indicator.is_retired:
        abort(404)
    return country, indicator


@bp.route("/countries/<iso2>/<slug>/reply", methods=["GET", "POST"])
@login_required
def reply_new(iso2: str, slug: str):
    country, indicator = _assessment_or_404(iso2, slug)
    form = ReplyForm()
    status = 200
    if request.method == "GET":
        form.role.data = form.role.data or "government"
        form.language.data = form.language.data or ""
    else:
        try:
            reply = replies.propose(
                current_user,
                country.id,
                indicator.id,
                _input(form),
                submit="submit" in request.form,
            )
        except ValidationError as error:
            _place_errors(form, error)
            status = 422
        except ServiceError as error:
            flash(str(error), "error")
            status = status_for(error)
        else:
            flash(_("The reply is saved. Nothing is public until a supervisor approves it."))
            return redirect(url_for("staff.reply", reply_id=reply.id), 303)
    if status == 200:
        try:
            replies.check_start(current_user, country.id)
        except ServiceError as error:
            flash(str(error), "error")
            status = status_for(error)
    return (
        render_template("staff/reply_form.html", country=country, indicator=indicator, form=form),
        status,
    )


def _reply_or_404(reply_id: int) -> Reply:
    try:
        return replies.get(current_user, reply_id)
    except NotFound:
        abort(404)


def render_reply(reply_id: int, form: ReplyForm | None = None, status: int = 200, **context):
    reply = _reply_or_404(reply_id)
    actions = replies.actions_for(current_user, reply)
    editable = State(reply.state) in EDITABLE_STATES and Action.SAVE in actions
    if form is None and editable:
        form = ReplyForm(obj=reply)
        form.received_on.data = reply.received_on.isoformat()
    context.setdefault("decision_form", DecisionForm())
    return (
        render_template(
            "staff/reply.html",
            reply=reply,
            form=form if editable else None,
            actions={action.value for action in actions},
            **context,
        ),
        status,
    )


@bp.get("/replies/<int:reply_id>")
@login_required
def reply(reply_id: int):
    return render_reply(reply_id)


@bp.post("/replies/<int:reply_id>/save")
@login_required
def reply_save(reply_id: int):
    form = ReplyForm()
    try:
        replies.update(current_user, reply_id, _input(form), submit="submit" in request.form)
    except ValidationError as error:
        _place_errors(form, error)
        return render_reply(reply_id, form, 422)
    except ServiceError as error:
        flash(str(error), "error")
        return render_reply(reply_id, form, status_for(error))
    flash(_("Saved."))
    return redirect(url_for("staff.reply", reply_id=reply_id), 303)


# URL word -> (use case, whether it takes the comment, what the flash says)
_ACTIONS: dict[str, tuple[Callable[..., Reply], bool, LazyString]] = {
    "submit": (replies.submit, False, _l("Submitted for review.")),
    "withdraw": (replies.withdraw, False, _l("Withdrawn from review: it is a draft again.")),
    "discard": (replies.discard, False, _l("The reply was discarded.")),
    "approve": (
        replies.approve,
        True,
        _l("Approved: the reply is shown beside the assessment on the public site."),
    ),
    "request-changes": (replies.request_changes, True, _l("Returned for changes.")),
    "reject": (replies.reject, True, _l("The reply was rejected.")),
    "retract": (replies.retract, True, _l("The reply was taken off the public site.")),
}


def _act(reply_id: int, word: str):
    use_case, takes_comment, done = _ACTIONS[word]
    form = DecisionForm()
    try:
        if takes_comment:
            use_case(current_user, reply_id, form.comment.data or "")
        else:
            use_case(current_user, reply_id)
    except ValidationError as error:
        form.comment.errors = list(error.errors.get("comment", [str(error)]))
        return render_reply(reply_id, status=422, decision_form=form, message=str(error))
    except ServiceError as error:
        return render_reply(reply_id, status=status_for(error), message=str(error))
    flash(str(done))
    return redirect(url_for("staff.reply", reply_id=reply_id), 303)


def _action_view(word: str):
    @login_required
    def view(reply_id: int):
        return _act(reply_id, word)

    view.__name__ = f"reply_{word.replace('-', '_')}"
    return view


for _word in _ACTIONS:
    bp.add_url_rule(
        f"/replies/<int:reply_id>/{_word}",
        endpoint=f"reply_{_word.replace('-', '_')}",
        view_func=_action_view(_word),
        methods=["POST"],
    )
