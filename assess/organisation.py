"""The publishing organisation as the public site shows it: its name in page titles, citations
and feeds, its logo and colours in the header, its about, methodology and contact texts.

The configuration gives the defaults (`SITE_NAME`, `ORGANISATION`, `ORGANISATION_URL`,
`ORGANISATION_LOGO`, `ORGANISATION_COLOURS`, `ORGANISATION_PAGES`, `METHODOLOGY_TEXT`); what an
admin set at /admin/organisation (`models.OrganisationSettings`) overrides them, field by field.

Read once per public revision, not once per request: the settings' own revision is part of the
public revision (`queries.public.public_revision`), so a public page validated against a revision
uses the values kept for it. Pages seen by signed-in staff (no public revision) read the row once
per request.
"""

from dataclasses import dataclass, field

from flask import current_app, g, has_request_context, url_for

from .extensions import db
from .models import OrganisationSettings

SETTINGS_ID = 1
PAGE_NAMES = ("about", "contact")


@dataclass(frozen=True)
class Organisation:
    site_name: str
    name: str
    url: str
    logo_file: str  # a stored upload, or ""
    configured_logo: str  # the configuration's logo URL, or ""
    colours: dict[str, str] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # "about", "contact": Markdown
    methodology: str = ""

    @property
    def logo(self) -> str:
        """The logo's address: the uploaded one (served by `files.organisation_logo`), else the
        configured URL, else ""."""
        if self.logo_file and has_request_context():
            return url_for("files.organisation_logo", stored_name=self.logo_file)
        return self.configured_logo


def settings_row() -> OrganisationSettings | None:
    return db.session.get(OrganisationSettings, SETTINGS_ID)


def _pick(saved: str | None, configured: object) -> str:
    return saved if saved else str(configured or "")


def effective(row: OrganisationSettings | None) -> Organisation:
    """The configuration, overridden by what is saved in `row`."""
    config = current_app.config
    colours = {k: str(v) for k, v in dict(config.get("ORGANISATION_COLOURS") or {}).items()}
    pages = {k: str(v) for k, v in dict(config.get("ORGANISATION_PAGES") or {}).items() if v}
    if row is None:
        return Organisation(
            site_name=str(config.get("SITE_NAME") or ""),
            name=str(config.get("ORGANISATION") or ""),
            url=str(config.get("ORGANISATION_URL") or ""),
            logo_file="",
            configured_logo=str(config.get("ORGANISATION_LOGO") or ""),
            colours=colours,
            pages=pages,
            methodology=str(config.get("METHODOLOGY_TEXT") or ""),
        )
    if row.colour_brand:
        colours["brand"] = row.colour_brand
    if row.colour_brand_dark:
        colours["brand_dark"] = row.colour_brand_dark
    for name in PAGE_NAMES:
        if getattr(row, name):
            pages[name] = getattr(row, name)
    return Organisation(
        site_name=_pick(row.site_name, config.get("SITE_NAME")),
        name=_pick(row.name, config.get("ORGANISATION")),
        url=_pick(row.url, config.get("ORGANISATION_URL")),
        logo_file=row.logo_file or "",
        configured_logo=str(config.get("ORGANISATION_LOGO") or ""),
        colours=colours,
        pages=pages,
        methodology=_pick(row.methodology, config.get("METHODOLOGY_TEXT")),
    )


def current() -> Organisation:
    """The organisation as the public site shows it now (see the module's docstring)."""
    if has_request_context() and "assess_organisation" in g:
        return g.assess_organisation
    from .public.caching import revision_key

    revision = revision_key() if has_request_context() else None
    kept = current_app.extensions.get("assess_organisation")
    if revision is not None and kept is not None and kept[0] == revision:
        found = kept[1]
    else:
        found = effective(settings_row())
        if revision is not None:
            current_app.extensions["assess_organisation"] = (revision, found)
    if has_request_context():
        g.assess_organisation = found
    return found


def without_database() -> None:
    """For a page drawn while the database is away (the 503 page): the values this worker last
    read, else the configuration's, so that drawing the header asks the database nothing."""
    if "assess_organisation" in g:
        return
    kept = current_app.extensions.get("assess_organisation")
    g.assess_organisation = kept[1] if kept is not None else effective(None)
