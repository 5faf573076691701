"""The publishing organisation set by an admin (/admin/organisation, issue 17.10): its name in
every page title, citation and feed at once; a logo that is safe to show; colours that keep text
readable; about, methodology and contact pages in safe Markdown; nothing changed on bad input."""

import io
import json

import feedparser
import pytest
from sqlalchemy import func, select

from assess.extensions import db
from assess.models import AuditEvent, OrganisationSettings
from assess.services import organisation_settings
from assess.services.errors import PermissionDenied, ValidationError

from .publishing import FULL, publish

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PLAIN_SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
    b'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
    b"<title>Logo</title><defs><linearGradient id='g'><stop offset='0' stop-color='#fff'/>"
    b"</linearGradient></defs><style>.a { fill: url(#g); } .b { fill: url('#g'); }</style>"
    b'<rect class="a" width="10" height="10"/><use xlink:href="#g"/></svg>'
)


@pytest.fixture
def people(make_user, app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return (
        make_user("reviewer", ["KZ"], name="Rita"),
        make_user("supervisor", ["KZ"], name="Sam"),
        make_user("admin", name="Ada"),
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def save(client, auth, admin, data: dict, files: dict | None = None):
    auth.login(admin)
    form = dict(data)
    for name, (payload, filename) in (files or {}).items():
        form[name] = (io.BytesIO(payload), filename)
    response = client.post_form("/admin/organisation", form, content_type="multipart/form-data")
    auth.logout()
    return response


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_a_new_name_shows_at_once_in_titles_citations_and_feeds(client, auth, people):
    reviewer, supervisor, admin = people
    publish(reviewer, supervisor, "KZ", "age-of-consent", FULL)
    urls = [
        "/",
        "/countries/kz",
        "/countries/kz/age-of-consent",
        "/countries/kz/age-of-consent/v/1",
        "/indicators/age-of-consent",
        "/methodology",
    ]
    for url in [*urls, "/auth/login"]:  # every page and its kept parts, for the old name
        assert "Child Rights Watch" not in text(client.get(url)), url
    feed_before = feedparser.parse(client.get("/feed.atom").data)
    assert feed_before.feed.title == "assess: publications and withdrawals"

    response = save(
        client,
        auth,
        admin,
        {"name": "Child Rights Watch", "site_name": "Child Law Monitor",
         "url": "https://crw.example"},
    )  # fmt: skip
    assert response.status_code == 303

    for url in urls:
        page = text(client.get(url))
        assert "· Child Law Monitor · Child Rights Watch</title>" in page, url
        assert 'class="brand" href="/">Child Law Monitor</a>' in page, url
    version = text(client.get("/countries/kz/age-of-consent/v/1"))
    assert '<meta name="citation_author" content="Child Rights Watch">' in version
    assert '<meta name="DC.publisher" content="Child Rights Watch">' in version
    assert "Child Rights Watch (20" in version  # the full citation to copy
    assert "Child Rights Watch (20" in text(client.get("/countries/kz"))  # profile citation
    assert "author = {{Child Rights Watch}}" in text(
        client.get("/countries/kz/age-of-consent/v/1/cite.bib")
    )
    assert "AU  - Child Rights Watch" in text(
        client.get("/countries/kz/age-of-consent/v/1/cite.ris")
    )
    site = feedparser.parse(client.get("/feed.atom").data)
    assert site.feed.title == "Child Rights Watch: publications and withdrawals"
    assert site.feed.author_detail.name == "Child Rights Watch"
    assert site.feed.author_detail.href == "https://crw.example"
    country = feedparser.parse(client.get("/countries/kz/feed.atom").data)
    assert country.feed.title.startswith("Child Rights Watch: Kazakhstan")
    package = json.loads(client.get("/data/datapackage.json").data)
    assert package["contributors"][0]["title"] == "Child Rights Watch"
    # Pages outside the public site (signing in), which have no public revision, show it too.
    assert "Child Rights Watch</title>" in text(client.get("/auth/login"))
    assert 'class="brand" href="/">Child Law Monitor</a>' in text(client.get("/auth/login"))
    auth.login(reviewer)
    assert "Child Law Monitor · Child Rights Watch</title>" in text(client.get("/staff/"))


def test_the_settings_are_read_once_per_public_revision(app, client, auth, people):
    from .test_public_caching import _statements

    save(client, auth, people[2], {"name": "ECPAT International"})
    client.get("/countries/kz")
    sent = _statements(lambda: client.get("/countries/kz?utm_source=x"))
    flat = [" ".join(s.split()) for s in sent if s != "BEGIN"]
    assert len(flat) == 1, flat  # the validator only: no read of the settings row
    assert "organisation_settings" in flat[0]


def test_a_save_is_audited_and_an_emptied_field_falls_back_to_the_configuration(
    app, client, auth, people
):
    admin = people[2]
    app.config["ORGANISATION"] = "Configured Org"
    save(client, auth, admin, {"name": "Saved Org", "colour_brand": "#0B4F8A"})
    row = db.session.get(OrganisationSettings, 1)
    assert (row.name, row.colour_brand, row.revision) == ("Saved Org", "#0b4f8a", 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update_organisation"))
    assert event.actor_id == admin.id
    assert set(event.details["changed"]) == {"name", "colour_brand"}
    assert "--brand: #0b4f8a;" in text(client.get("/brand.css"))
    assert "Saved Org</title>" in text(client.get("/"))
    save(client, auth, admin, {"name": ""})
    assert "Configured Org</title>" in text(client.get("/?again=1"))
    assert db.session.get(OrganisationSettings, 1).revision == 2
    auth.login(admin)
    log = text(client.get("/staff/audit"))
    assert "Organisation settings changed" in log


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("colour_brand", "#ffff00", "White text on #ffff00 has a contrast of only 1.1:1"),
        ("colour_brand_dark", "#777777", "WCAG AA asks for at least 4.5:1"),
        ("colour_brand", "red", "six hexadecimal digits"),
        ("colour_brand", "#12345g", "six hexadecimal digits"),
        ("url", "javascript:alert(1)", "starting with https://"),
        ("name", "x" * 201, "At most 200 characters"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_change_nothing(
    client, auth, people, field, value, message
):
    before = audit_count()
    response = save(client, auth, people[2], {"name": "New Name", field: value})
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.get(OrganisationSettings, 1) is None
    assert audit_count() == before + 2  # the sign-in and the sign-out, nothing else
    assert "New Name" not in text(client.get("/"))


def test_a_dark_enough_colour_passes_and_a_light_one_names_black_as_readable(people):
    assert organisation_settings.problems({"colour_brand": "#767676"}) == {}  # 4.54:1
    problem = organisation_settings.problems({"colour_brand": "#ffbf47"})["colour_brand"][0]
    assert "Black text would reach" in problem


def test_only_an_admin_changes_the_organisation(people):
    reviewer, supervisor, _admin = people
    for user in (reviewer, supervisor):
        with pytest.raises(PermissionDenied):
            organisation_settings.update(user, {"name": "Mine"})
    assert db.session.get(OrganisationSettings, 1) is None


def test_an_uploaded_logo_is_in_the_header_and_served_safely(client, auth, people):
    client.get("/")
    response = save(client, auth, people[2], {}, {"logo": (PNG, "logo.PNG")})
    assert response.status_code == 303
    png = db.session.get(OrganisationSettings, 1).logo_file
    assert png.endswith(".png")
    page = text(client.get("/"))
    assert f'<img class="brand-logo" src="/files/logo/{png}" alt="assess"' in page
    logo = client.get(f"/files/logo/{png}")
    assert logo.data == PNG and logo.mimetype == "image/png"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in logo.headers["Content-Security-Policy"]
    logo.close()
    # A plain SVG replaces it; the old one is no longer served.
    save(client, auth, people[2], {}, {"logo": (PLAIN_SVG, "logo.svg")})
    svg = db.session.get(OrganisationSettings, 1).logo_file
    assert svg.endswith(".svg")
    assert client.get(f"/files/logo/{png}").status_code == 404
    with client.get(f"/files/logo/{svg}") as served:
        assert served.mimetype == "image/svg+xml"
    assert f'src="/files/logo/{svg}"' in text(client.get("/countries/kz"))
    save(client, auth, people[2], {"remove_logo": "y"})
    assert "brand-logo" not in text(client.get("/countries/kz"))
    assert client.get("/files/logo/../../etc/passwd").status_code == 404


UNSAFE_SVGS = [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "&lt;script&gt;"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "onload="),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<image x:href="https://evil.example/x.png"/></svg>',
        "&lt;image&gt;",
    ),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<use x:href="https://evil.example/s.svg#a"/></svg>',
        "a link to another file or address",
    ),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">'
        b"x</p></foreignObject></svg>",
        "&lt;foreignObject&gt;",
    ),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/a.css);'
        b"</style></svg>",
        "a style sheet that loads another file",
    ),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/p)"/>'
        b"</svg>",
        "a style that loads another file",
    ),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>.a { fill: \\75 rl(https://e.example/p) }'
        b"</style></svg>",
        "a style sheet that loads another file",
    ),
    (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        "a document type declaration",
    ),
    (
        b'<?xml-stylesheet href="https://evil.example/a.css"?>'
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        "a style sheet that loads another file",
    ),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="href" to="javascript:x"/>'
        b"</svg>",
        "&lt;set&gt;",
    ),
    (b"<html><script>alert(1)</script></html>", "not a well-formed SVG image"),
    (b"<svg", "not a well-formed SVG image"),
]


@pytest.mark.parametrize(("svg", "message"), UNSAFE_SVGS)
def test_an_unsafe_svg_is_refused_saying_why(client, auth, people, svg, message):
    response = save(client, auth, people[2], {"name": "Org"}, {"logo": (svg, "logo.svg")})
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.get(OrganisationSettings, 1) is None


@pytest.mark.parametrize(
    ("payload", "filename", "message"),
    [
        (b"GIF89a...", "logo.gif", "Upload one of: PNG, JPEG, SVG."),
        (b"not a png", "logo.png", "The file&#39;s content is not a PNG file."),
        (b"\x89PNG\r\n\x1a\n" + b"x" * 30 * 1024, "big.png", "Upload at most 20 KB."),
    ],
)
def test_a_wrong_or_large_image_is_refused(app, client, auth, people, payload, filename, message):
    app.config["IMAGE_MAX_BYTES"] = 20 * 1024  # small: the test client spools larger bodies
    response = save(client, auth, people[2], {}, {"logo": (payload, filename)})
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.get(OrganisationSettings, 1) is None


def test_the_pages_are_markdown_rendered_safely(client, auth, people):
    assert client.get("/about").status_code == 404
    save(
        client,
        auth,
        people[2],
        {
            "about": "We are **ECPAT**. <script>alert(1)</script> [x](javascript:alert(1))",
            "contact": "Write to [us](mailto:info@ecpat.example).",
            "methodology": "Our *method* in short.",
        },
    )
    about = text(client.get("/about"))
    assert "We are <strong>ECPAT</strong>." in about
    assert "<script>alert" not in about and "&lt;script&gt;alert(1)" in about
    assert 'href="javascript' not in about
    assert 'href="mailto:info@ecpat.example"' in text(client.get("/contact"))
    assert "Our <em>method</em> in short." in text(client.get("/methodology"))
    home = text(client.get("/"))
    assert 'href="/about"' in home and 'href="/contact"' in home
    french = text(client.get("/fr/about"))
    assert '<div class="organisation-text" lang="en" dir="ltr">' in french


def test_the_form_shows_the_configured_values_and_what_is_saved(app, client, auth, people):
    app.config["ORGANISATION_URL"] = "https://configured.example"
    organisation_settings.update(people[2], {"name": "Saved Org"})
    auth.login(people[2])
    page = text(client.get("/admin/organisation"))
    assert 'value="Saved Org"' in page
    assert "Leave empty to use the configured value: https://configured.example" in page
    assert 'href="/admin/organisation"' in text(client.get("/admin/"))


def test_the_service_refuses_bad_input_without_a_row(people):
    with pytest.raises(ValidationError) as refused:
        organisation_settings.update(people[2], {"colour_brand": "#fff"})
    assert "colour_brand" in refused.value.errors
    assert db.session.get(OrganisationSettings, 1) is None
