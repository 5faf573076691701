from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

ROLE_CHOICES = [
    SelectChoice("reviewer", _l("Reviewer")),
    SelectChoice("supervisor", _l("Supervisor")),
    SelectChoice("admin", _l("Administrator")),
    SelectChoice("translator", _l("Translator")),
]


# Where a role is given: no default, so that "all countries" is always chosen on purpose.
SCOPE_CHOICES = [
    SelectChoice("all", _l("All countries, including any added later")),
    SelectChoice("listed", _l("Only the countries listed below")),
]


def scope_field() -> RadioField:
    # Checked by `services.grants.countries_for_scope`, with a message saying what to choose.
    return RadioField(_l("Where"), choices=SCOPE_CHOICES, validate_choice=False)


class NewUserForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    scope = scope_field()
    countries = StringField(_l("Countries"), validators=[Optional(), Length(max=1000)])
    mode = RadioField(
        _l("How does the user get a password?"),
        choices=[
            SelectChoice(
                "invite", _l("Send an invitation by e-mail (the user chooses a password)")
            ),
            SelectChoice("create", _l("Set a password now and tell the user yourself")),
        ],
        default="invite",
    )
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=128)])


class GrantForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    scope = scope_field()
    countries = StringField(_l("Countries"), validators=[Optional(), Length(max=1000)])


class IndicatorForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Slug (part of its web address)"), validators=[Length(max=80)])
    definition = TextAreaField(_l("Definition: what it measures and why it matters"))
    rubric_yes = TextAreaField(_l("What “Yes” means"))
    rubric_partial = TextAreaField(_l("What “Partial” means"))
    rubric_no = TextAreaField(_l("What “No” means"))


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    url = StringField(_l("Web address"), validators=[Length(max=500)])
    email = StringField(_l("Contact e-mail address"), validators=[Length(max=254)])
    phone = StringField(_l("Telephone"), validators=[Length(max=50)])
    address = StringField(_l("Postal address"), validators=[Length(max=500)])


class FactForm(FlaskForm):
    text = TextAreaField(_l("Fact"), validators=[DataRequired(), Length(max=5000)])


class ResourceForm(FlaskForm):
    publisher = StringField(_l("Publisher"), validators=[Length(max=200)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(1000, 2999)])
    url = StringField(_l("Web address"), validators=[Length(max=500)])
    file = FileField(_l("File"))
    keep_file = HiddenField()


class NewsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    published_on = DateField(_l("Date"), validators=[DataRequired()])
    body = TextAreaField(_l("Text"), validators=[Length(max=20000)])
    url = StringField(_l("Web address"), validators=[Length(max=500)])


PROFILE_FORMS: dict[str, Any] = {
    "member": MemberForm,
    "fact": FactForm,
    "resource": ResourceForm,
    "news": NewsForm,
}


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])


class RejectForm(FlaskForm):
    """Rejecting has a reason box of its own, apart from the shared comment (posted as `comment`)."""

    comment = TextAreaField(
        _l("Reason for rejecting"), id="reject-comment", validators=[Length(max=2000)]
    )


class ImportForm(FlaskForm):
    file = FileField(_l("File (spreadsheet, CSV or JSON)"))


class ImportCommitForm(FlaskForm):
    content = HiddenField()
    name = HiddenField()


class PreferencesForm(FlaskForm):
    email_notifications = BooleanField(_l("Send me e-mail about my work (reviews, returns)"))
    email_digest = BooleanField(_l("As one daily summary, instead of one e-mail per event"))
    # Choices are set by the view: the site's languages, the time zones.
    language = SelectField(_l("Language of your e-mails"), choices=[])
    time_zone = SelectField(_l("Time zone of the times on staff pages"), choices=[])


class SetPasswordForm(FlaskForm):
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=12, max=128)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ."))],
    )


class TranslationForm(FlaskForm):
    """One language's translation of an indicator's text; every field may stay empty."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    definition = TextAreaField(_l("Definition: what it measures and why it matters"))
    rubric_yes = TextAreaField(_l("What “Yes” means"))
    rubric_partial = TextAreaField(_l("What “Partial” means"))
    rubric_no = TextAreaField(_l("What “No” means"))
    row_version = HiddenField()


class RevisionForm(TranslationForm):
    """An indicator's source text, as a revision proposes it: the same fields, a title required."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])


class ContentTranslationForm(FlaskForm):
    """One language's translation of a profile item: only its kind's fields are shown."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    text = TextAreaField(_l("Text"), validators=[Optional(), Length(max=5000)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=20000)])
