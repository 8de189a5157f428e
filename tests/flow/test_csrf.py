"""Every state-changing request needs the CSRF token, htmx ones included."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, dossier_with, make_user
from wizard import create_app
from wizard.extensions import db


@pytest.fixture
def csrf_app(app, tmp_path):
    # Same database as the session app, with CSRF protection switched on.
    protected = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "UPLOAD_FOLDER": tmp_path / "up",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    assert protected.config["WTF_CSRF_ENABLED"] is not False
    return protected


def token_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_posts_without_a_token_are_refused_and_with_it_accepted(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        user = make_user()
        email = user.email
        dossier_id = dossier_with(user.id, steps=["before-you-start"], files=False)
    refused = client.post("/login", data={"email": email, "password": PASSWORD})
    assert refused.status_code == 400 and "Your form expired" in refused.text
    token = token_from(client.get("/login").text)
    signed_in = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 303

    step_url = f"/requests/{dossier_id}/steps/situation"
    assert client.post(step_url, data={"reason": "never_certified"}).status_code == 400
    assert (
        client.post(
            f"{step_url}/validate",
            data={"reason": "x"},
            headers={"HX-Request": "true", "HX-Trigger-Name": "reason"},
        ).status_code
        == 400
    )
    assert client.post("/requests").status_code == 400
    assert client.post("/logout").status_code == 400

    page = client.get(step_url).text
    token = token_from(page)
    live = client.post(
        f"{step_url}/validate",
        data={"reason": "never_certified"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "reason", "X-CSRFToken": token},
    )
    assert live.status_code == 200
    saved = client.post(step_url, data={"reason": "never_certified", "csrf_token": token})
    assert saved.status_code == 303
    with csrf_app.app_context():
        from wizard.models import Dossier

        assert db.session.get(Dossier, dossier_id).answers()["situation"] == {
            "reason": "never_certified"
        }
