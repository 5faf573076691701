from flask import current_app, has_request_context, request, session


def select_locale() -> str | None:
    """The user's choice (remembered in the session), then Accept-Language, then the default."""
    if not has_request_context():
        return None  # the command line and background work speak the default language
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )
