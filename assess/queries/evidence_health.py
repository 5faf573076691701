"""The evidence health of a country's staff pages: every link its published and open versions
give, where it is cited and how it answered its last check; the counts the supervisor's home
shows. A fixed number of statements whatever the number of links."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Assessment, Citation, Instrument, LinkCheck, LinkState, Source, Version
from ..workflow import OPEN_STATES, State

SHOWN = [s.value for s in (State.PUBLISHED, *OPEN_STATES)]
UNCHECKED = "unchecked"
# Worst first: what needs a look comes at the top.
ORDER = [LinkState.BROKEN.value, LinkState.CHANGED.value, LinkState.BLOCKED.value, UNCHECKED, "ok"]
PROBLEMS = (LinkState.BROKEN.value, LinkState.CHANGED.value)


@dataclass
class Place:
    version: Version
    label: str  # the instrument and provision, or the source's title


@dataclass
class EvidenceRow:
    url: str
    check: LinkCheck | None
    places: list[Place] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.check.state if self.check else UNCHECKED


def _versions(*conditions) -> dict[int, Version]:
    statement = (
        select(Version)
        .join(Assessment, Assessment.id == Version.assessment_id)
        .where(Version.state.in_(SHOWN), *conditions)
        .options(joinedload(Version.assessment).joinedload(Assessment.indicator))
    )
    return {v.id: v for v in db.session.scalars(statement)}


def _cited(version_ids: list[int]) -> list[tuple[int, str, str]]:
    """(version id, url, label) of every linked citation and source of the versions."""
    if not version_ids:
        return []
    citations = db.session.execute(
        select(Citation.version_id, Citation.url, Instrument.title, Citation.provision)
        .join(Instrument, Instrument.id == Citation.instrument_id)
        .where(Citation.version_id.in_(version_ids), Citation.url != "")
        .order_by(Citation.version_id, Citation.position)
    )
    found = [
        (vid, url.strip(), f"{title}, {provision}" if provision else title)
        for vid, url, title, provision in citations
    ]
    sources = db.session.execute(
        select(Source.version_id, Source.url, Source.title)
        .where(Source.version_id.in_(version_ids), Source.url != "")
        .order_by(Source.version_id, Source.position)
    )
    return found + [(vid, url.strip(), title) for vid, url, title in sources]


def health(country_id: int, state: str | None = None) -> list[EvidenceRow]:
    """Every linked URL of the country's published and open versions, worst first; `state`
    keeps one state ("broken", "changed", "blocked", "unchecked", "ok") or the problems
    ("problems": broken and changed)."""
    versions = _versions(Assessment.country_id == country_id)
    rows: dict[str, EvidenceRow] = {}
    for version_id, url, label in _cited(list(versions)):
        row = rows.setdefault(url, EvidenceRow(url, None))
        row.places.append(Place(versions[version_id], label))
    if rows:
        for check in db.session.scalars(select(LinkCheck).where(LinkCheck.url.in_(list(rows)))):
            rows[check.url].check = check
    found = list(rows.values())
    if state == "problems":
        found = [r for r in found if r.state in PROBLEMS]
    elif state:
        found = [r for r in found if r.state == state]
    return sorted(found, key=lambda r: (ORDER.index(r.state) if r.state in ORDER else 9, r.url))


def cites(country_id: int, url: str) -> bool:
    """Whether the country's published or open versions give the URL (as `health` lists it)."""
    for model in (Citation, Source):
        statement = (
            select(model.id)
            .join(Version, Version.id == model.version_id)
            .join(Assessment, Assessment.id == Version.assessment_id)
            .where(
                Assessment.country_id == country_id,
                Version.state.in_(SHOWN),
                func.trim(model.url) == url,
            )
            .limit(1)
        )
        if db.session.scalar(statement) is not None:
            return True
    return False


def problem_counts(country_ids: set[int] | None) -> dict[int, Counter]:
    """Country id -> how many of its cited links are broken and changed (only countries with
    some); `None` for every country."""
    conditions = [] if country_ids is None else [Assessment.country_id.in_(country_ids)]
    found: dict[int, set[tuple[str, str]]] = {}
    for model in (Citation, Source):
        statement = (
            select(Assessment.country_id, LinkCheck.url, LinkCheck.state)
            .select_from(model)
            .join(Version, Version.id == model.version_id)
            .join(Assessment, Assessment.id == Version.assessment_id)
            .join(LinkCheck, LinkCheck.url == model.url)
            .where(Version.state.in_(SHOWN), LinkCheck.state.in_(PROBLEMS), *conditions)
        )
        for country_id, url, state in db.session.execute(statement):
            found.setdefault(country_id, set()).add((url, state))
    return {cid: Counter(state for _, state in pairs) for cid, pairs in found.items()}
