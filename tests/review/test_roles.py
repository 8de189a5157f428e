"""A manufacturer can never review and a reviewer can never file: every URL of the other side
answers 403, whatever the method. A reviewer never sees a draft; another organisation never
sees a request's decisions or answers."""

from __future__ import annotations

from tests.conftest import dossier_with, login, make_user
from tests.flow.test_access import assert_asked_to_sign_in
from tests.review.support import act, document, dossier, questions, reply
from wizard.models import Role

METHODS = ("GET", "POST")


def urls_of(app, blueprints, values):
    """Every (method, URL) of the blueprints' routes, built from `values`; each action name
    of an `any(...)` segment separately."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in blueprints:
            continue
        choices = [{}]
        if "name" in rule.arguments:
            choices = [{"name": n} for n in rule._converters["name"].items]
        for extra in choices:
            url = adapter.build(rule.endpoint, {**values, **extra})
            for method in METHODS:
                if method in rule.methods:
                    yield method, url


def a_request_with_everything(app, user_id, reviewer, manufacturer):
    """A submitted request with a question answered with a document, and a decision."""
    with app.app_context():
        dossier_id = dossier_with(user_id, "global", submit=True)
    act(reviewer, dossier_id, "start-review")
    act(reviewer, dossier_id, "request-information")
    with app.app_context():
        question_id = questions(dossier_id)[0].id
    reply(manufacturer, dossier_id, question_id, files=[document()])
    act(reviewer, dossier_id, "refuse")
    with app.app_context():
        current = dossier(dossier_id)
        return {
            "dossier_id": dossier_id,
            "item_id": current.documents[0].id,
            "question_id": question_id,
            "number": 1,
            "step_id": "device",
            "part": "invite",  # step 9's invitation, checked live
            "token": "x" * 43,
            "invitation_id": 1,
            "removal_id": 1,
            "report_id": 1,
        }, questions(dossier_id)[0].replies[0].documents[0].id


def test_a_manufacturer_gets_403_on_every_reviewer_url(app, user, reviewer, manufacturer):
    values, _reply_document = a_request_with_everything(app, user[0], reviewer, manufacturer)
    tried = 0
    for method, url in urls_of(app, {"review"}, values):
        response = manufacturer.open(url, method=method, data={"authorise-reason": "mine"})
        assert response.status_code == 403, (method, url)
        tried += 1
    assert tried >= 14  # the queue, the page, seven actions, five downloads
    anonymous = app.test_client()
    for method, url in urls_of(app, {"review"}, values):
        assert_asked_to_sign_in(anonymous.open(url, method=method), method, url)


def test_a_reviewer_gets_403_on_every_filing_url(app, user, reviewer, manufacturer):
    values, _reply_document = a_request_with_everything(app, user[0], reviewer, manufacturer)
    with app.app_context():
        before = dossier(values["dossier_id"]).submitted_answers
    tried = 0
    for method, url in urls_of(app, {"filing", "review_filer"}, values):
        response = reviewer.open(url, method=method, data={"trade_name": "changed"})
        assert response.status_code == 403, (method, url)
        tried += 1
    assert tried >= 20
    with app.app_context():
        assert dossier(values["dossier_id"]).submitted_answers == before


def test_a_reviewer_never_sees_a_draft(app, user, reviewer):
    with app.app_context():
        draft_id = dossier_with(user[0], "individual")
    assert reviewer.get(f"/review/requests/{draft_id}").status_code == 404
    assert act(reviewer, draft_id, "start-review").status_code == 404
    assert "VentriAssist" not in reviewer.get("/review").text


def test_another_organisation_sees_nothing_of_the_review(app, user, reviewer, manufacturer):
    values, reply_document = a_request_with_everything(app, user[0], reviewer, manufacturer)
    with app.app_context():
        make_user("eve@rival.example", "Rival Devices")
    rival = app.test_client()
    login(rival, "eve@rival.example")
    dossier_id = values["dossier_id"]
    for url in (
        f"/requests/{dossier_id}/decisions/1.pdf",
        f"/requests/{dossier_id}/reply-documents/{reply_document}",
        f"/requests/{dossier_id}/submitted",
    ):
        assert rival.get(url).status_code == 404, url
    for url in (
        f"/requests/{dossier_id}/withdraw",
        f"/requests/{dossier_id}/questions/{values['question_id']}/reply",
    ):
        assert rival.post(url, data={"withdraw-reason": "x"}).status_code == 404, url


def test_a_reviewer_lands_on_the_queue_and_finds_it_in_the_header(app, reviewer):
    with app.app_context():
        make_user("rex@ansm.example", role=Role.REVIEWER)
    client = app.test_client()
    signed_in = login(client, "rex@ansm.example")
    assert signed_in.location == "/review"
    assert '<a href="/review">Review queue</a>' in client.get("/review").text


def test_signing_out_tells_each_what_is_kept(app, reviewer, manufacturer):
    """A manufacturer's answers are saved; a reviewer has none, and is not told of any."""
    reviewer.post("/logout")
    page = reviewer.get("/login").text
    assert "You are signed out." in page and "answers you saved are kept" not in page
    manufacturer.post("/logout")
    assert "You are signed out. The answers you saved are kept." in manufacturer.get("/login").text
