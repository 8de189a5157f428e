"""Every route that takes a form (read from the URL map, so a new one is covered at once)
refuses it without the CSRF token, as an htmx request too, whoever sends it, and nothing
changes: no audit event, no request's status, no session signed out."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.flow.test_csrf import csrf_app  # noqa: F401  (the app with CSRF switched on)
from tests.security.test_authorization_matrix import world  # noqa: F401
from wizard.extensions import db
from wizard.models import AuditEvent, Dossier

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Signing out takes no token from a page of the portal: a tab older than the session must
# still sign out (tests/flow/test_csrf.py, where another site's attempt is refused).
NOT_SWEPT = {"auth.logout"}
EXPIRED = "Your form expired"
SIGNED_OUT = "You were signed out"


def signed_in(app, email: str):
    client = app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
    )
    assert answer.status_code == 303
    return client


def state(app, dossier_id: int) -> tuple:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
            db.session.get(Dossier, dossier_id).status,
        )


def test_every_form_route_refuses_a_form_without_its_token(csrf_app, world):  # noqa: F811
    browsers = {
        "anonymous": csrf_app.test_client(),
        "owner": signed_in(csrf_app, "owner@a.example"),
        "other organisation": signed_in(csrf_app, "other@b.example"),
        "reviewer": signed_in(csrf_app, "reviewer@ansm.example"),
    }
    before = state(csrf_app, world["dossier_id"])
    adapter = csrf_app.url_map.bind("localhost")
    swept, problems = 0, []
    for rule in sorted(csrf_app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = rule.methods & CHANGING
        if not methods or rule.endpoint in NOT_SWEPT:
            continue
        url = adapter.build(rule.endpoint, {k: world[k] for k in rule.arguments})
        for method in sorted(methods):
            for role, browser in browsers.items():
                for headers in ({}, {"HX-Request": "true"}):
                    answer = browser.open(url, method=method, data={"x": "y"}, headers=headers)
                    said = EXPIRED in answer.text or SIGNED_OUT in answer.text
                    if answer.status_code != 400 or not said:
                        problems.append((method, url, role, headers, answer.status_code))
                    swept += 1
    assert not problems, problems
    assert swept > 200  # every form of the portal, four people, plain and htmx
    assert state(csrf_app, world["dossier_id"]) == before
    # Still signed in: a refused form signs no one out.
    for role in ("owner", "reviewer"):
        assert browsers[role].get("/account").status_code == 200, role
