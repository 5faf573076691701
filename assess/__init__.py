"""assess: child-protection law assessments, reviewed with four eyes and published."""

import os
from pathlib import Path

from flask import Flask

from . import config as config_module
from .runtime import check_interpreter

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> str:
    """`templates`, `static` or `migrations`: inside the installed package, or at the repo top."""
    installed = PACKAGE_DIR / name
    if installed.is_dir():
        return str(installed)
    return str(PACKAGE_DIR.parent / name)


def create_app(config: dict | None = None) -> Flask:
    check_interpreter()
    app = Flask(
        __name__,
        template_folder=resource_dir("templates"),
        static_folder=resource_dir("static"),
        instance_path=os.environ.get("ASSESS_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    load_config(app, config)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def load_config(app: Flask, config: dict | None) -> None:
    app.config.from_mapping(config_module.DEFAULTS)
    app.config.from_prefixed_env("ASSESS")
    if config:
        app.config.from_mapping(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = config_module.database_url(app.instance_path)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from .database import sqlite_engine_options

        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.update(sqlite_engine_options())
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        from .database import postgresql_engine_options

        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = postgresql_engine_options(
            app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
        )
    config_module.finalise(app.config)
    if app.config.get("SECRET_KEY_REQUIRED", True):
        config_module.check(app.config)


def register_extensions(app: Flask) -> None:
    from .database import configure_sqlite
    from .extensions import babel, csrf, db, login_manager, migrate
    from .i18n import select_locale, select_timezone

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=resource_dir("migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def register_converters(app: Flask) -> None:
    from .routing import register

    register(app)


def register_blueprints(app: Flask) -> None:
    """Each blueprint package registers what it holds (its blueprints, and any command)."""
    from . import admin, api, auth, i18n, public, staff

    for package in (admin, public, auth, staff, i18n, api):
        package.register(app)

    from .health import bp as health_bp

    app.register_blueprint(health_bp)


def register_errorhandlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from . import language_urls, logs, reauth
    from .public import fastpath, fragments
    from .security import register

    fastpath.install(app)
    fragments.install(app)
    language_urls.install(app)  # inside ProxyFix, outside the public response store
    register(app)
    reauth.register(app)
    logs.configure(app)  # outermost: logs and counts every request, the stored ones too


def register_template_helpers(app: Flask) -> None:
    from .templating import register

    register(app)


def register_cli(app: Flask) -> None:
    from .cli import register

    register(app)
