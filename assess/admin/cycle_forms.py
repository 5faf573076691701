"""The forms of the review cycles' pages (`admin/cycles.py`)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class NewCycleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    countries = StringField(_l("Countries"), validators=[Length(max=2000)])
    # Rendered by the template, with each indicator's title in the page's language; checked by
    # `services.cycles.open_cycle`.
    indicators = SelectMultipleField(_l("Indicators"), coerce=int, validate_choice=False)
    assignments = TextAreaField(_l("Who is assigned"), validators=[Length(max=20000)])


class AssignForm(FlaskForm):
    # Choices are set by the view: the cycle's countries, the reviewers who may be assigned.
    country = SelectField(_l("Country"), coerce=int, choices=[], validate_choice=False)
    reviewer = SelectField(_l("Reviewer"), coerce=int, choices=[], validate_choice=False)
