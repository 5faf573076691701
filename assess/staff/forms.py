"""The version editor's form, and the row operations that work without JavaScript.

Rows (citations, sources) travel as `citations-<i>-<field>` like WTForms' FieldList names them.
Adding, removing and moving a row rewrites the posted data and renumbers it, so that every
character typed, valid or not, comes back in the re-rendered form."""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None

from ..models import Instrument, Status
from ..rendering import STATUS_LABELS
from ..services.content import CitationInput, SourceInput, VersionContent
from .source_files import AttachedFile, attached, not_verified, token_for

MAX_ROWS = 60
NEW_INSTRUMENT = "new"
ROW_FIELDS = {
    "citations": (
        "instrument",
        "instrument_title",
        "year_adopted",
        "provision",
        "status_as_of",
        "url",
        "language",
    ),
    "sources": ("title", "publisher", "year", "url", "file_token", "remove_file"),
}
_ROW_KEY = re.compile(r"(citations|sources)-(\d{1,6})-(\w+)")
_OP = re.compile(r"(add|remove|up|down):(citations|sources)(?::(\d{1,6}))?|preview")


def choice(value: str, label) -> object:
    return SelectChoice(value, label) if SelectChoice else (value, label)


class CitationForm(Form):
    instrument = SelectField(_l("Instrument"), choices=[], validate_choice=False)
    instrument_title = StringField(_l("Title of the new instrument"))
    year_adopted = StringField(_l("Year adopted"), render_kw={"inputmode": "numeric"})
    provision = StringField(_l("Provision (e.g. Article 123)"))
    status_as_of = StringField(_l("Status as of (year)"), render_kw={"inputmode": "numeric"})
    url = StringField(_l("URL of the official text"), render_kw={"type": "url"})
    language = StringField(_l("Language (e.g. ru)"))


class SourceForm(Form):
    title = StringField(_l("Title"))
    publisher = StringField(_l("Publisher"))
    year = StringField(_l("Year"), render_kw={"inputmode": "numeric"})
    url = StringField(_l("URL"), render_kw={"type": "url"})
    # The file attached, as a signed token (`source_files.py`); a new upload replaces it.
    file_token = HiddenField()
    remove_file = BooleanField(_l("Remove the file"))
    upload = FileField(_l("File"))

    def attached(self) -> AttachedFile | None:
        return attached(self.file_token.data or "")


class VersionForm(FlaskForm):
    row_version = HiddenField()
    status = RadioField(
        _l("Finding"), choices=[choice(status.value, STATUS_LABELS[status]) for status in Status]
    )
    analysis = TextAreaField(_l("Text of the analysis (Markdown)"))
    analysis_language = StringField(_l("Language of the analysis"))
    analysis_source_title = StringField(_l("Title"))
    analysis_source_year = StringField(_l("Year"), render_kw={"inputmode": "numeric"})
    citations = FieldList(FormField(CitationForm))
    sources = FieldList(FormField(SourceForm))


@dataclass(frozen=True)
class RowOp:
    """A button press that reshapes the form: add/remove/up/down a row, or preview."""

    kind: str
    group: str = ""
    index: int = 0


def parse_op(value: str | None) -> RowOp | None:
    match = _OP.fullmatch(value or "")
    if match is None:
        return None
    if match.group(0) == "preview":
        return RowOp("preview")
    return RowOp(match.group(1), match.group(2), int(match.group(3) or 0))


def rows(formdata: MultiDict, group: str) -> list[dict[str, str]]:
    """The posted rows of one group, in index order, at most MAX_ROWS."""
    indexed: dict[int, dict[str, str]] = {}
    for key in formdata:
        match = _ROW_KEY.fullmatch(key)
        if match and match.group(1) == group and match.group(3) in ROW_FIELDS[group]:
            indexed.setdefault(int(match.group(2)), {})[match.group(3)] = formdata.get(key, "")
    return [indexed[index] for index in sorted(indexed)][:MAX_ROWS]


def _blank(row: dict[str, str]) -> bool:
    return all(not value.strip() or value == NEW_INSTRUMENT for value in row.values())


def reshape(
    formdata: MultiDict, op: RowOp | None = None, drop_blank: bool = False
) -> tuple[MultiDict, str | None]:
    """Posted data with `op` applied and rows renumbered; also the id of the control to focus."""
    single = {key: formdata.get(key, "") for key in formdata if not _ROW_KEY.fullmatch(key)}
    data = MultiDict(single)
    focus = None
    for group in ROW_FIELDS:
        group_rows = rows(formdata, group)
        if drop_blank:
            group_rows = [row for row in group_rows if not _blank(row)]
        if op and op.group == group:
            group_rows, focus = _apply_op(group_rows, op)
        for index, row in enumerate(group_rows):
            for name in ROW_FIELDS[group]:
                data[f"{group}-{index}-{name}"] = row.get(name, "")
    return data, focus


def _apply_op(group_rows: list[dict[str, str]], op: RowOp) -> tuple[list[dict[str, str]], str]:
    group, index = op.group, op.index
    first_field = "instrument" if group == "citations" else "title"
    if op.kind == "add":
        if len(group_rows) < MAX_ROWS:
            group_rows.append({"instrument": NEW_INSTRUMENT} if group == "citations" else {})
        return group_rows, f"{group}-{len(group_rows) - 1}-{first_field}"
    if not 0 <= index < len(group_rows):
        return group_rows, f"add-{group}"
    if op.kind == "remove":
        del group_rows[index]
        if index < len(group_rows):
            return group_rows, f"{group}-{index}-{first_field}"
        return group_rows, f"add-{group}"
    target = index - 1 if op.kind == "up" else index + 1
    if 0 <= target < len(group_rows):
        group_rows[index], group_rows[target] = group_rows[target], group_rows[index]
        index = target
    button = "up" if op.kind == "up" and index > 0 else "down"
    if index == len(group_rows) - 1:
        button = "up"
    return group_rows, f"{group}-{index}-{button}"


def formdata_of(content: VersionContent, instruments: list[Instrument], row_version: int):
    """The editor's data for stored content: citations point at the country's instruments."""
    ids = {(i.title, i.year_adopted): i.id for i in instruments}
    data = MultiDict(
        {
            "row_version": str(row_version),
            "status": content.status,
            "analysis": content.analysis,
            "analysis_language": content.analysis_language,
            "analysis_source_title": content.analysis_source_title,
            "analysis_source_year": _text(content.analysis_source_year),
        }
    )
    for index, citation in enumerate(content.citations):
        known = ids.get((citation.instrument_title, citation.year_adopted))
        row = {
            "instrument": str(known) if known else NEW_INSTRUMENT,
            "instrument_title": "" if known else citation.instrument_title,
            "year_adopted": "" if known else _text(citation.year_adopted),
            "provision": citation.provision,
            "status_as_of": _text(citation.status_as_of),
            "url": citation.url,
            "language": citation.language,
        }
        data.update({f"citations-{index}-{name}": value for name, value in row.items()})
    for index, source in enumerate(content.sources):
        row = {
            "title": source.title,
            "publisher": source.publisher,
            "year": _text(source.year),
            "url": source.url,
            "file_token": (
                token_for(source.file_stored_name, source.file_name, source.file_size)
                if source.file_stored_name
                else ""
            ),
        }
        data.update({f"sources-{index}-{name}": value for name, value in row.items()})
    return data


def _text(number: int | None) -> str:
    return "" if number is None else str(number)


def build_form(formdata: MultiDict, instruments: list[Instrument]) -> VersionForm:
    form = VersionForm(formdata=formdata)
    choices = [choice(NEW_INSTRUMENT, str(_l("New instrument (fill in below)")))]
    choices += [choice(str(i.id), instrument_choice(i)) for i in instruments]
    for entry in form.citations:
        entry.form.instrument.choices = choices
    return form


def instrument_choice(instrument: Instrument) -> str:
    if instrument.year_adopted:
        return f"{instrument.title} ({instrument.year_adopted})"
    return instrument.title


def _year(errors: dict[str, list[str]], key: str, text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) != 4:
        errors.setdefault(key, []).append(str(_l("Enter a four-digit year.")))
        return None
    return int(text)


def content_of_form(
    form: VersionForm, instruments: list[Instrument]
) -> tuple[VersionContent, int, dict[str, list[str]]]:
    """The content the form describes, its row version, and the fields that could not be read."""
    errors: dict[str, list[str]] = {}
    by_id = {str(i.id): i for i in instruments}
    citations = []
    for index, entry in enumerate(form.citations):
        row = entry.form
        key = f"citations-{index}"
        chosen = (row.instrument.data or NEW_INSTRUMENT).strip()
        if chosen == NEW_INSTRUMENT:
            title = row.instrument_title.data or ""
            year = _year(errors, f"{key}-year_adopted", row.year_adopted.data)
        elif chosen in by_id:
            title, year = by_id[chosen].title, by_id[chosen].year_adopted
        else:
            message = str(_l("Choose one of this country's instruments."))
            errors.setdefault(f"{key}-instrument", []).append(message)
            title, year = "", None
        citations.append(
            CitationInput(
                instrument_title=title,
                year_adopted=year,
                provision=row.provision.data or "",
                status_as_of=_year(errors, f"{key}-status_as_of", row.status_as_of.data),
                url=(row.url.data or "").strip(),
                language=(row.language.data or "").strip(),
            )
        )
    sources = [_source_input(errors, index, entry.form) for index, entry in enumerate(form.sources)]
    content = VersionContent(
        status=form.status.data or "",
        analysis=(form.analysis.data or "").replace("\r\n", "\n"),
        analysis_language=(form.analysis_language.data or "en").strip() or "en",
        analysis_source_title=form.analysis_source_title.data or "",
        analysis_source_year=_year(errors, "analysis_source_year", form.analysis_source_year.data),
        citations=citations,
        sources=sources,
    )
    row_version = form.row_version.data or ""
    return content, int(row_version) if row_version.isdigit() else 0, errors


def _source_input(errors: dict[str, list[str]], index: int, row: SourceForm) -> SourceInput:
    file = None
    if row.file_token.data and not row.remove_file.data:
        file = row.attached()
        if file is None:
            errors.setdefault(f"sources-{index}-upload", []).append(not_verified())
    return SourceInput(
        title=row.title.data or "",
        publisher=row.publisher.data or "",
        year=_year(errors, f"sources-{index}-year", row.year.data),
        url=(row.url.data or "").strip(),
        file_stored_name=file.stored_name if file else "",
        file_name=file.name if file else "",
        file_size=file.size if file else None,
    )


def fields_by_name(form: VersionForm) -> dict:
    """Every field, nested ones included, by its posted name: where to put an error."""
    found = {}
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                for sub in entry.form:
                    found[sub.name] = sub
        else:
            found[field.name] = field
    return found


def attach_errors(form: VersionForm, errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Put each message beside its field; return (field id, "Field: message") for the summary."""
    fields = fields_by_name(form)
    summary: list[tuple[str, str]] = []
    for name, messages in errors.items():
        field = fields.get(name)
        if field is None:
            summary.extend(("", message) for message in messages)
            continue
        field.errors = [*(field.errors or []), *messages]
        label = _summary_label(name, field)
        summary.extend((field.id, f"{label}: {message}") for message in messages)
    return summary


def _summary_label(name: str, field) -> str:
    match = _ROW_KEY.fullmatch(name)
    if match is None:
        return str(field.label.text)
    number = int(match.group(2)) + 1
    if match.group(1) == "citations":
        row = _l("Citation %(n)s", n=number)
    else:
        row = _l("Source %(n)s", n=number)
    return f"{row}, {field.label.text}"


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"))


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("Decision comment"))


class RejectForm(FlaskForm):
    """Its own comment box, apart from the one approval and "request changes" share: rejecting
    ends the version, so its reason is written on purpose. Posted as `comment` all the same."""

    comment = TextAreaField(_l("Reason for rejecting"), id="reject-comment")


class RetractForm(FlaskForm):
    reason = TextAreaField(_l("Reason for withdrawing it"))
