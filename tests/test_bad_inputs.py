"""No input gets a 500: each input that once did, then fuzzed URL segments, cookies, headers and
bodies (hypothesis). A database that cannot be written is a 503, and /readyz says why."""

import io
import socket
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app

from assess import create_app
from assess.extensions import db

from .conftest import AuthActions, base_config
from .servers import app_environment, free_port, gunicorn

HUGE = "99999999999999999999"
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def call(app, environ: dict) -> tuple[int, bytes]:
    """The app as a WSGI server calls it, with an environ a test client would not build."""
    body, status, _headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split(" ", 1)[0]), b"".join(body)


def environ(path="/", method="GET", raw: dict | None = None, **kwargs) -> dict:
    built = EnvironBuilder(path=path, method=method, **kwargs).get_environ()
    built.update(raw or {})
    return built


# --- the inputs of the issue, one test each ---------------------------------------------------


def test_a_huge_file_id_is_not_found(client):
    response = client.get(f"/files/{HUGE}/x.pdf")
    assert response.status_code == 404
    assert "There is no page at this address." in response.get_data(as_text=True)


def test_a_huge_version_id_is_not_found_for_staff(client, auth, make_user):
    auth.login(make_user("supervisor"))
    response = client.get(f"/staff/versions/{HUGE}")
    assert response.status_code == 404
    assert client.get(f"/staff/versions/{HUGE}/history").status_code == 404


@pytest.mark.parametrize("number", [str(2**31), str(2**63), HUGE])
def test_ids_past_what_the_database_holds_name_nothing(client, number):
    assert client.get(f"/files/{number}/x.pdf").status_code == 404
    api = client.get(f"/api/v1/countries/kz/assessments/age-of-consent/versions/{number}")
    assert api.status_code == 404
    assert api.get_json()["error"] == "Not Found"  # the API's own JSON 404
    assert client.get(f"/countries/kz/age-of-consent/v/{number}").status_code == 404


def test_cr_lf_in_next_goes_home_instead_of_into_a_header(client):
    response = client.get("/language/fr?next=/countries%0d%0aSet-Cookie:%20x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "x=1" not in str(response.headers)


def test_a_300_character_host_is_a_400(client):
    response = client.get("/countries/kz", headers={"Host": "a" * 300})
    assert response.status_code == 400
    assert "unknown host" in response.get_data(as_text=True)


def test_a_cookie_that_is_not_utf8_is_ignored(app):
    # Until merge: the public response store's cookie parsing is the lead's fix (see the note).
    raw = b"assess_lang=\xff\xfe; session=\xc3(".decode("latin-1")
    status, _ = call(app, environ("/countries/kz", raw={"HTTP_COOKIE": raw}))
    assert status == 200


def test_a_malformed_chunked_body_on_login_is_a_400(app):
    bad = environ("/auth/login", "POST", content_type="application/x-www-form-urlencoded")
    bad.pop("CONTENT_LENGTH", None)
    bad.update(
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(b"zz\r\nabc\r\n0\r\n\r\n"), "wsgi.input_terminated": True},
    )
    status, _ = call(app, bad)
    assert status == 400


@pytest.fixture
def served(database_url, tmp_path):
    port = free_port()
    with gunicorn(app_environment(database_url, tmp_path, port), tmp_path, port) as base:
        yield port, base


@pytest.mark.parametrize(
    "body",
    [
        b"zz\r\nemail=a\r\n0\r\n\r\n",
        b"5\r\nab\r\n0\r\n\r\n",
        b"3\r\nabcXX0\r\n\r\n",
        b"fffffffffffffffffffff\r\nab",
    ],
)
def test_a_malformed_chunked_body_under_gunicorn_is_a_400(served, body):
    port, _ = served
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"POST /auth/login HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n" + body
        )
        connection.shutdown(socket.SHUT_WR)
        status_line = connection.recv(100).split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 400"), status_line
    with urllib.request.urlopen(served[1] + "/healthz", timeout=5) as response:
        assert response.status == 200  # and the worker still serves


# --- a database that cannot be written ----------------------------------------------------------


@pytest.fixture
def read_only_app(template_database, tmp_path):
    from .conftest import PG_SERVER, database_copy

    if PG_SERVER is not None:
        pytest.skip("a read-only SQLite file; PostgreSQL's read-only mode is checked separately")
    with database_copy(template_database, tmp_path) as url:
        path = url.removeprefix("sqlite:///")
        ro = f"sqlite:///file:{path}?mode=ro&uri=true"
        app = create_app(base_config(ro, str(tmp_path)) | {"PROPAGATE_EXCEPTIONS": False})
        app.test_client_class = type(app.test_client())
        yield app
        with app.app_context():
            db.engine.dispose()
        app.extensions["assess_public_responses"].watcher.close()


def test_a_read_only_database_answers_503_and_readyz_says_why(read_only_app):
    client = read_only_app.test_client()
    # Reading still works; a sign-in (which writes) gets the 503 page, not a 500.
    assert client.get("/countries/kz").status_code == 200
    login = client.get("/auth/login").get_data(as_text=True)
    token = login.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/auth/login", data={"csrf_token": token, "email": "x@example.org", "password": "wrong"}
    )
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.get_data(as_text=True)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["database"]["ok"] is False
    assert "read-only" in ready.get_json()["checks"]["database"]["error"]


def test_postgresql_read_only_is_a_503(app, client, auth, make_user, monkeypatch):
    from sqlalchemy.exc import InternalError

    from assess.errors import database_unavailable

    class ReadOnly(Exception):
        sqlstate = "25006"

    assert database_unavailable(InternalError("UPDATE", {}, ReadOnly()))

    class Syntax(Exception):
        sqlstate = "42601"

    assert not database_unavailable(InternalError("SELEC", {}, Syntax()))


# --- fuzzing ------------------------------------------------------------------------------------

segment = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/?#"), min_size=0, max_size=40
) | st.from_regex(r"-?[0-9]{1,30}", fullmatch=True)

ROUTE_TEMPLATES = [
    "/files/{}/x.pdf",
    "/files/1/{}",
    "/countries/{}",
    "/countries/kz/{}",
    "/countries/kz/{}/versions/{}",
    "/indicators/{}",
    "/staff/versions/{}",
    "/staff/versions/{}/history",
    "/language/{}",
    "/api/v1/countries/{}",
    "/api/v1/countries/kz/assessments/{}/versions/{}",
    "/account/reset/{}",
    "/account/invitation/{}",
]


@pytest.fixture
def staff_client(app, make_user):
    client = app.test_client()
    AuthActions(client).login(make_user("supervisor"))
    return client


@FUZZ
@given(template=st.sampled_from(ROUTE_TEMPLATES), values=st.lists(segment, min_size=2, max_size=2))
def test_fuzzed_url_segments_never_fail(app, staff_client, template, values):
    from urllib.parse import quote

    path = template.format(*(quote(v, safe="") for v in values))
    for client in (app.test_client(), staff_client):
        assert client.get(path).status_code < 500, path


cookie_value = st.binary(max_size=60).map(lambda b: b.decode("latin-1"))


@FUZZ
@given(
    name=st.sampled_from(["session", "__Host-session", "remember_token", "assess_lang", "x"]),
    value=cookie_value,
    path=st.sampled_from(["/", "/countries/kz", "/auth/login", "/staff/", "/api/v1/countries"]),
)
def test_fuzzed_cookies_never_fail(app, name, value, path):
    status, _ = call(app, environ(path, raw={"HTTP_COOKIE": f"{name}={value}"}))
    assert status < 500


header_value = st.binary(max_size=80).map(lambda b: b.decode("latin-1"))


@FUZZ
@given(
    header=st.sampled_from(
        [
            "HTTP_HOST",
            "HTTP_ACCEPT_LANGUAGE",
            "HTTP_IF_NONE_MATCH",
            "HTTP_IF_MODIFIED_SINCE",
            "HTTP_X_REQUEST_ID",
            "CONTENT_TYPE",
            "HTTP_RANGE",
            "HTTP_X_FORWARDED_FOR",
            "HTTP_ACCEPT",
            "HTTP_REFERER",
            "HTTP_AUTHORIZATION",
        ]
    ),
    value=header_value,
    path=st.sampled_from(["/", "/countries/kz", "/auth/login", "/files/1/x.pdf", "/readyz"]),
)
def test_fuzzed_headers_never_fail(app, header, value, path):
    status, _ = call(app, environ(path, raw={header: value}))
    assert status < 500, (header, value)


@FUZZ
@given(
    body=st.binary(max_size=300),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "multipart/form-data",
            "application/json",
            "text/plain",
            "",
        ]
    ),
    path=st.sampled_from(["/auth/login", "/auth/logout", "/account/reset/abc", "/language/fr"]),
)
def test_fuzzed_bodies_never_fail(app, body, content_type, path):
    built = environ(path, "POST", data=body, content_type=content_type or None)
    status, _ = call(app, built)
    assert status < 500
