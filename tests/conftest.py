"""Fixtures: one app and database per test session (SQLite, or PostgreSQL via DATABASE_URL),
emptied after each test; factories for users, organisations and requests at a given step."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text

from wizard import create_app
from wizard.clock import now
from wizard.demo import attach_sample_files, minimal_pdf, sample_answers, sample_declaration
from wizard.extensions import db
from wizard.filing import service
from wizard.forms.base import to_formdata
from wizard.models import Dossier, Organisation, Role, User

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "UPLOAD_FOLDER": instance / "uploads",
            "WTF_CSRF_ENABLED": False,
            "MAX_UPLOAD_BYTES": 200 * 1024,
            # One test switches it on (tests/invites/test_rate_limit.py).
            "RATELIMIT_ENABLED": False,
        }
    )
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=str(Path(__file__).parent.parent / "migrations"))
    yield application


@pytest.fixture(autouse=True)
def _clean_database(request) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


class EnglishBrowser(FlaskClient):
    """Test clients say they prefer English, so tests read the English wording; French, the
    default, is tested by clients that ask for it (`Accept-Language: fr`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")

    def open(self, *args, buffered=True, **kwargs):
        # Each response read whole and closed, as a server closes it once sent: what the
        # emails sent after the response wait for (`mail.send_after_response`).
        return super().open(*args, buffered=buffered, **kwargs)


Flask.test_client_class = EnglishBrowser


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


def make_user(email="claire@cardiotech.example", organisation="Cardiotech", role=Role.MANUFACTURER):
    org = Organisation(name=organisation) if role == Role.MANUFACTURER else None
    user = User(
        email=email, name="Claire Martin", role=role, organisation=org, email_confirmed_at=now()
    )
    if role == Role.REVIEWER:
        user.job_title = "Head of the medical devices division"
        user.signing_delegation = "décision DG n° 2026-12 du 5 janvier 2026"
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def make_colleague(user_id: int, email: str, name: str = "Marc Durand") -> User:
    """Another account of the same organisation."""
    colleague = User(
        email=email,
        name=name,
        organisation_id=db.session.get(User, user_id).organisation_id,
        email_confirmed_at=now(),
    )
    colleague.set_password(PASSWORD)
    db.session.add(colleague)
    db.session.commit()
    return colleague


def login(client: FlaskClient, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def user(app):
    with app.app_context():
        created = make_user()
        return created.id, created.email


@pytest.fixture
def logged_in(client, user) -> FlaskClient:
    response = login(client, user[1])
    assert response.status_code == 303
    return client


def post_step(client, dossier_id, step_id, values, *, htmx=False, action="continue", query=""):
    data = to_formdata(values)
    data["action"] = action
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/requests/{dossier_id}/steps/{step_id}{query}", data=data, headers=headers)


def checked_on_the_check_page(client, dossier_id: int) -> str | None:
    """What the check-your-answers page's link to the declaration carries: the version of the
    request checked there (None if the request is not ready to sign)."""
    page = client.get(f"/requests/{dossier_id}/steps/check").text
    found = re.search(r'/steps/declaration\?checked=([^"&]+)"', page)
    return found.group(1) if found else None


def sign_and_submit(client, dossier_id: int, declaration=None, *, htmx=False):
    """Sign the declaration as a browser does: after the check-your-answers page."""
    values = dict(declaration or sample_declaration())
    checked = checked_on_the_check_page(client, dossier_id)
    if checked is not None:
        values["checked"] = checked
    return post_step(client, dossier_id, "declaration", values, htmx=htmx)


def upload_document(client, dossier_id: int, name: str, kind: str = "clinical_evaluation"):
    """A document uploaded on the evidence step (a small real PDF named `name`)."""
    return client.post(
        f"/requests/{dossier_id}/documents",
        data={
            "document-kind": kind,
            "document-file": (io.BytesIO(minimal_pdf(name)), name),
        },
        content_type="multipart/form-data",
    )


def attach_files(dossier: Dossier, user_id: int, *, letters: int = 1) -> None:
    attach_sample_files(dossier.id, user_id, letters=letters)


def dossier_with(
    user_id: int, path="individual", *, steps=None, files=True, submit=False, changes=None
) -> int:
    """A request of `user_id`'s organisation with the sample answers of `steps` (all by
    default); `changes`: answers other than the samples', by step ({step: {question: answer}},
    None for no answer)."""
    owner = db.session.get(User, user_id)
    dossier = service.create_dossier(owner)
    answers = sample_answers(path)
    for step_id, changed in (changes or {}).items():
        merged = {**answers[step_id], **changed}
        answers[step_id] = {name: value for name, value in merged.items() if value is not None}
    for step_id in steps if steps is not None else answers:
        service.save_step(dossier, step_id, answers[step_id])
    if files:
        attach_files(dossier, user_id)
    if submit:
        service.submit(dossier, owner, sample_declaration())
    return dossier.id


def reference_in(html: str) -> str | None:
    match = re.search(r"DA-\d{4}-\d{6}", html)
    return match.group(0) if match else None


@pytest.fixture
def limited_app(app, tmp_path):
    """The app with rate limits on (the test session's app has them off), CSRF off."""
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_RATE_LIMIT_ADDRESS": "20 per minute",
            "LOGIN_RATE_LIMIT_ACCOUNT": "5 per 15 minutes",
        }
    )


def without_csrf_tokens(page: str) -> str:
    """A page without its CSRF tokens: each is signed with the second it was made in, so two
    renderings of one page differ there when they straddle a second."""
    return re.sub(r'(X-CSRFToken": "|name="csrf_token" value=")[^"]+', r"\1", page)


@contextmanager
def statements_sent(app: Flask) -> Iterator[list[str]]:
    """The SQL statements sent to the database meanwhile, listed as they go."""
    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def listen(_connection, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", listen)
