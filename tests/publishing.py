"""Publishing through the real workflow, for the public-site tests."""

from sqlalchemy import select

from assess.extensions import db
from assess.models import Country, Indicator, Version
from assess.services import assessments
from assess.services.content import CitationInput, SourceInput, VersionContent


def ids(iso2: str, slug: str) -> tuple[int, int]:
    country = db.session.scalar(select(Country).where(Country.iso2 == iso2.upper()))
    indicator = db.session.scalar(select(Indicator).where(Indicator.slug == slug))
    return country.id, indicator.id


def content(status="yes", analysis="The law is clear.", **kwargs) -> VersionContent:
    kwargs.setdefault("analysis_source_title", "Analysis of country legislation")
    kwargs.setdefault("analysis_source_year", 2024)
    return VersionContent(status=status, analysis=analysis, **kwargs)


def draft(reviewer, iso2: str, slug: str, version_content: VersionContent) -> Version:
    version = assessments.start_draft(reviewer, *ids(iso2, slug))
    return assessments.save(reviewer, version.id, version_content, version.row_version)


def submitted(reviewer, iso2, slug, version_content) -> Version:
    version = draft(reviewer, iso2, slug, version_content)
    return assessments.submit(reviewer, version.id)


def publish(reviewer, supervisor, iso2, slug, version_content) -> Version:
    version = submitted(reviewer, iso2, slug, version_content)
    return assessments.approve(supervisor, version.id)


FULL = content(
    status="partial",
    analysis="Age of consent is **16**. No close-in-age exception.",
    analysis_language="en",
    analysis_source_title="Analysis of country legislation on age of sexual consent",
    analysis_source_year=2024,
    citations=[
        CitationInput("Criminal Code", 2014, "Article 122", 2023, "https://adilet.zan.kz/cc", "ru"),
        CitationInput("Constitution", 1995, "", 2023, "", "kk"),
    ],
    sources=[SourceInput("Country report", "ECPAT International", 2013, "https://ecpat.org/r")],
)
