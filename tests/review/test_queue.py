"""The review queue: oldest first, filters by status, type of access, device class and date of
submission, a search by reference or manufacturer, and counts per status. A plain GET form."""

from __future__ import annotations

import copy
import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import attach_files, make_user
from tests.review.support import DUE, DUE_SAID, act
from tests.review.test_professional_questions import ask_the_author
from wizard import clock
from wizard.demo import sample_answers, sample_declaration
from wizard.extensions import db
from wizard.filing import service
from wizard.models import Dossier, User


def filed(
    user_id, path, submitted_at, device_class="III", status=None, manufacturer=None, device=None
) -> str:
    owner = db.session.get(User, user_id)
    dossier = service.create_dossier(owner)
    answers = sample_answers(path)
    legal_name = manufacturer or owner.organisation.name
    answers["manufacturer"] = {**answers["manufacturer"], "legal_name": legal_name}
    answers["device"] = {**answers["device"], "device_class": device_class}
    if device:
        answers["device"]["trade_name"] = device
    if device_class not in ("III", "IIb"):
        answers["device"]["implantable"] = "no"
    for step_id, values in answers.items():
        service.save_step(dossier, step_id, values)
    attach_files(dossier, user_id)
    service.submit(dossier, owner, sample_declaration())
    values = {"submitted_at": submitted_at, **({"status": status} if status else {})}
    db.session.execute(update(Dossier).where(Dossier.id == dossier.id).values(**values))
    db.session.commit()
    return dossier.reference


@pytest.fixture
def three(app, user, reviewer):
    with app.app_context():
        rival = make_user("eve@rival.example", "Rival Devices").id
        return (
            filed(user[0], "individual", datetime(2026, 1, 10, 12, tzinfo=UTC)),
            filed(rival, "global", datetime(2026, 2, 20, 12, tzinfo=UTC), device_class="IIa"),
            filed(
                user[0],
                "global",
                datetime(2026, 3, 5, 12, tzinfo=UTC),
                status="under_review",
            ),
        )


def listed(page: str) -> list[str]:
    return re.findall(r">(DA-\d{4}-\d{6})</a>", page)


def test_oldest_first_with_counts_per_status(reviewer, three):
    first, second, third = three
    page = reviewer.get("/review").text
    assert listed(page) == [first, second, third]
    assert re.search(r'Submitted <span class="count">2</span>', page)
    assert re.search(r'Under review <span class="count">1</span>', page)
    assert re.search(r'All <span class="count">3</span>', page)
    assert listed(reviewer.get("/review?order=newest").text) == [third, second, first]


def test_the_individual_requests_needed_soonest_come_first_on_demand(app, user, reviewer):
    """An individual request is for a patient whose device is needed by a date: the queue
    shows it and can put the most urgent first, requests without one after."""
    with app.app_context():
        later = filed(user[0], "individual", datetime(2026, 1, 10, 12, tzinfo=UTC))
        sooner = filed(user[0], "individual", datetime(2026, 2, 10, 12, tzinfo=UTC))
        device = filed(user[0], "global", datetime(2026, 1, 1, 12, tzinfo=UTC))
        for reference, needed_by in ((later, "2027-03-01"), (sooner, "2027-01-15")):
            dossier = db.session.scalar(select(Dossier).where(Dossier.reference == reference))
            frozen = copy.deepcopy(dossier.submitted_answers)
            frozen["answers"]["patient"]["needed_by"] = needed_by
            dossier.submitted_answers = frozen
        db.session.commit()
    page = reviewer.get("/review?order=needed").text
    assert listed(page) == [sooner, later, device]
    assert "Needed by" in page and "15 January 2027" in page
    # Decided, the sooner one no longer waits for ANSM: those waiting come first, the global
    # one (no date) included.
    with app.app_context():
        db.session.execute(
            update(Dossier).where(Dossier.reference == sooner).values(status="refused")
        )
        db.session.commit()
    assert listed(reviewer.get("/review?order=needed").text) == [later, device, sooner]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("status=under_review", [2]),
        ("access_type=global", [1, 2]),
        ("access_type=individual", [0]),
        ("device_class=IIa", [1]),
        ("submitted_from=2026-02-01&submitted_to=2026-02-28", [1]),
        ("submitted_to=2026-01-10", [0]),
        ("submitted_from=2026-02-20&submitted_to=2026-02-20", [1]),
        ("q=rival", [1]),
        ("q=CARDIOTECH&access_type=global", [2]),
    ],
)
def test_filters_narrow_the_list(reviewer, three, query, expected):
    assert listed(reviewer.get(f"/review?{query}").text) == [three[i] for i in expected]


def test_search_by_reference_and_counts_follow_the_other_filters(reviewer, three):
    page = reviewer.get(f"/review?q={three[0].lower()}").text
    assert listed(page) == [three[0]]
    assert re.search(r'All <span class="count">1</span>', page)


def test_a_wrong_date_is_explained_and_the_other_filters_still_apply(reviewer, three):
    response = reviewer.get("/review?submitted_from=2026-13-45&access_type=global")
    assert response.status_code == 200
    assert "There is a problem" in response.text and "Enter a real date" in response.text
    assert listed(response.text) == [three[1], three[2]]
    assert 'value="2026-13-45"' in response.text  # what was typed stays in the box
    assert "Not applied until corrected: “Submitted from”." in response.text
    assert "Not applied" not in reviewer.get("/review?access_type=global").text


@pytest.mark.parametrize("page", ["0", "2", "-3", "99999999999999999999999", "x"])
def test_a_page_number_out_of_range_shows_the_nearest_page(reviewer, three, page):
    response = reviewer.get(f"/review?page={page}")
    assert response.status_code == 200
    assert listed(response.text) == list(three)


def test_dates_in_the_wrong_order_are_explained_not_an_empty_list(reviewer, three):
    response = reviewer.get("/review?submitted_from=2026-03-01&submitted_to=2026-02-01")
    assert response.status_code == 200
    # Named, as the error summary lists it apart from the field.
    message = "“Submitted until” cannot be before “Submitted from”: change one of the two dates."
    assert "There is a problem" in response.text
    assert f'<a href="#submitted_to">{message}</a>' in response.text
    assert re.search(
        rf'id="field-submitted_to">.*?{message}.*?value="2026-02-01"', response.text, re.S
    )
    assert 'value="2026-03-01"' in response.text
    # The date in error is left out, and the page says so; the other still applies.
    assert listed(response.text) == [three[2]]
    assert "Not applied until corrected: “Submitted until”." in response.text
    both = reviewer.get(
        "/review?submitted_from=2026-13-45&submitted_to=2026-02-30",
        headers={"Accept-Language": "fr"},
    ).text
    assert (
        "Filtres non appliqués tant qu’ils ne sont pas corrigés\u00a0: "
        "«\u00a0Déposées à partir du\u00a0», «\u00a0Déposées jusqu’au\u00a0»."
    ) in html.unescape(both)


@pytest.mark.parametrize("needle", ["biomedix", "BIOMEDIX", "Biomédix sas", "MÉDIX", "biomÉdix"])
def test_the_search_ignores_case_and_accents(app, reviewer, three, needle):
    with app.app_context():
        owner = make_user("lea@biomedix.example", "Biomédix SAS").id
        found = filed(owner, "global", datetime(2026, 4, 1, 12, tzinfo=UTC))
    page = reviewer.get("/review", query_string={"q": needle}).text
    assert listed(page) == [found]
    assert re.search(r'All <span class="count">1</span>', page)
    assert listed(reviewer.get("/review", query_string={"q": "biomedex"}).text) == []


def test_a_request_filed_for_a_manufacturer_is_found_and_shown_under_its_name(app, user, reviewer):
    """A representative files for a manufacturer: the queue names the manufacturer, and a
    search finds the request by either name."""
    with app.app_context():
        agent = make_user("paul@reg-consult.example", "Reg Consult").id
        reference = filed(
            agent, "global", datetime(2026, 4, 1, 12, tzinfo=UTC), manufacturer="Ostéa Implants"
        )
    page = reviewer.get("/review").text
    assert '<td class="table__typed" data-label="Manufacturer">Ostéa Implants</td>' in page
    assert listed(reviewer.get("/review?q=ostea").text) == [reference]
    assert listed(reviewer.get("/review?q=consult").text) == [reference]
    # A search stores nothing: what looks like a tag is searched for, not refused.
    tagged = reviewer.get("/review?q=<b>Ostéa").text
    assert "Remove the HTML tags" not in tagged and listed(tagged) == []


def test_a_request_is_found_by_its_device_name(app, reviewer, three):
    """Reviewers know a device by its name as well as its maker's."""
    with app.app_context():
        owner = make_user("ines@paedi.example", "Paedi Medical").id
        found = filed(owner, "global", datetime(2026, 4, 2, 12, tzinfo=UTC), device="PaediFlöw 2")
    assert listed(reviewer.get("/review", query_string={"q": "paediflow"}).text) == [found]
    page = reviewer.get("/review").text
    assert "Reference, manufacturer, device or establishment" in page


def test_requests_for_one_device_or_one_establishment_are_found_together(app, reviewer, three):
    """By the device's model or UDI-DI, whatever it is called; by the establishment where
    the patient is treated, or that a global request names; a reference pasted with
    non-breaking hyphens is found as typed with hyphens."""
    individual, global_, third = three
    device = sample_answers("individual")["device"]
    every = sorted(listed(reviewer.get("/review").text))
    assert sorted(listed(reviewer.get("/review", query_string={"q": device["udi_di"]}).text)) == (
        every
    )
    assert sorted(listed(reviewer.get("/review", query_string={"q": device["model"]}).text)) == (
        every
    )
    patient = sample_answers("individual")["patient"]["establishment_name"]
    found = listed(reviewer.get("/review", query_string={"q": patient}).text)
    assert individual in found
    assert global_ in listed(reviewer.get("/review", query_string={"q": "louis pradel"}).text)
    pasted = individual.replace("-", "\u2011")
    assert listed(reviewer.get("/review", query_string={"q": pasted}).text) == [individual]


def test_a_request_withdrawn_and_an_authorisation_withdrawn_are_filtered_apart(
    app, reviewer, manufacturer, submitted, submitted_global
):
    """The manufacturer withdrew one request before any decision; ANSM withdrew the other's
    authorisation: a reviewer looks for them apart, and the queue lists and counts them so."""
    from tests.review.support import act, dossier, withdraw

    assert withdraw(manufacturer, submitted).status_code == 303
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise")
    assert act(reviewer, submitted_global, "withdraw").status_code == 303
    with app.app_context():
        by_manufacturer = dossier(submitted).reference
        by_ansm = dossier(submitted_global).reference

    page = html.unescape(reviewer.get("/review").text)
    assert re.search(r'Request withdrawn <span class="count">1</span>', page)
    assert re.search(r'Authorisation withdrawn by ANSM <span class="count">1</span>', page)
    assert (
        '<option value="authorisation_withdrawn">Authorisation withdrawn by ANSM</option>' in page
    )
    assert listed(reviewer.get("/review?status=withdrawn").text) == [by_manufacturer]
    assert listed(reviewer.get("/review?status=authorisation_withdrawn").text) == [by_ansm]
    # Each row says which withdrawal it was, as the filter does.
    assert (
        "Authorisation withdrawn by ANSM</span>"
        in reviewer.get("/review?status=authorisation_withdrawn").text
    )


def test_the_queue_says_which_answers_are_due_and_overdue(app, reviewer, submitted, monkeypatch):
    """A question's answer asked for by a date: the queue says by when, then that it is
    overdue; a question on an authorisation (its status says nothing of it) is said too."""

    def queue() -> str:
        return " ".join(html.unescape(reviewer.get("/review").text).split())

    act(reviewer, submitted, "start-review")
    assert "Answer needed by" not in queue()
    act(reviewer, submitted, "request-information", due_date=DUE)
    assert f"Answer needed by {DUE_SAID}" in queue() and ": overdue" not in queue()
    later = clock.now() + timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert f"Answer needed by {DUE_SAID}: overdue" in queue()


def test_a_request_whose_only_link_expired_unanswered_says_so_in_the_queue(
    app, reviewer, submitted, monkeypatch
):
    """Information requested of a professional whose link expired unanswered: no answer can
    come, and the row says so (the reviewer resumes the review or asks again), rather than
    reading as a request waiting for its answer."""

    def queue() -> str:
        return " ".join(html.unescape(reviewer.get("/review").text).split())

    act(reviewer, submitted, "start-review")
    soon = (clock.today() + timedelta(days=2)).isoformat()
    ask_the_author(app, reviewer, submitted, hcp_email="a.leroy@necker.example", due_date=soon)
    assert "No answer is awaited any more" not in queue()
    later = clock.now() + timedelta(days=4)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert "No answer is awaited any more: resume the review, or ask again" in queue()


def test_a_patient_date_passed_while_the_request_waits_is_pointed_out(
    app, reviewer, submitted, monkeypatch
):
    """An individual request still waiting for ANSM once the day its patient needed the
    device by has passed: the queue and the request's page say the date has passed, so that
    the reviewer asks whether the need has moved; once decided, nothing more is said."""

    def seen(path: str) -> str:
        return " ".join(html.unescape(reviewer.get(path).text).split())

    act(reviewer, submitted, "start-review")
    page = f"/review/requests/{submitted}"
    assert "Date passed" not in seen("/review") and "This date has passed" not in seen(page)
    later = clock.now() + timedelta(days=31)  # the sample patient needs it within 30 days
    monkeypatch.setattr(clock, "now", lambda: later)
    assert "Date passed" in seen("/review")
    assert (
        "This date has passed while the request waits for ANSM: ask the manufacturer whether "
        "the patient still needs the device, and by when." in seen(page)
    )
    act(reviewer, submitted, "refuse")
    assert "Date passed" not in seen("/review") and "This date has passed" not in seen(page)


def test_a_question_on_an_authorisation_is_said_in_the_queue(app, reviewer, submitted):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "authorise")
    assert "Question awaited since" not in " ".join(reviewer.get("/review").text.split())
    act(reviewer, submitted, "request-information")
    page = " ".join(reviewer.get("/review").text.split())
    assert re.search(r"Question awaited since \d+ \w+ \d{4}", page)
