from flask import current_app, request, session


def select_locale() -> str | None:
    """The user's choice (remembered in the session), then Accept-Language, then the default."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )
