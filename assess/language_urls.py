"""A language per URL prefix: `/fr/countries/kz` is `/countries/kz` in French.

The unprefixed address stays the canonical one (what a citation names), shown in the language the
visitor negotiated (`i18n.select_locale`: the cookie, then Accept-Language). A prefixed address
fixes the language, which is what a static copy needs (`assess freeze` writes one tree per
language) and what the language links and `hreflang` alternates point at.

A WSGI middleware moves the prefix from PATH_INFO to SCRIPT_NAME, so that every link the page
makes with `url_for` keeps the language, and notes the language and the site's own root in the
environ. It sits inside ProxyFix (which may set SCRIPT_NAME from X-Forwarded-Prefix) and outside
the public response store, which keys on SCRIPT_NAME and PATH_INFO.
"""

from flask import Flask, current_app, has_request_context, request

LANGUAGE = "assess.url_language"  # environ key: the language the URL's prefix names
SITE_ROOT = "assess.site_root"  # environ key: SCRIPT_NAME before the language prefix


class LanguagePrefix:
    def __init__(self, wsgi_app, languages: list[str]) -> None:
        self.wsgi_app = wsgi_app
        self.languages = frozenset(languages)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        first, slash, rest = path[1:].partition("/")
        root = environ.get("SCRIPT_NAME", "")
        environ[SITE_ROOT] = root
        if first in self.languages:
            environ[LANGUAGE] = first
            environ["SCRIPT_NAME"] = f"{root}/{first}"
            environ["PATH_INFO"] = "/" + rest if slash else "/"
        return self.wsgi_app(environ, start_response)


def install(app: Flask) -> None:
    app.wsgi_app = LanguagePrefix(app.wsgi_app, app.config["LANGUAGES"])  # type: ignore[method-assign]


def url_language() -> str | None:
    """The language this request's URL names, if it has a prefix."""
    return request.environ.get(LANGUAGE) if has_request_context() else None


def site_root() -> str:
    """Where the site itself is mounted, without any language prefix."""
    return request.environ.get(SITE_ROOT, request.script_root)


def canonical_path(path: str) -> str:
    """A path `url_for` made, without this request's language prefix: the address to cite."""
    language = url_language()
    if language:
        prefixed = f"{site_root()}/{language}"
        if path == prefixed or path.startswith(prefixed + "/"):
            return site_root() + (path[len(prefixed) :] or "/")
    return path


def language_path(code: str) -> str:
    """This page in language `code`: its path under that language's prefix, query included."""
    full = request.full_path
    return f"{site_root()}/{code}{full[:-1] if full.endswith('?') else full}"


def alternates() -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of this page in every language, then x-default: the
    unprefixed address, which negotiates."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    base = configured.rstrip("/") if configured else request.host_url.rstrip("/") + site_root()
    path = request.full_path[:-1] if request.full_path.endswith("?") else request.full_path
    found = [(code, f"{base}/{code}{path}") for code in current_app.config["LANGUAGES"]]
    return [*found, ("x-default", base + path)]
