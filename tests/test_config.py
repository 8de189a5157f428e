"""Configuration: safe development defaults, and production refuses to start unsafely."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from tests.conftest import dossier_with
from wizard import create_app, create_app_for_server
from wizard.config import ConfigurationError, database_uri
from wizard.extensions import db
from wizard.models import Dossier

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def test_development_generates_a_secret_key_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("WIZARD_ENV", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def production(monkeypatch, tmp_path, *, complete: bool = False) -> None:
    """What production needs besides the setting a test is about (`complete`: its secret,
    mail server and public address too)."""
    from wizard.receipts.keys import ensure_dev_signing_identity

    monkeypatch.setenv("WIZARD_ENV", "production")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("TRUSTED_PROXIES", "0")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    monkeypatch.setenv("UPLOAD_FOLDER", str(tmp_path / "uploads"))
    key, cert = ensure_dev_signing_identity(tmp_path / "signing")
    monkeypatch.setenv("RECEIPT_KEY_PATH", str(key))
    monkeypatch.setenv("RECEIPT_CERT_PATH", str(cert))
    monkeypatch.delenv("RECEIPT_PKCS12_PATH", raising=False)
    if complete:
        monkeypatch.setenv("SECRET_KEY", "x" * 40)
        monkeypatch.setenv("MAIL_HOST", "smtp.derogations.example")
        monkeypatch.setenv("PUBLIC_BASE_URL", "https://derogations.example")


def test_production_refuses_to_start_without_a_real_secret(tmp_path, monkeypatch):
    production(monkeypatch, tmp_path)
    monkeypatch.setenv("MAIL_HOST", "smtp.derogations.example")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://derogations.example")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("SECRET_KEY", "too-short")
    with pytest.raises(ConfigurationError):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not (tmp_path / "secret_key").exists()


def test_database_url_selects_postgresql_with_psycopg_3(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/x")
    assert database_uri(tmp_path) == "postgresql+psycopg://postgres@127.0.0.1:5432/x"
    monkeypatch.delenv("DATABASE_URL")
    assert database_uri(tmp_path) == f"sqlite:///{tmp_path / 'wizard.sqlite3'}"


def test_every_response_carries_the_security_headers(client):
    for url in ("/", "/login", "/static/css/app.css", "/no-such-page"):
        headers = client.get(url).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_no_browser_or_proxy_keeps_a_page_or_a_file_only_the_static_assets(app, logged_in, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"])
        document = db.session.get(Dossier, dossier_id).documents[0].id
    for url in (
        "/dashboard",
        f"/requests/{dossier_id}/steps/situation",
        f"/requests/{dossier_id}/documents/{document}",
    ):
        answer = logged_in.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["Cache-Control"] == "no-store", url
    for url in ("/", "/login", "/no-such-page"):
        assert app.test_client().get(url).headers["Cache-Control"] == "no-store", url
    assert "no-store" not in logged_in.get("/static/css/app.css").headers["Cache-Control"]


def test_production_needs_the_public_address_that_email_links_use(tmp_path, monkeypatch):
    production(monkeypatch, tmp_path)
    monkeypatch.setenv("MAIL_HOST", "smtp.derogations.example")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("PUBLIC_BASE_URL", "derogations.example")
    with pytest.raises(ConfigurationError, match="https://host"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://derogations.example")
    with pytest.raises(ConfigurationError, match="with https://"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://derogations.example/portal/")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["PUBLIC_BASE_URL"] == "https://derogations.example/portal"


def test_emails_sent_for_real_need_the_public_address_outside_production_too(tmp_path, monkeypatch):
    """A pilot server (not in production mode) sending real emails: a reset link would take
    its host from the request's Host header, which anyone can write."""
    monkeypatch.delenv("WIZARD_ENV", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("MAIL_HOST", "smtp.derogations.example")
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL must be set when MAIL_HOST is"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://pilot.derogations.example")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["MAIL_HOST"]
    # Development writes emails to files: the request's address will do.
    monkeypatch.delenv("MAIL_HOST")
    monkeypatch.delenv("PUBLIC_BASE_URL")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["MAIL_HOST"] == ""


def test_production_needs_a_mail_server_rather_than_writing_emails_to_files(tmp_path, monkeypatch):
    production(monkeypatch, tmp_path)
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://derogations.example")
    monkeypatch.delenv("MAIL_HOST", raising=False)
    with pytest.raises(ConfigurationError, match="MAIL_HOST"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("MAIL_HOST", "smtp.derogations.example")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["MAIL_HOST"]


def test_production_says_where_limits_count_and_how_many_proxies_stand_in_front(
    tmp_path, monkeypatch
):
    """Counted in memory, each worker counts on its own (four workers, four times every
    limit); the wrong number of proxies puts everyone behind one address, or lets anyone
    write theirs. Production starts only once both are stated."""
    production(monkeypatch, tmp_path, complete=True)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI")
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("RATELIMIT_ENABLED", "false")  # no limits: nowhere to count them
    assert not create_app({"INSTANCE_PATH": str(tmp_path)}).config["RATELIMIT_ENABLED"]
    monkeypatch.delenv("RATELIMIT_ENABLED")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")  # stated: one process
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["RATELIMIT_ENABLED"]
    monkeypatch.delenv("TRUSTED_PROXIES")
    with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES must be set"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("TRUSTED_PROXIES", "one")
    with pytest.raises(ConfigurationError, match="number of proxies"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["TRUSTED_PROXIES"] == 1
    # Development keeps its defaults: memory, no proxy.
    monkeypatch.delenv("WIZARD_ENV")
    monkeypatch.delenv("TRUSTED_PROXIES")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["TRUSTED_PROXIES"] == 0


def test_the_pool_tests_connections_for_a_server_database_only(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    sqlite = create_app({"INSTANCE_PATH": str(tmp_path)})
    # No test of the connection; writers wait for each other longer than an email may take.
    assert sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"] == {
        "connect_args": {"timeout": 30},
        "hide_parameters": True,  # a failed statement's values are people's answers
    }
    server = create_app(
        {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://h/x"}
    )
    assert server.config["SQLALCHEMY_ENGINE_OPTIONS"] == {
        "pool_pre_ping": True,
        "hide_parameters": True,
    }


def test_the_server_app_keeps_what_start_up_made_out_of_the_cycle_collectors_walk(tmp_path):
    # Else a full collection walks it all while every thread of the worker waits.
    with create_app({"INSTANCE_PATH": str(tmp_path)}).app_context():
        upgrade(directory=str(MIGRATIONS))
    try:
        app = create_app_for_server({"INSTANCE_PATH": str(tmp_path)})
        assert gc.get_freeze_count() > 10_000
        assert app.test_client().get("/healthz").status_code == 200
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(
    ("name", "default"), [("EMAIL_UNDO_DAYS", 7), ("PERIOD_END_REMINDER_DAYS", 30)]
)
def test_days_set_in_the_environment_are_a_whole_number_of_one_or_more(
    tmp_path, monkeypatch, name, default
):
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config[name] == default
    for wrong in ("0", "-3", "0.5", "a week"):
        monkeypatch.setenv(name, wrong)
        with pytest.raises(ConfigurationError, match=f"{name} must be a whole number"):
            create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv(name, "14")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config[name] == 14


def test_production_refuses_a_mode_it_does_not_know(tmp_path, monkeypatch):
    """A mistyped "prod" would run development's defaults (cookies without Secure, a
    self-made signing key, demo accounts) on a real server."""
    for mistyped in ("prod", "Production ", "live"):
        monkeypatch.setenv("WIZARD_ENV", mistyped)
        with pytest.raises(ConfigurationError, match='WIZARD_ENV must be "production" or'):
            create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("WIZARD_ENV", "development")
    assert not create_app({"INSTANCE_PATH": str(tmp_path)}).config["PRODUCTION"]


def test_production_names_its_database_its_files_and_its_signing_key(tmp_path, monkeypatch):
    """Never development's defaults under instance/ (an empty portal, whose `uploads prune`
    would take every filed document for an orphan), and never a first receipt failing for a
    signing key not set or not there."""
    production(monkeypatch, tmp_path, complete=True)
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["PRODUCTION"]
    for name in ("DATABASE_URL", "UPLOAD_FOLDER"):
        with monkeypatch.context() as unset:
            unset.delenv(name)
            with pytest.raises(ConfigurationError, match=f"Set {name} in production"):
                create_app({"INSTANCE_PATH": str(tmp_path)})
    with monkeypatch.context() as unset:
        unset.delenv("RECEIPT_CERT_PATH")
        with pytest.raises(ConfigurationError, match="Set RECEIPT_PKCS12_PATH, or RECEIPT_KEY"):
            create_app({"INSTANCE_PATH": str(tmp_path)})
    with monkeypatch.context() as wrong:
        wrong.setenv("RECEIPT_KEY_PATH", str(tmp_path / "no-such-key.pem"))
        with pytest.raises(ConfigurationError, match="RECEIPT_KEY_PATH names no file"):
            create_app({"INSTANCE_PATH": str(tmp_path)})


@pytest.mark.parametrize("name", ["MAX_UPLOAD_MB", "SESSION_IDLE_MINUTES", "MAIL_PORT"])
def test_numbers_set_in_the_environment_are_said_wrong_by_name(tmp_path, monkeypatch, name):
    for wrong in ("abc", "0", "-1", "2.5"):
        monkeypatch.setenv(name, wrong)
        with pytest.raises(ConfigurationError, match=f"{name} must be a whole number"):
            create_app({"INSTANCE_PATH": str(tmp_path)})


def test_the_log_tells_what_people_did_from_info_on_unless_set_otherwise(tmp_path, monkeypatch):
    import logging

    assert create_app({"INSTANCE_PATH": str(tmp_path)}).logger.level == logging.INFO
    monkeypatch.setenv("LOG_LEVEL", "warning")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).logger.level == logging.WARNING
    monkeypatch.setenv("LOG_LEVEL", "loud")
    with pytest.raises(ConfigurationError, match="LOG_LEVEL must be"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


@pytest.mark.parametrize("name", ["MAIL_USE_TLS", "RATELIMIT_ENABLED"])
def test_an_on_off_setting_mistyped_refuses_to_start(tmp_path, monkeypatch, name):
    """ "flase" read as off would send mail without TLS, or lift every limit."""
    for wrong in ("flase", "enabled", "2", ""):  # set empty: read as off once, never on
        monkeypatch.setenv(name, wrong)
        with pytest.raises(ConfigurationError, match=f"{name} must be on or off"):
            create_app({"INSTANCE_PATH": str(tmp_path)})
    for off in ("0", "false", "No", " off "):
        monkeypatch.setenv(name, off)
        assert create_app({"INSTANCE_PATH": str(tmp_path)}).config[name] is False


@pytest.mark.parametrize("name", ["LOGIN_RATE_LIMIT_ACCOUNT", "INVITE_RATE_LIMIT"])
def test_a_rate_limit_mistyped_refuses_to_start_rather_than_protect_nothing(
    tmp_path, monkeypatch, name
):
    monkeypatch.setenv(name, "two per hour")
    with pytest.raises(ConfigurationError, match=f"{name} must be a rate limit"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv(name, "2 per hour")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config[name] == "2 per hour"


def test_emails_come_from_the_portals_own_domain_unless_a_sender_is_set(tmp_path, monkeypatch):
    production(monkeypatch, tmp_path)
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("MAIL_HOST", "smtp.derogations.example")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://derogations.example.fr/portail")
    monkeypatch.delenv("MAIL_SENDER", raising=False)
    sender = create_app({"INSTANCE_PATH": str(tmp_path)}).config["MAIL_SENDER"]
    assert sender == "no-reply@derogations.example.fr"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://10.1.2.3")  # no domain to send from
    sender = create_app({"INSTANCE_PATH": str(tmp_path)}).config["MAIL_SENDER"]
    assert sender == "no-reply@derogation.localhost"
    monkeypatch.setenv("MAIL_SENDER", "ne-pas-repondre@ansm.sante.fr")
    sender = create_app({"INSTANCE_PATH": str(tmp_path)}).config["MAIL_SENDER"]
    assert sender == "ne-pas-repondre@ansm.sante.fr"


def test_production_refuses_to_start_with_a_signing_key_that_does_not_load(tmp_path, monkeypatch):
    """Else requests are filed without a receipt, and no decision can be signed."""
    production(monkeypatch, tmp_path, complete=True)
    with monkeypatch.context() as wrong:
        wrong.setenv("RECEIPT_KEY_PATH", os.environ["RECEIPT_CERT_PATH"])  # not a key
        with pytest.raises(ConfigurationError, match="signing key or trust roots cannot be"):
            create_app({"INSTANCE_PATH": str(tmp_path)})
    with monkeypatch.context() as wrong:
        wrong.setenv("RECEIPT_TRUST_ROOTS", str(tmp_path / "no-such-ca.pem"))
        with pytest.raises(ConfigurationError, match="signing key or trust roots cannot be"):
            create_app({"INSTANCE_PATH": str(tmp_path)})
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["PRODUCTION"]


def test_production_refuses_to_start_without_its_french_pages(tmp_path, monkeypatch):
    """Compiled by `make translations`, never committed: without them, English for all."""
    production(monkeypatch, tmp_path, complete=True)
    settings = {"INSTANCE_PATH": str(tmp_path), "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path)}
    with pytest.raises(ConfigurationError, match="run `make translations`"):
        create_app(settings)


def test_the_server_refuses_to_start_on_a_database_its_migrations_have_not_reached(
    tmp_path, monkeypatch
):
    """The code upgraded, `flask db upgrade` forgotten: the health check would answer and the
    first sign-in fail on a missing column."""
    monkeypatch.delenv("DATABASE_URL", raising=False)  # a database of its own, in tmp_path
    try:
        with pytest.raises(ConfigurationError, match="run `flask --app wizard db upgrade`"):
            create_app_for_server({"INSTANCE_PATH": str(tmp_path)})
        app = create_app({"INSTANCE_PATH": str(tmp_path)})
        with app.app_context():
            upgrade(directory=str(MIGRATIONS), revision="9e2c7d4a1b63")  # one behind
        with pytest.raises(ConfigurationError, match="is at migration 9e2c7d4a1b63"):
            create_app_for_server({"INSTANCE_PATH": str(tmp_path)})
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
        assert create_app_for_server({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
        # Migrated by a later version (this one put back): not "run db upgrade", which fails.
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0123456789ab'"))
        with pytest.raises(ConfigurationError, match="migrated by a later version"):
            create_app_for_server({"INSTANCE_PATH": str(tmp_path)})
    finally:
        gc.unfreeze()


def test_installed_without_its_checkout_the_portal_says_how_to_install_it(tmp_path, monkeypatch):
    """A plain `pip install .` copies the package alone: every page would answer 500."""
    import wizard

    monkeypatch.setattr(wizard, "ROOT", tmp_path)
    with pytest.raises(ConfigurationError, match=r"pip install -e '\.\[production\]'"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_with_the_limits_store_unreachable_sign_in_works_and_is_still_limited(tmp_path):
    """Redis down: each process counts on its own meanwhile, rather than every sign-in
    failing with a server error."""
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",  # nothing listens there
            "LOGIN_RATE_LIMIT_ACCOUNT": "3 per hour",
        }
    )
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    client = app.test_client()
    wrong = {"email": "claire@cardiotech.example", "password": "not the password at all"}
    sent = [client.post("/login", data=wrong).status_code for _ in range(4)]
    assert sent == [422, 422, 422, 429]


def test_the_sqlite_database_is_readable_by_the_servers_user_alone(tmp_path, monkeypatch):
    """It holds health data and password hashes, as the backups (0600) do."""
    monkeypatch.delenv("DATABASE_URL", raising=False)  # (the PostgreSQL run's)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        assert app.test_client().get("/login").status_code == 200
    files = list(tmp_path.glob("wizard.sqlite3*"))
    assert files and all(file.stat().st_mode & 0o077 == 0 for file in files), files


def test_the_public_address_is_kept_as_browsers_write_it(tmp_path, monkeypatch):
    """Its default port left out, as in the Referer a page of the portal sends."""
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://derogations.example:443/portail/")
    address = create_app({"INSTANCE_PATH": str(tmp_path)}).config["PUBLIC_BASE_URL"]
    assert address == "https://derogations.example/portail"
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://derogations.example:8443")
    address = create_app({"INSTANCE_PATH": str(tmp_path)}).config["PUBLIC_BASE_URL"]
    assert address == "https://derogations.example:8443"


def test_a_flask_command_says_a_refused_setting_in_one_line(tmp_path):
    """The operator reads "Error: …", not a traceback whose last line says it."""
    import subprocess
    import sys

    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "WIZARD_ENV": "production"}
    said = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wizard", "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert said.returncode == 1
    assert said.stderr.strip() == "Error: Set DATABASE_URL and UPLOAD_FOLDER in production."
