"""Realistic volumes for benchmarks and scale tests, deterministic from a seed.

Every country x every active indicator gets `scale` published versions (the newest current, the
others superseded), with citations, sources and their audit trail; each country gets profile
content; a share of the assessments get an open draft or a submitted version. Rows are written with
bulk inserts in one transaction: 249 countries x 9 indicators x 10 versions take seconds."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text, update

from ..database import write_transaction
from ..models import (
    Assessment,
    AuditEvent,
    Citation,
    Country,
    Fact,
    Indicator,
    Instrument,
    Member,
    NewsItem,
    Resource,
    Role,
    RoleGrant,
    Source,
    User,
    Version,
    VersionContributor,
)
from ..search import index as search_index
from . import accounts

STATUSES = ["yes", "partial", "no", "no_data"]
INSTRUMENTS = ["Constitution", "Criminal Code", "Code of Criminal Procedure", "Family Code",
               "Law on the Rights of the Child", "Code of Administrative Offences"]  # fmt: skip
WORDS = ["law", "provides", "protection", "children", "offence", "article", "code", "penalty", "jurisdiction", "consent", "exploitation", "age", "minimum", "court", "procedure", "victims", "report", "national", "plan", "police", "unit", "definition", "material", "online", "travel", "data", "published"]  # fmt: skip
GENERATED_PASSWORD = "generated-user-passphrase"  # noqa: S105 - sample data, printed to the operator


def _sentence(rng: random.Random, words: int = 18) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def add_indicators(total: int) -> None:
    """Grow the framework to `total` active indicators (for 20- and 50-indicator scale runs)."""
    with write_transaction() as session:
        count = len(session.scalars(select(Indicator.id)).all())
        for number in range(count + 1, total + 1):
            session.add(
                Indicator(
                    slug=f"indicator-{number}",
                    title=f"Indicator {number}",
                    definition="A generated indicator for scale tests.",
                    rubric_yes="Met.",
                    rubric_partial="Partly met.",
                    rubric_no="Not met.",
                    position=number,
                )
            )


class _Rows:
    """Rows to insert, with ids allocated here so that one bulk insert per table suffices."""

    TABLES = (Assessment, Version, VersionContributor, Citation, Source, AuditEvent)

    def __init__(self, session) -> None:
        self.rows: dict[type, list[dict]] = {table: [] for table in self.TABLES}
        self.next_id = {
            table: (session.scalar(select(func.max(table.id))) or 0) + 1
            for table in (Assessment, Version)
        }

    def add(self, table, **values) -> int | None:
        if table in self.next_id:
            values["id"] = self.next_id[table]
            self.next_id[table] += 1
        self.rows[table].append(values)
        return values.get("id")

    def write(self, session) -> None:
        # Assessments first without their published version (the versions reference them).
        versions = self.rows[Version]
        published = {v["assessment_id"]: v["id"] for v in versions if v["state"] == "published"}
        for table in self.TABLES:
            for start in range(0, len(self.rows[table]), 5000):
                session.execute(insert(table), self.rows[table][start : start + 5000])
        session.execute(
            update(Assessment),
            [{"id": a, "published_version_id": v} for a, v in published.items()],
        )
        if session.get_bind().dialect.name == "postgresql":
            # Ids were given explicitly: move the sequences past them. Table names are constants.
            for name in ("assessment", "version"):
                sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"  # noqa: S608
                session.execute(text(sql))


def generate(
    scale: int, seed: int = 1, open_share: float = 0.1, progress=None, countries: int | None = None
) -> dict[str, int]:
    """Fill the database (or its first `countries` countries); returns the rows written."""
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    password_hash = accounts.hash_password(GENERATED_PASSWORD)
    with write_transaction() as session:
        countries_to_fill = session.scalars(
            select(Country).order_by(Country.id).limit(countries)
        ).all()
        indicators = session.scalars(
            select(Indicator).where(Indicator.retired_at.is_(None)).order_by(Indicator.position)
        ).all()
        taken = set(session.execute(select(Assessment.country_id, Assessment.indicator_id)).all())
        reviewer, supervisor = _generated_users(session, password_hash, seed)
        rows = _Rows(session)
        base = datetime(2020, 1, 1, tzinfo=UTC)
        for country in progress(countries_to_fill) if progress else countries_to_fill:
            _profile_content(session, rng, country)
            instruments = _instruments(session, rng, country)
            for indicator in indicators:
                if (country.id, indicator.id) not in taken:
                    _assessment(rows, rng, country, indicator, instruments, scale, base,
                                reviewer, supervisor, open_share)  # fmt: skip
        rows.write(session)
        search_index.rebuild(session)  # the bulk rows bypass publication, which indexes them
    versions = rows.rows[Version]
    return {
        "assessments": len(rows.rows[Assessment]),
        "published versions": sum(1 for v in versions if v["number"] is not None),
        "open versions": sum(1 for v in versions if v["number"] is None),
        "citations": len(rows.rows[Citation]),
        "sources": len(rows.rows[Source]),
        "audit events": len(rows.rows[AuditEvent]),
    }


def _generated_users(session, password_hash: str, seed: int) -> tuple[int, int]:
    ids = []
    for role in (Role.REVIEWER, Role.SUPERVISOR):
        email = f"generated-{role.value}-{seed}@example.org"
        user_id = session.scalar(select(User.id).where(User.email == email))
        if user_id is None:
            user_id = session.scalar(
                insert(User)
                .values(
                    email=email,
                    name=f"Generated {role.value}",
                    password_hash=password_hash,
                    active=True,
                    session_token=accounts.new_session_token(),
                    created_at=datetime.now(UTC),
                )
                .returning(User.id)
            )
            session.execute(insert(RoleGrant).values(user_id=user_id, role=role.value))
        ids.append(user_id)
    return ids[0], ids[1]


def _profile_content(session, rng: random.Random, country: Country) -> None:
    if session.scalar(select(Member.id).where(Member.country_id == country.id).limit(1)):
        return
    session.execute(insert(Member), [
        {"country_id": country.id, "position": i, "name": f"{country.name} Child Rights Network {i + 1}",
         "description": _sentence(rng, 40), "url": ""} for i in range(2)
    ])  # fmt: skip
    session.execute(insert(Fact), [
        {"country_id": country.id, "position": i, "text": _sentence(rng, 30)} for i in range(3)
    ])  # fmt: skip
    session.execute(insert(Resource), [
        {"country_id": country.id, "position": i, "publisher": "ECPAT International",
         "title": f"{country.name} – Country Monitoring Report {2010 + i}", "year": 2010 + i,
         "url": "", "file_name": ""} for i in range(2)
    ])  # fmt: skip
    session.execute(insert(NewsItem), [
        {"country_id": country.id, "title": _sentence(rng, 6), "body": _sentence(rng, 25),
         "url": "", "published_on": datetime(2024, 1 + i, 1).date()} for i in range(2)
    ])  # fmt: skip


def _instruments(session, rng: random.Random, country: Country) -> list[int]:
    existing = session.scalars(
        select(Instrument.id).where(Instrument.country_id == country.id)
    ).all()
    if existing:
        return list(existing)
    return list(session.scalars(
        insert(Instrument).returning(Instrument.id),
        [{"country_id": country.id, "title": title, "year_adopted": rng.randint(1990, 2020)}
         for title in INSTRUMENTS],
    ))  # fmt: skip


def _assessment(rows, rng, country, indicator, instruments, scale, base, reviewer, supervisor,
                open_share) -> None:  # fmt: skip
    assessment_id = rows.add(Assessment, country_id=country.id, indicator_id=indicator.id)
    previous = None
    when = base
    for number in range(1, scale + 1):
        when = base + timedelta(days=number * 30 + rng.randint(0, 20))
        version_id = rows.add(
            Version, assessment_id=assessment_id, number=number,
            state="published" if number == scale else "superseded",
            status=rng.choice(STATUSES),
            analysis="\n\n".join(_sentence(rng, 40) for _ in range(2)), analysis_language="en",
            analysis_source_title=f"Analysis of country legislation on {indicator.title.lower()}",
            analysis_source_year=2018 + number % 7, base_version_id=previous,
            created_by_id=reviewer, submitted_by_id=reviewer, decided_by_id=supervisor,
            created_at=when, updated_at=when, submitted_at=when, decided_at=when,
            published_at=when, row_version=2, submitted_row_version=2,
        )  # fmt: skip
        rows.add(VersionContributor, version_id=version_id, user_id=reviewer)
        for position in range(2):
            rows.add(Citation, version_id=version_id, instrument_id=rng.choice(instruments),
                     position=position, provision=f"Article {rng.randint(1, 400)}",
                     status_as_of=2023, url="https://example.org/law", language="en")  # fmt: skip
        rows.add(Source, version_id=version_id, position=0, title=f"{country.name} report {number}",
                 publisher="ECPAT International", year=2015 + number % 9,
                 url="https://example.org/report")  # fmt: skip
        for actor, action, before, after in (
            (reviewer, "start", None, "draft"),
            (reviewer, "submit", "draft", "submitted"),
            (supervisor, "approve", "submitted", "published"),
        ):
            rows.add(AuditEvent, at=when, actor_id=actor, action=action, object_type="version",
                     object_id=version_id, country_id=country.id, from_state=before,
                     to_state=after, comment=None, details=None)  # fmt: skip
        previous = version_id
    rows.rows[Assessment][-1]["public_updated_at"] = when
    if rng.random() < open_share:
        state = rng.choice(["draft", "submitted"])
        submitted = state == "submitted"
        draft_id = rows.add(
            Version, assessment_id=assessment_id, number=None, state=state,
            status=rng.choice(STATUSES), analysis=_sentence(rng, 50), analysis_language="en",
            analysis_source_title="", analysis_source_year=None, base_version_id=previous,
            created_by_id=reviewer, submitted_by_id=reviewer if submitted else None,
            decided_by_id=None, created_at=when, updated_at=when,
            submitted_at=when if submitted else None, decided_at=None, published_at=None,
            row_version=1, submitted_row_version=1 if submitted else None,
        )  # fmt: skip
        rows.add(VersionContributor, version_id=draft_id, user_id=reviewer)
