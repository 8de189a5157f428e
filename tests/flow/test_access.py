"""Only the filing organisation sees or touches its requests and files; reviewers never file."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, dossier_with, login, make_user
from wizard.clock import now
from wizard.extensions import db
from wizard.models import Dossier, Role


@pytest.fixture
def other_organisations_request(app, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], "individual")
        dossier = db.session.get(Dossier, dossier_id)
        return dossier_id, dossier.documents[0].id, dossier.hcp_letters[0].id


def urls_of(dossier_id, document_id, letter_id):
    base = f"/requests/{dossier_id}"
    return {
        "GET": [
            base,
            f"{base}/steps/device",
            f"{base}/steps/check",
            f"{base}/steps/declaration",
            f"{base}/steps/confirmation",
            f"{base}/submitted",
            f"{base}/documents/{document_id}",
            f"{base}/letters/{letter_id}",
        ],
        "POST": [
            f"{base}/steps/device",
            f"{base}/steps/device/validate",
            f"{base}/documents",
            f"{base}/letters",
            f"{base}/documents/{document_id}/delete",
            f"{base}/letters/{letter_id}/delete",
            f"{base}/steps/declaration",
        ],
    }


def test_another_organisation_gets_404_on_every_url_of_the_request(
    app, client, other_organisations_request
):
    with app.app_context():
        make_user("eve@rival.example", "Rival Devices")
    login(client, "eve@rival.example")
    for method, urls in urls_of(*other_organisations_request).items():
        for url in urls:
            response = client.open(url, method=method, data={"trade_name": "stolen"})
            assert response.status_code == 404, (method, url, response.status_code)
    with app.app_context():
        dossier = db.session.get(Dossier, other_organisations_request[0])
        assert dossier.answers()["device"]["trade_name"] == "VentriAssist Mini"
        assert len(dossier.documents) == 1 and len(dossier.hcp_letters) == 1
    assert "VentriAssist" not in client.get("/dashboard").text


def test_a_reviewer_cannot_file_or_open_the_filing_pages(app, client, other_organisations_request):
    with app.app_context():
        make_user("rita@ansm.example", role=Role.REVIEWER)
    login(client, "rita@ansm.example")
    assert client.get("/dashboard").status_code == 403
    assert client.post("/requests").status_code == 403
    for method, urls in urls_of(*other_organisations_request).items():
        for url in urls:
            assert client.open(url, method=method).status_code == 403, url


def assert_asked_to_sign_in(response, method: str, url: str) -> None:
    """A page sends an anonymous visitor to sign in; a form is refused saying so (401), what
    was typed shown to copy."""
    if method == "GET":
        assert response.status_code == 302 and "/login" in response.location, url
    else:
        assert response.status_code == 401 and "You were signed out" in response.text, url


def test_anonymous_visitors_are_sent_to_sign_in(client, other_organisations_request):
    for method, urls in urls_of(*other_organisations_request).items():
        for url in urls:
            response = client.open(url, method=method)
            assert_asked_to_sign_in(response, method, url)


def test_the_filing_organisation_downloads_its_documents_as_attachments(
    app, client, user, other_organisations_request
):
    login(client, user[1], PASSWORD)
    dossier_id, document_id, _letter = other_organisations_request
    response = client.get(f"/requests/{dossier_id}/documents/{document_id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"%PDF-")


def test_a_colleague_of_the_same_organisation_sees_the_request(app, client, user):
    with app.app_context():
        dossier_id = dossier_with(user[0], files=False)
        owner = db.session.get(Dossier, dossier_id).organisation
        from wizard.models import User

        colleague = User(
            email="bob@cardiotech.example",
            name="Bob",
            organisation=owner,
            email_confirmed_at=now(),
        )
        colleague.set_password(PASSWORD)
        db.session.add(colleague)
        db.session.commit()
    login(client, "bob@cardiotech.example")
    assert client.get(f"/requests/{dossier_id}/steps/device").status_code == 200


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999999999"])
def test_a_number_no_row_can_have_is_simply_not_found(app, logged_in, number):
    """Beyond the database's integers the query itself would fail: the URL matches nothing."""
    for url in (
        f"/requests/{number}",
        f"/requests/{number}/steps/device",
        f"/requests/{number}/documents/1",
        f"/requests/1/documents/{number}",
    ):
        response = logged_in.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.text
        # The way back is the manufacturer's own requests.
        assert '<a href="/dashboard">Back to your requests</a>' in response.text
    anonymous = app.test_client().get(f"/review/requests/{number}")
    assert anonymous.status_code == 404
    assert "Back to your requests" not in anonymous.text  # no requests of theirs: the start
    assert "Go to the start page" in anonymous.text
