"""Profile rows of an import (members, facts, resources, news): each checked by the rules of a
profile change proposed by hand (`profile_content.clean`), and refused when the country's profile
already shows it, another change proposes it, or an earlier row of the file holds it."""

from collections.abc import Callable

from flask_babel import gettext
from sqlalchemy import select

from ..extensions import db
from ..models import ProfileChange
from ..workflow import OPEN_STATES
from . import profile_content
from .errors import ValidationError
from .import_rows import Places, RowCheck, _Row, _text

# The fields a file gives per kind: those of a change by hand, less an uploaded file.
COLUMNS = {
    kind: [name for name in fields if name != "file_name"]
    for kind, fields in profile_content.FIELDS.items()
}
# What makes two items of a country the same one.
KEYS = {
    "member": ("name",),
    "fact": ("text",),
    "resource": ("title", "year"),
    "news": ("title", "published_on"),
}


def _key(kind: str, data: dict) -> tuple:
    return tuple(" ".join(str(data.get(name) or "").casefold().split()) for name in KEYS[kind])


def summary(kind: str, data: dict) -> str:
    """How the report names the item: its name, title or the start of its text."""
    text = str(data.get("text" if kind == "fact" else "name" if kind == "member" else "title", ""))
    return text if len(text) <= 80 else text[:79] + "…"


def _known(kind: str, country_ids: set[int]) -> dict[tuple[int, tuple], str]:
    """(country id, key) -> where the item already is: on the profile, or in a proposed change."""
    model = profile_content.MODELS[kind]
    found: dict[tuple[int, tuple], str] = {}
    for item in db.session.scalars(select(model).where(model.country_id.in_(country_ids))):
        data = profile_content.snapshot(kind, item)
        found[(item.country_id, _key(kind, data))] = gettext("It is already on the profile.")
    changes = select(ProfileChange).where(
        ProfileChange.kind == kind,
        ProfileChange.operation == "add",
        ProfileChange.country_id.in_(country_ids),
        ProfileChange.state.in_([s.value for s in OPEN_STATES]),
    )
    for change in db.session.scalars(changes):
        found.setdefault(
            (change.country_id, _key(kind, change.payload)),
            gettext("A change adding it is already in review."),
        )
    return found


def check_profile_rows(
    places: Places,
    kind: str,
    rows: list[tuple[int, dict]],
    sheet: str = "",
    progress: Callable[[int], None] | None = None,
) -> list[RowCheck]:
    known = _known(kind, places.country_ids)
    seen: dict[tuple[int, tuple], int] = {}
    checks = []
    for line, row in rows:
        result = RowCheck(line, _text(row.get("country")), sheet=sheet, kind=kind)
        checks.append(result)
        if progress:
            progress(1)
        if not any(_text(row.get(name)) for name in COLUMNS[kind]):
            result.skipped = True
            continue
        cells = _Row()
        raw = {name: _text(row.get(name)) for name in COLUMNS[kind]}
        result.payload = raw
        country = places.country(result, result.country_code, cells)
        try:
            data = profile_content.clean(kind, raw)
        except ValidationError as error:
            for name, messages in error.errors.items():
                cells.problems += [f"{name}: {message}" for message in messages]
        else:
            result.payload = data
            if country is not None:
                key = (country.id, _key(kind, data))
                if key in known:
                    cells.problems.append(known[key])
                elif key in seen:
                    cells.problems.append(gettext("Same item as row %(n)s.", n=seen[key]))
                seen.setdefault(key, line)
                result.country_id = country.id
        result.problems = cells.problems
    return checks
