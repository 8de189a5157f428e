"""The derogatory-access filing portal: `create_app()` is the front door."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, CLI commands."""
    from wizard import config as configuration

    if not (ROOT / "templates").is_dir():
        # Installed without its checkout (a plain `pip install .` copies the package alone):
        # every page would answer 500, "Template not found".
        raise configuration.ConfigurationError(
            f"The portal's templates, static files and migrations are not beside its code "
            f"({ROOT}): install it from its checkout with `pip install -e '.[production]'` "
            "and run it there."
        )
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    from wizard.web import RowId

    app.url_map.converters["int"] = RowId  # before any route is declared

    instance = Path((config or {}).get("INSTANCE_PATH", app.instance_path))
    app.config.from_mapping(configuration.from_environment(instance))
    app.config.update(config or {})
    if app.config["MAX_CONTENT_LENGTH"] is None:  # Flask's default: no cap at all
        cap = configuration.request_cap(app.config["MAX_UPLOAD_BYTES"])
        app.config["MAX_CONTENT_LENGTH"] = cap
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        configuration.engine_options(app.config["SQLALCHEMY_DATABASE_URI"]),
    )
    if proxies := app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address and scheme only: links never take the request's host
        # (PUBLIC_BASE_URL), so a forwarded Host or prefix is not trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    from wizard import cli, errors, i18n, invites, keys, logs, mail, review, sessions, uploads, web
    from wizard.auth import bp as auth_bp
    from wizard.auth import limits as auth_limits
    from wizard.extensions import babel, csrf, db, htmx, login_manager, migrate, rate_limiter
    from wizard.filing import bp as filing_bp
    from wizard.public import bp as public_bp
    from wizard.receipts.views import bp as receipts_bp

    logs.init_app(app)
    keys.init_app(app)
    sessions.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    uploads.init_app(app)  # before CSRFProtect reads the form
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale)
    i18n.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)  # first: its after_request function runs last
    web.init_app(app)
    errors.init_app(app)

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(filing_bp)
    app.register_blueprint(receipts_bp)
    # Flask-Limiter holds itself only weakly: the app keeps it alive.
    limiter = app.extensions["rate_limiter"] = rate_limiter(app)
    invites.init_app(app, limiter)
    review.init_app(app, limiter)
    auth_limits.init_app(app, limiter)
    cli.init_app(app)
    if app.config["PRODUCTION"]:
        _ready_to_serve(app)
    return app


def _ready_to_serve(app: Flask) -> None:
    """What production refuses to start without, beyond its settings being there: its French
    pages (compiled by `make translations`, never committed: without them the portal speaks
    English to everyone), and a signing key that loads (a wrong passphrase or trust root would
    otherwise let requests be filed without a receipt, and no decision be signed)."""
    from wizard.config import ConfigurationError
    from wizard.receipts.service import signing_identity

    catalogue = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) / "fr/LC_MESSAGES/messages.mo"
    if not catalogue.is_file():
        raise ConfigurationError(
            f"The French translations are not compiled ({catalogue}): run `make translations`."
        )
    with app.app_context():
        try:
            signing_identity()
        except Exception as error:  # pyHanko's and asn1crypto's, on a wrong file or passphrase
            raise ConfigurationError(
                f"The receipts' signing key or trust roots cannot be loaded: {error}"
            ) from None


def create_app_for_server(config: dict[str, Any] | None = None) -> Flask:
    """The app as a production server loads it: `gunicorn 'wizard:create_app_for_server()'`.

    What start-up made (modules, the URL map, the extensions: some 200 000 objects) lives as
    long as the worker, so it is moved out of the cycle collector's sight. Otherwise every full
    collection walks all of it while every thread of the worker waits: measured, one pause of
    109 ms in 3 000 live checks, against 2.4 ms at most once frozen; at half load such a pause
    was the live check's p99.
    """
    app = create_app(config)
    _schema_up_to_date(app)
    gc.collect()  # what start-up made and dropped goes first, not frozen with the rest
    gc.freeze()
    return app


def _schema_up_to_date(app: Flask) -> None:
    """A server started on a database its migrations have not reached (the code upgraded,
    `flask db upgrade` forgotten) would answer its health check and fail at the first sign-in:
    it refuses to start instead, saying what to run. (Not `create_app`: the upgrade itself
    runs through it.)"""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from wizard.config import ConfigurationError
    from wizard.extensions import db

    scripts = ScriptDirectory(str(ROOT / "migrations"))
    expected = set(scripts.get_heads())
    with app.app_context(), db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    known = {script.revision for script in scripts.walk_revisions()}
    if current - known:  # migrated by a later version of the portal (this one put back)
        raise ConfigurationError(
            f"The database is at migration {', '.join(sorted(current))}, which this version of "
            "the portal does not know: it was migrated by a later version. Run that version, "
            "or restore a backup taken before its migration."
        )
    if current != expected:
        raise ConfigurationError(
            f"The database is at migration {', '.join(sorted(current)) or '(none)'}, this "
            f"version of the portal needs {', '.join(sorted(expected))}: run "
            "`flask --app wizard db upgrade` with the same environment, then start it again."
        )
