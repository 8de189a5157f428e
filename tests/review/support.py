"""Helpers for the review tests: the agency's actions as a reviewer posts them, the
manufacturer's answer, and requests placed in a given status."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select, update

from tests.conftest import dossier_with
from wizard import clock
from wizard.demo import minimal_pdf
from wizard.domain.lifecycle import Status
from wizard.extensions import db
from wizard.models import Addressee, Decision, DecisionKind, Dossier, InformationRequest, User


def in_days(days: int) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


# The day an answer is asked for by, in the tests (within the 90 days allowed), and as the
# English pages and emails write it.
DUE_DAY = clock.today() + timedelta(days=30)
DUE = DUE_DAY.isoformat()
DUE_SAID = f"{DUE_DAY.day} {DUE_DAY:%B} {DUE_DAY.year}"


def action_data(name: str, **fields) -> dict:
    """What a reviewer fills in for each action (valid), with `fields` changed."""
    defaults = {
        "start-review": {"reason": "Complete file; we expect to decide within 30 days."},
        "request-information": {
            "addressee": "manufacturer",
            "message": "Send the latest vigilance report.",
        },
        "authorise": {
            "period_start": in_days(10),
            "period_end": in_days(200),
            "max_patients": "12",
            "indication": "Insuffisance cardiaque terminale de l’enfant de moins de 20 kg.",
            "establishments": "CHU de Bordeaux, Bordeaux\nHôpital Necker, Paris FINESS 750100091",
            "follow_up": "Monthly report to ANSM on every patient.",
            "reason": "Unmet need; benefit outweighs the risks.",
        },
        "refuse": {"reason": "Alternatives exist."},
        "suspend": {"reason": "Serious incident under investigation.", "procedure": "urgency"},
        "reinstate": {"reason": "Investigation closed."},
        # Heard on the day: the authorisation may have been signed today too.
        "withdraw": {
            "reason": "Conditions not met.",
            "procedure": "observations",
            "observations_invited_on": in_days(0),
            "observations_received": "yes",
        },
    }[name]
    values = {**defaults, **fields}
    data = {f"{name}-{key}": value for key, value in values.items() if value is not None}
    # A decision is read back, then signed (the button on the page that reads it back).
    return {**data, "decision": "sign"}


def act(client, dossier_id: int, name: str, *, shown: dict | None = None, **fields):
    """The action posted from the request's page as the reviewer sees it now, or as it
    showed earlier (`shown`: `seen_on` then) — its forms say what the page showed: a
    decision is signed only if nothing happened since."""
    data = {**action_data(name, **fields), **(shown or seen_on(client, dossier_id))}
    return client.post(f"/review/requests/{dossier_id}/{name}", data=data)


def seen_on(client, dossier_id: int) -> dict:
    """What the request's page shows now, as its action forms say it (none if not shown): the
    last event of its trail, and the questions awaited that its warning names."""
    page = client.get(f"/review/requests/{dossier_id}").text
    shown = {}
    if seen := SEEN.search(page):
        shown["seen"] = seen.group(1)
    if awaited := AWAITED.search(page):
        shown["awaited"] = awaited.group(1)
    if status := SHOWN.search(page):
        shown["shown"] = status.group(1)
    return shown


SEEN = re.compile(r'name="seen" value="(\d+)"')
SHOWN = re.compile(r'name="shown" value="([a-z_]+)"')
AWAITED = re.compile(r'name="awaited" value="([\d ]*)"')


def withdraw(client, dossier_id: int, reason: str = "Another device was found."):
    """The manufacturer withdraws its request from its page, as the form there says it (the
    professionals' answers awaited that its warning names)."""
    page = client.get(f"/requests/{dossier_id}/submitted").text
    data = {"withdraw-reason": reason}
    if awaited := AWAITED.search(page[page.index('id="withdraw-title"') :]):
        data["awaited"] = awaited.group(1)
    return client.post(f"/requests/{dossier_id}/withdraw", data=data)


def reply(
    client, dossier_id: int, question_id: int, message="Here it is.", files=(), keep=(), **sent
):
    """The manufacturer's answer to a question, posted from its page (`sent`: more of what
    the browser sends, e.g. headers)."""
    data = {"reply-message": message, "reply-keep": list(keep)}
    data["reply-documents"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(
        f"/requests/{dossier_id}/questions/{question_id}/reply",
        data=data,
        content_type="multipart/form-data",
        **sent,
    )


def manufacturer_asked(app, reviewer, dossier_id: int) -> int:
    """The review started and the manufacturer asked a question (the action's defaults):
    the question's id."""
    act(reviewer, dossier_id, "start-review")
    act(reviewer, dossier_id, "request-information")
    with app.app_context():
        return questions(dossier_id)[0].id


def document(name="vigilance-report.pdf", text="Vigilance report") -> tuple[str, bytes]:
    return name, minimal_pdf(text)


def dossier(dossier_id: int) -> Dossier:
    db.session.expire_all()
    return db.session.get(Dossier, dossier_id)


def status_of(app, dossier_id: int) -> str:
    with app.app_context():
        return dossier(dossier_id).status


def questions(dossier_id: int) -> list[InformationRequest]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(InformationRequest)
            .where(InformationRequest.dossier_id == dossier_id)
            .order_by(InformationRequest.id)
        )
    )


def request_in(user_id: int, status: Status, path: str = "global") -> int:
    """A request of `user_id`'s organisation in `status`, arranged directly in the database
    (what brings it there is tested elsewhere): decided statuses get an authorisation for the
    next 200 days, "information requested" an open question to the manufacturer."""
    if status in (Status.DRAFT, Status.DISCARDED):
        dossier_id = dossier_with(user_id, path)
        db.session.execute(update(Dossier).where(Dossier.id == dossier_id).values(status=status))
        db.session.commit()
        return dossier_id
    dossier_id = dossier_with(user_id, path, submit=True)
    reviewer = _any_reviewer()
    if status in (Status.AUTHORISED, Status.SUSPENDED, Status.EXPIRED):
        db.session.add(
            Decision(
                dossier_id=dossier_id,
                number=1,
                kind=DecisionKind.AUTHORISATION,
                reason="Arranged for the test.",
                decided_by_id=reviewer.id,
                decided_at=clock.now(),
                period_start=clock.today(),
                period_end=clock.today() + timedelta(days=200),
                max_patients=12,
                record={"arranged": True},
                record_sha256="0" * 64,
            )
        )
    if status == Status.INFORMATION_REQUESTED:
        db.session.add(
            InformationRequest(
                dossier_id=dossier_id,
                addressee=Addressee.MANUFACTURER,
                message="Arranged question.",
                asked_by_id=reviewer.id,
                asked_at=clock.now(),
            )
        )
    db.session.execute(update(Dossier).where(Dossier.id == dossier_id).values(status=status))
    db.session.commit()
    return dossier_id


def _any_reviewer() -> User:
    return db.session.scalar(select(User).where(User.role == "reviewer"))
