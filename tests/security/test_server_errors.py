"""A failure of the server's own (the database among them) shows the portal's page, not the
server's bare words: with what a form carried, to copy, and drawn as for anyone when the
signed-in person can no longer be read. Monitoring can tell the database is not answering.

The database fails for real here: a private app on its own SQLite file, whose tables are
renamed away, as a failed migration or a restore half done would leave them. With TESTING
off, as a server runs, so that Flask hands the failure to the portal's error page."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from tests.conftest import dossier_with, login, make_user, post_step
from wizard import create_app
from wizard.demo import sample_answers
from wizard.extensions import db


@pytest.fixture
def server(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "UPLOAD_FOLDER": tmp_path / "uploads",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade(directory="migrations")
        user = make_user()
        dossier_id = dossier_with(user.id, steps=["before-you-start", "situation"])
    client = app.test_client()
    assert login(client, "claire@cardiotech.example").status_code == 303
    return app, client, dossier_id


@contextmanager
def table_gone(app, table: str):
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away"))
    try:
        yield
    finally:
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}"))


def test_a_step_the_database_fails_to_save_shows_what_was_typed(server, caplog):
    app, client, dossier_id = server
    typed = "Enfant de 14 kg en impasse thérapeutique, aucune alternative marquée CE."
    with table_gone(app, "step_answers"):
        failed = post_step(client, dossier_id, "medical-need", {"unmet_need": typed})
    assert failed.status_code == 500
    # The log names the failure and where, never the values of the statement that failed:
    # people's answers, health data among them.
    logged = caplog.text
    assert f"Exception on /requests/{dossier_id}/steps/medical-need [POST]" in logged
    assert "no such table: step_answers" in logged
    assert "impasse thérapeutique" not in logged and "parameters hidden" in logged
    page = failed.text
    assert "Sorry, something went wrong on our side" in page
    assert "Internal Server Error" not in page
    assert typed in page  # to copy: nothing of it was saved
    assert "Your requests" in page  # the signed-in person could still be read
    # The database back: the page opens again, signed in as before.
    assert client.get(f"/requests/{dossier_id}/steps/medical-need").status_code == 200


def test_a_page_for_which_the_signed_in_person_cannot_be_read_is_drawn_as_for_anyone(server):
    app, client, dossier_id = server
    with table_gone(app, "users"):
        failed = client.get(f"/requests/{dossier_id}/steps/situation")
        assert failed.status_code == 500
        assert "Sorry, something went wrong on our side" in failed.text
        assert "Sign out" not in failed.text and "Your requests" not in failed.text
    assert client.get(f"/requests/{dossier_id}/steps/situation").status_code == 200


def test_readiness_says_whether_the_database_answers(server, tmp_path):
    app, client, _dossier_id = server
    ready = client.get("/healthz/ready")
    assert (ready.status_code, ready.text) == (200, "ok")
    unreachable = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "other"),
            # A folder that does not exist: SQLite cannot open the file.
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'nowhere' / 'portal.sqlite3'}",
        }
    )
    down = unreachable.test_client().get("/healthz/ready")
    assert (down.status_code, down.text) == (503, "database unavailable")
    assert unreachable.test_client().get("/healthz").status_code == 200


def test_a_failure_on_a_page_opened_through_an_emailed_link_logs_no_token(server, caplog):
    """Whoever reads the log could open the link: the route is logged, not the address."""
    app, client, _dossier_id = server
    token = "Zq3x9-secret-invitation-token-that-opens-the-page"
    with table_gone(app, "invitations"):
        assert client.get(f"/invitations/{token}").status_code == 500
    assert "Exception on /invitations/<token> [GET]" in caplog.text
    assert token not in caplog.text


def test_the_log_leaves_out_the_values_postgresql_quotes_of_a_statement_it_refused(
    app, client, caplog, monkeypatch
):
    """PostgreSQL's detail of a refused row quotes the row ("Failing row contains (…)"):
    the step's answers, health data, which the statement's hidden parameters no longer hide."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite's refusals quote no values")
        user = make_user()
        dossier_id = dossier_with(user.id, steps=["before-you-start", "situation"])
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # handled as a server does
    login(client, "claire@cardiotech.example")
    typed = "Enfant de 14 kg en impasse thérapeutique, aucune alternative marquée CE."
    refusal = "ALTER TABLE step_answers ADD CONSTRAINT refuse_new CHECK (false) NOT VALID"
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(refusal))
    try:
        answers = {**sample_answers()["medical-need"], "unmet_need": typed}
        failed = post_step(client, dossier_id, "medical-need", answers)
    finally:
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE step_answers DROP CONSTRAINT refuse_new"))
    assert failed.status_code == 500
    assert typed in failed.text  # the page gives it back to copy
    logged = caplog.text
    assert 'violates check constraint "refuse_new"' in logged  # what failed, still said
    assert "DETAIL:  (hidden: it may hold people's answers)" in logged
    assert "impasse" not in logged and "Failing row" not in logged
