"""Submitting a request is the first change of status the manufacturer hears of by email: its
reference, that the answers are frozen, and where the signed receipt is."""

from __future__ import annotations

from tests.conftest import dossier_with, login, sign_and_submit
from tests.invites.support import body_of
from tests.review.support import dossier


def test_the_filer_is_emailed_when_the_request_is_submitted(app, client, user, inbox):
    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
    login(client, user[1])
    assert sign_and_submit(client, dossier_id).status_code == 303
    with app.app_context():
        reference = dossier(dossier_id).reference
    [sent] = inbox.to(user[1])
    assert sent["Subject"].split(" / ")[-1] == f"Request {reference} is submitted to ANSM"
    body = body_of(sent)
    assert f"Your request {reference} for the device" in body
    assert "Its signed receipt (PDF) is on the page of your request" in body
    assert f"http://localhost/requests/{dossier_id}/submitted" in body
    assert body.index("Bonjour") < body.index("Hello")  # French, then English
