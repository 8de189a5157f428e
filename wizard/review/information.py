"""Questions from the agency and their answers.

A question goes to the manufacturer, who answers on their request page, or to a healthcare
professional who wrote a letter, who answers through a personal link: a random token sent by
email and stored only as its sha256, as for the invitations (`wizard.invites.service`). The
link works once, until the end of the day the answer is needed by (or for INVITE_TTL_DAYS).
The manufacturer and professionals may be asked at once, each one question at a time; the
last answer awaited sends the request back to review. The filing itself never changes.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from wizard import audit, clock
from wizard.domain.lifecycle import (
    ASKING_STATUSES,
    LAPSING_STATUSES,
    Status,
    TransitionError,
    is_decided,
)
from wizard.extensions import db
from wizard.i18n import gettext as _
from wizard.i18n import long_date
from wizard.invites.service import TOKEN_BYTES, token_hash
from wizard.models import (
    Addressee,
    AuditEvent,
    Dossier,
    HcpLetter,
    InformationRequest,
    Reply,
    ReplyDocument,
    User,
)
from wizard.review import notify
from wizard.review.actions import ActionRefused
from wizard.review.forms import (
    RequestInformationForm,
    manufacturer_only_hints,
    until_the_period_ends,
)
from wizard.review.status import authorisation_of, effective_status
from wizard.review.transitions import change_status
from wizard.uploads import StoredFile

_LETTER = "letter-"
_TOKEN_LENGTH = range(20, 101)  # anything else cannot be one of ours: no database look-up


class LinkUnavailable(Exception):
    """The link cannot be used. `reason`: unknown, expired, used or closed; `question`: the
    link's, when it is a real one (its page says which request, and why it closed)."""

    def __init__(self, reason: str, question: InformationRequest | None = None):
        super().__init__(reason)
        self.reason = reason
        self.question = question


class QuestionClosed(Exception):
    """The question was answered (`answered`), or the review went on without its answer
    (`closed`)."""

    def __init__(self, reason: str = "answered"):
        super().__init__(reason)
        self.reason = reason


def prepare(form: RequestInformationForm, dossier: Dossier) -> RequestInformationForm:
    """Offer the manufacturer and each professional who sent a letter, but whoever has a
    question still waiting for its answer (one question at a time each). Once decided (an
    authorisation in force or suspended), the manufacturer only: the professionals wrote for
    the request, not for the authorisation's follow-up."""
    waiting = _waiting_for(dossier)
    professionals = [] if is_decided(Status(dossier.status)) else dossier.hcp_letters
    form.addressee.choices = [
        (
            Addressee.MANUFACTURER.value,
            _("The manufacturer, %(name)s", name=dossier.manufacturer_name),
        )
    ] + [(f"{_LETTER}{letter.id}", _letter_author(letter)) for letter in professionals]
    form.addressee.choices = [c for c in form.addressee.choices if c[0] not in waiting]
    # A professional's address: asked for only when one of them is to answer (shown once
    # one is chosen, with JavaScript; without, its label says "if needed").
    professionals = tuple(
        value for value, _label in form.addressee.choices if value.startswith(_LETTER)
    )
    if professionals:
        form.hcp_email.shown_when = (form.addressee.name, professionals)
    else:
        del form["hcp_email"]
        manufacturer_only_hints(form)
    if effective_status(dossier) in LAPSING_STATUSES:
        # Its period's end closes the question (the page no longer takes an answer).
        period_end = authorisation_of(dossier).period_end
        if period_end is not None:
            until_the_period_ends(form, period_end)
    form.heading = _asked_again_heading(dossier, form.addressee.choices)
    return form


def _letter_author(letter: HcpLetter) -> str:
    """A professional who wrote a letter, as the choice of whom to ask names them: with what
    their letter was written for, when not this request's patient or type of access (they
    may never have treated this patient, whose page their link would show)."""
    author = _(
        "%(name)s (%(specialty)s, %(establishment)s), who sent a letter",
        name=letter.author_name,
        specialty=letter.specialty,
        establishment=letter.establishment,
    )
    if other_access := letter.written_for_other_access():
        return (
            author
            + " "
            + (
                _("(written while the request was for global access)")
                if other_access == "global"
                else _("(written while the request was for one patient)")
            )
        )
    if other_patient := letter.written_for_other_patient():
        return (
            author
            + " "
            + _(
                "(written for another patient, %(initials)s born in %(year)s)",
                initials=other_patient["initials"],
                year=other_patient["birth_year"],
            )
        )
    return author


def _asked_again_heading(dossier: Dossier, choices: list) -> str | None:
    """The form's heading when a professional whose link expired unanswered, or whose
    question ANSM withdrew, may be asked again: the same person, not "someone else"; None for
    the action's own heading."""
    offered = {value for value, _label in choices}
    again = {
        _addressee_value(question): question.hcp_name
        for question in questions_of(dossier)
        if not question.to_manufacturer
        and (
            (question.is_open and question.link_is_expired) or question.closed_reason == "cancelled"
        )
        and _addressee_value(question) in offered
    }
    if not again:
        return None
    names = ", ".join(dict.fromkeys(again.values()))
    if len(offered) > len(again):
        return _("Ask %(names)s again, or someone else", names=names)
    return _("Ask %(names)s again", names=names)


def anyone_to_ask(form: RequestInformationForm) -> bool:
    """Whether someone may be asked (each one asked already may be waiting to answer)."""
    return bool(form.addressee.choices)


def _waiting_for(dossier: Dossier) -> dict[str, InformationRequest]:
    """The questions still awaiting their answers, by the addressee's value in the form."""
    awaited = InformationRequest.awaited(dossier.id)
    return {_addressee_value(question): question for question in awaited}


def _addressee_value(question: InformationRequest) -> str:
    if question.to_manufacturer:
        return Addressee.MANUFACTURER.value
    return f"{_LETTER}{question.hcp_letter_id}"


def _already_asked(dossier: Dossier, waiting: InformationRequest) -> str:
    return _(
        "%(name)s has not answered the question asked on %(date)s yet: wait for that "
        "answer, or choose someone else.",
        name=waiting.hcp_name or dossier.manufacturer_name,
        date=long_date(clock.day_in_paris(waiting.asked_at)),
    )


def validate(form: RequestInformationForm, dossier: Dossier) -> bool:
    """The form's own checks, and: who is asked has no question waiting already (another
    reviewer asked meanwhile); a question to a professional needs an address, typed or the
    one their invitation went to."""
    valid = form.validate()
    waiting = _waiting_for(dossier).get(form.addressee.data or "")
    if waiting is not None:
        form.addressee.errors = [_already_asked(dossier, waiting)]
        return False
    letter = _chosen_letter(dossier, form.addressee.data)
    if letter is not None and is_decided(Status(dossier.status)):
        # Chosen on a page opened before a colleague decided: the professionals wrote for
        # the request, not for its follow-up (`request_form` no longer offers them).
        form.addressee.errors = [
            _(
                "Once ANSM has decided on the request, questions go to the manufacturer "
                "only: choose the manufacturer."
            )
        ]
        return False
    if letter is None:
        if "hcp_email" in form and form.hcp_email.errors:
            # Typed, then the manufacturer chosen: an address that does not apply is not
            # checked (nor used), as the page no longer shows it.
            form.hcp_email.errors = []
            valid = not any(field.errors for field in form)
        return valid
    if form.hcp_email.data or form.hcp_email.errors or _known_email(letter):
        return valid
    if (withdrawn := _known_email(letter, withdrawn=True)) is not None:
        said = _(
            "Enter the email address of %(name)s: the question withdrawn went to %(email)s, "
            "which is used again only if typed again.",
            name=letter.author_name,
            email=withdrawn,
        )
    else:
        said = _(
            "Enter the email address of %(name)s: the manufacturer uploaded their letter, so "
            "the portal does not have it.",
            name=letter.author_name,
        )
    form.hcp_email.errors = [said]
    return False


def ask(dossier: Dossier, user: User, form: RequestInformationForm) -> None:
    """Record the question and move the request to "information requested" (or add it to
    those awaited). A professional is emailed their link once the request is locked and
    checked, before anything is written: if it cannot leave, nothing is asked
    (`ActionRefused`, the form kept), rather than a question nobody can answer; and no link
    leaves for a question a concurrent action then refuses."""
    at = clock.now()
    question = InformationRequest(
        dossier_id=dossier.id,
        addressee=Addressee.MANUFACTURER,
        message=form.message.data.replace("\r\n", "\n"),
        due_date=form.due_date.data,
        asked_by=user,  # its email is where a professional's reply goes (`notify`)
        asked_at=at,
    )
    token = None
    letter = _chosen_letter(dossier, form.addressee.data)
    if letter is not None:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        question.addressee = Addressee.HCP
        question.hcp_letter_id = letter.id
        question.hcp_name = letter.author_name
        question.hcp_email = form.hcp_email.data or _known_email(letter)
        question.token_hash = token_hash(token)
        last_day = form.due_date.data or clock.today() + timedelta(
            days=current_app.config["INVITE_TTL_DAYS"]
        )
        question.link_expires_at = clock.end_of_day_in_paris(last_day)
    # Locked and checked before the email leaves, until the question is written: no link
    # leaves for a question a concurrent action refuses. (Sending holds the request's row on
    # PostgreSQL; on SQLite every write waits meanwhile: `config.engine_options`.)
    asked_too = _lock_to_ask(dossier, question, at)
    if token is not None and not notify.question_to_professional(question, dossier, token):
        db.session.rollback()
        raise ActionRefused(
            _(
                "Nothing was asked: the email to %(name)s (%(email)s) could not be sent. "
                "Check the address, then ask again.",
                name=question.hcp_name,
                email=question.hcp_email,
            )
        )
    db.session.add(question)
    if asked_too:
        _ask_too(dossier, question, audit.Actor.of(user))
    else:
        change_status(dossier, Status.INFORMATION_REQUESTED, audit.Actor.of(user), about=question)


def _lock_to_ask(dossier: Dossier, question: InformationRequest, at) -> bool:
    """Lock the request's row in the status it has, until the question is written: True when
    the question is added without moving the request ("information requested" already, or
    an authorisation in force or suspended: `ASKING_STATUSES`), False when it moves the
    request to "information requested". A request another reviewer moved to "information
    requested" a moment ago takes the question as one more (unless they asked the same
    person: `ActionRefused`); one that moved elsewhere refuses it (`TransitionError`)."""
    with db.session.no_autoflush:
        locked = Dossier.lock_if(dossier.id, Status(dossier.status), at)
        if not locked:
            db.session.rollback()
            db.session.refresh(dossier)
            if Status(dossier.status) == Status.INFORMATION_REQUESTED:
                locked = Dossier.lock_if(dossier.id, Status.INFORMATION_REQUESTED, at)
        if not locked:
            db.session.rollback()
            raise TransitionError(f"request {dossier.id} changed status meanwhile")
        if Status(dossier.status) not in ASKING_STATUSES:
            return False
        # Checked again now that the request is locked: another reviewer may have asked
        # the same person a moment ago.
        waiting = _waiting_for(dossier).get(_addressee_value(question))
    if waiting is not None:
        message = _already_asked(dossier, waiting)
        db.session.rollback()
        raise ActionRefused(message)
    return True


def _ask_too(dossier: Dossier, question: InformationRequest, actor: audit.Actor) -> None:
    """A question added without moving the request, locked by `_lock_to_ask`: it stays
    "information requested" (one more question), or authorised or suspended; the question
    is in the audit trail and the manufacturer is told, as for the first one."""
    # Asked again after their link expired unanswered: that question is closed (before this
    # one is written).
    with db.session.no_autoflush:
        db.session.execute(
            update(InformationRequest)
            .where(
                *_open_to_the_same(dossier.id, question),
                InformationRequest.link_expires_at <= clock.now(),
            )
            .values(closed_at=clock.now(), closed_reason="expired")
            .execution_options(synchronize_session=False)
        )
    db.session.flush()  # gives the question its id
    status = Status(dossier.status)
    detail = question.audit_detail()
    if status != Status.INFORMATION_REQUESTED:
        detail["status"] = status  # asked of an authorisation, not during the review
    audit.record(dossier.id, audit.QUESTION_ADDED, actor, detail=detail)
    db.session.commit()
    notify.status_changed(dossier, status, status, note=None, about=question)


def _chosen_letter(dossier: Dossier, value: str | None) -> HcpLetter | None:
    if not value or not value.startswith(_LETTER):
        return None
    return next((x for x in dossier.hcp_letters if f"{_LETTER}{x.id}" == value), None)


def _known_email(letter: HcpLetter, withdrawn: bool = False) -> str | None:
    """The professional's address the portal has: the one a question to them went to last (a
    reviewer typed it, or it was their invitation's), else their invitation's. Not that of a
    question ANSM withdrew: it may have been withdrawn for a mistyped address, which must
    not get the patient's details again unless typed again (`withdrawn`: the last such)."""
    cancelled = InformationRequest.closed_reason == "cancelled"
    last_used = db.session.scalar(
        select(InformationRequest.hcp_email)
        .where(
            InformationRequest.hcp_letter_id == letter.id,
            InformationRequest.hcp_email.is_not(None),
            cancelled if withdrawn else or_(InformationRequest.closed_reason.is_(None), ~cancelled),
        )
        .order_by(InformationRequest.id.desc())
        .limit(1)
    )
    if withdrawn:
        return last_used
    return last_used or (letter.invitation.email if letter.invitation is not None else None)


def questions_of(dossier: Dossier) -> list[InformationRequest]:
    """The request's questions, the first asked first, each with its replies and their
    documents (three queries, however many: the request's page lists them all)."""
    return list(
        db.session.scalars(
            select(InformationRequest)
            .where(InformationRequest.dossier_id == dossier.id)
            .options(selectinload(InformationRequest.replies).selectinload(Reply.documents))
            .order_by(InformationRequest.id)
        )
    )


def asked_already(dossier: Dossier, user: User, form, last_event) -> bool:
    """Whether `form` is the question `user` just asked (the same form sent twice): the last
    event of the trail (`last_event`) added it, it still waits for its answer, and it goes to
    the same person with the same words and date."""
    asked = questions_of(dossier)[-1:]
    if not asked or last_event.detail.get("information_request_id") != asked[0].id:
        return False
    question = asked[0]
    return (
        question.asked_by_id == user.id
        and question.closed_at is None
        and _addressee_value(question) == (form.addressee.data or "")
        and " ".join(question.message.split()) == " ".join((form.message.data or "").split())
        and question.due_date == form.due_date.data
    )


def nothing_awaited(dossier: Dossier) -> bool:
    """Information is requested, yet no answer can come any more (a professional's link
    expired unanswered): the reviewer resumes the review or asks again."""
    return Status(dossier.status) == Status.INFORMATION_REQUESTED and not _waiting_for(dossier)


def find_by_token(token: str) -> InformationRequest:
    """The question whose link this is, if it can still be answered; else `LinkUnavailable`."""
    question = (
        db.session.scalar(
            select(InformationRequest).where(InformationRequest.token_hash == token_hash(token))
        )
        if len(token) in _TOKEN_LENGTH
        else None
    )
    if question is None:
        raise LinkUnavailable("unknown")
    refuse_if_closed(question)
    return question


def refuse_if_closed(question: InformationRequest) -> None:
    """`LinkUnavailable`, saying why, if the question's link can no longer take an answer."""
    if question.closed_reason == "answered":
        raise LinkUnavailable("used", question)
    if question.closed_reason == "expired" and _asked_again(question):
        raise LinkUnavailable("replaced", question)  # its newer link still works
    if not question.is_open:
        raise LinkUnavailable("closed", question)
    if question.link_is_expired:
        raise LinkUnavailable("expired", question)


def _asked_again(question: InformationRequest) -> bool:
    """Whether a newer question to the same person, about the same letter, still awaits its
    answer through a link that works (the question closed when it was asked, its link run
    out: `_ask_too`)."""
    newer = db.session.scalars(
        select(InformationRequest).where(
            *_open_to_the_same(question.dossier_id, question),
            InformationRequest.id > question.id,
        )
    )
    return any(not asked.link_is_expired for asked in newer)


def _open_to_the_same(dossier_id: int, question: InformationRequest) -> tuple:
    """The conditions of the request's questions still open to the same person as `question`
    (the manufacturer, or a professional about the same letter)."""
    return (
        InformationRequest.dossier_id == dossier_id,
        InformationRequest.closed_at.is_(None),
        InformationRequest.addressee == question.addressee,
        InformationRequest.hcp_letter_id == question.hcp_letter_id,
    )


def _awaited_count(dossier_id: int) -> int:
    """How many of a request's questions still await their answers (`awaited_in`)."""
    return db.session.scalar(
        select(func.count())
        .select_from(InformationRequest)
        .where(InformationRequest.awaited_in(dossier_id))
    )


def cancel(question: InformationRequest, user: User) -> bool:
    """ANSM takes back its question, unanswered: to a professional (sent to a mistyped
    address, or to be put otherwise), its link stops working at once; to the manufacturer
    (no longer needed, answered otherwise), its page no longer takes an answer, and it is
    told by email. Either may be asked again. The last question awaited taken back, the
    review resumes, as after the last answer (True). Answered or closed meanwhile:
    `QuestionClosed`, nothing done."""
    at = clock.now()
    dossier = question.dossier
    status = effective_status(dossier)
    if status not in ASKING_STATUSES or not Dossier.lock_if(dossier.id, status, at):
        db.session.rollback()
        raise QuestionClosed("closed")
    claimed = db.session.execute(
        update(InformationRequest)
        .where(
            InformationRequest.awaited_in(dossier.id),
            InformationRequest.id == question.id,
        )
        .values(closed_at=at, closed_reason="cancelled")
        .execution_options(synchronize_session=False)  # (`awaited_in` reads the clock)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise QuestionClosed()
    still_waiting = _awaited_count(dossier.id)
    actor, detail = audit.Actor.of(user), question.audit_detail()
    if still_waiting or status != Status.INFORMATION_REQUESTED:
        audit.record(dossier.id, audit.QUESTION_CANCELLED, actor, detail=detail)
        db.session.commit()
        if question.to_manufacturer:
            notify.question_withdrawn(dossier, question)
        return False
    change_status(
        dossier,
        Status.UNDER_REVIEW,
        actor,
        events=((audit.QUESTION_CANCELLED, detail),),
        # Its email says the manufacturer's own question is closed (a professional's
        # question taken back is not theirs to hear of).
        closed_before=(question,) if question.to_manufacturer else (),
    )
    return True


def cancellation_of(question: InformationRequest) -> AuditEvent | None:
    """The audit event of `question`'s withdrawal by ANSM, if it was withdrawn."""
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.dossier_id == question.dossier_id,
            AuditEvent.action == audit.QUESTION_CANCELLED,
        )
    )
    return next((e for e in events if e.detail.get("information_request_id") == question.id), None)


def answer(
    question: InformationRequest,
    actor: audit.Actor,
    author_name: str,
    message: str,
    files: list[StoredFile],
) -> Reply:
    """Record the answer and its documents (each an audit event), close the question and,
    unless other questions still wait for their answers, send the request back to review.
    Twice the same answer (two tabs): `QuestionClosed`."""
    at = clock.now()
    # The request first (as every change of status locks it first), then the question: in
    # the status it has, where questions are asked (`ASKING_STATUSES`); one that left it
    # closed the question (the review went on, a measure, the authorised period ended).
    status = effective_status(question.dossier)
    if status not in ASKING_STATUSES or not Dossier.lock_if(question.dossier_id, status, at):
        db.session.rollback()
        raise QuestionClosed("closed")
    claimed = db.session.execute(
        update(InformationRequest)
        .where(InformationRequest.id == question.id, InformationRequest.closed_at.is_(None))
        .values(closed_at=at, closed_reason="answered")
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise QuestionClosed()
    still_waiting = _awaited_count(question.dossier_id)
    reply = Reply(
        dossier_id=question.dossier_id,
        information_request_id=question.id,
        author_role=actor.role,
        author_id=actor.user_id,
        author_name=author_name,
        message=message.replace("\r\n", "\n"),
        sent_at=at,
        documents=[
            ReplyDocument.of_stored(item, dossier_id=question.dossier_id, at=at) for item in files
        ],
    )
    db.session.add(reply)
    db.session.flush()
    uploads = audit.uploads_of(reply.documents, reply_id=reply.id)
    events = ((audit.REPLY_SENT, reply.audit_detail()), *uploads)
    # The request stays "information requested" until the last answer; an authorisation's
    # question leaves it as it is.
    if still_waiting or status != Status.INFORMATION_REQUESTED:
        for action, detail in events:
            audit.record(question.dossier_id, action, actor, detail=detail)
        db.session.commit()
    else:
        change_status(question.dossier, Status.UNDER_REVIEW, actor, about=reply, events=events)
    notify.to_review_team(question.dossier, reply)
    return reply
