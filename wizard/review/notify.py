"""Emails of the review: to the manufacturer (its filer and named contact) on every change of
status from its submission on (and the message that comes with it), to a healthcare
professional asked a question (and told when ANSM no longer waits for their answer), and to
ANSM of what the manufacturer does (`to_review_team`).

We do not know which language the reader prefers, so every email is written in French, the
agency's language, then in English (`mail.bilingual`). A failed email is logged: the change it
reports is kept. News leaves after the response (`mail.send_after_response`); a question to a
professional leaves at once, as the reviewer is told whether it went. The healthcare
professionals whose letters came through the portal hear of each decision (`decision_to_
professionals`): they asked for the device, and some must change how they treat a patient.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select

from wizard import audit, clock, mail
from wizard.domain.lifecycle import Status
from wizard.extensions import db
from wizard.i18n import gettext as _
from wizard.mail import bilingual, plain_text
from wizard.models import (
    AuditEvent,
    Decision,
    Dossier,
    FollowUpReport,
    InformationRequest,
    Reply,
    Role,
    User,
)
from wizard.review import follow_up
from wizard.review.status import authorisation_of, period_begun, suspended_before_period
from wizard.web import external_url


def device_name(dossier: Dossier) -> str:
    answers = (dossier.submitted_answers or {}).get("answers", {})
    return answers.get("device", {}).get("trade_name", "")


def _subject(dossier: Dossier, previous: Status, status: Status, about) -> str:
    ref = {"reference": dossier.reference}
    if status == Status.UNDER_REVIEW and isinstance(about, Reply):
        return _("Answer received: ANSM resumes the review of request %(reference)s", **ref)
    if status == Status.UNDER_REVIEW and previous == Status.INFORMATION_REQUESTED:
        # Resumed without the answer awaited: not the same words as the review's start.
        return _("ANSM resumes the review of request %(reference)s", **ref)
    if status == Status.UNDER_REVIEW:
        return _("ANSM is reviewing your request %(reference)s", **ref)
    if status != Status.INFORMATION_REQUESTED and isinstance(about, InformationRequest):
        # Asked of an authorisation in force or suspended: the status stays.
        return _("ANSM asks you for information on request %(reference)s", **ref)
    if status == Status.INFORMATION_REQUESTED:
        if isinstance(about, InformationRequest) and not about.to_manufacturer:
            return _("ANSM has asked a healthcare professional about request %(reference)s", **ref)
        return _("ANSM asks you for information on request %(reference)s", **ref)
    if status == Status.AUTHORISED and previous == Status.SUSPENDED:
        return _("The authorisation of request %(reference)s is reinstated", **ref)
    if status == Status.WITHDRAWN and isinstance(about, Decision) and not about.by_manufacturer:
        # Not the manufacturer's own withdrawal of its request, before any decision.
        return _("ANSM has withdrawn the authorisation of request %(reference)s", **ref)
    subjects = {
        Status.SUBMITTED: _("Request %(reference)s is submitted to ANSM", **ref),
        Status.AUTHORISED: _("Request %(reference)s is authorised", **ref),
        Status.REFUSED: _("Request %(reference)s is refused", **ref),
        Status.SUSPENDED: _("The authorisation of request %(reference)s is suspended", **ref),
        Status.WITHDRAWN: _("Request %(reference)s is withdrawn", **ref),
        Status.EXPIRED: _("The authorisation of request %(reference)s has expired", **ref),
    }
    return subjects.get(status, _("News of request %(reference)s", **ref))


def correspondents(dossier: Dossier) -> str:
    """Who hears of a submitted request: the account that filed it, and the contact person
    the filing names (step 2) when that is someone else, so that ANSM's questions and
    decisions reach the manufacturer even when the filer is away. A filer whose colleagues
    removed their account (they left) hears no more, even named as contact person: their
    colleagues who can sign in do (`Dossier.filer_addresses`)."""
    addresses = dossier.filer_addresses
    _name, contact = contact_person(dossier)
    if contact and contact.casefold() not in {a.casefold() for a in addresses}:
        addresses.append(contact)
    return ", ".join(addresses)


def contact_person(dossier: Dossier) -> tuple[str | None, str | None]:
    """The contact person the filing names (name, address), unless a colleague who has left:
    their colleagues removed the account."""
    answers = (dossier.submitted_answers or {}).get("answers", {})
    manufacturer = answers.get("manufacturer", {})
    name, email = manufacturer.get("contact_name"), manufacturer.get("contact_email")
    removed = {u.email.casefold() for u in dossier.organisation.users if not u.is_active}
    if email and email.casefold() in removed:
        return None, None
    return name, email


def first_overdue(dossier: Dossier):
    """The first report date before today that no report met, if any."""
    first = follow_up.first_unmet(dossier)
    return first if first is not None and first < clock.day_in_paris(clock.now()) else None


def status_changed(
    dossier: Dossier,
    previous: Status,
    status: Status,
    *,
    note,
    about,
    closed: Sequence[InformationRequest] = (),
) -> None:
    """Tell the manufacturer (`correspondents`) what changed, with the message or decision
    that came. `closed`: the questions the change closed while their answers were awaited;
    when the review resumed without it, the manufacturer reads that its own is closed."""
    own = next((question for question in closed if question.to_manufacturer), None)
    reinstated = status == Status.AUTHORISED and previous == Status.SUSPENDED
    authorisation = (
        authorisation_of(dossier)
        if status in (Status.EXPIRED, Status.SUSPENDED, Status.WITHDRAWN) or reinstated
        else None
    )
    context = {
        "dossier": dossier,
        "device": device_name(dossier),
        "previous": previous,
        "status": status,
        "note": note,
        "question": about if isinstance(about, InformationRequest) else None,
        "decision": about if isinstance(about, Decision) else None,
        "reply": about if isinstance(about, Reply) else None,  # the answer that resumed it
        # Expired: the authorisation whose period ended, and when, and its follow-up.
        # Reinstated: the period it is in force again until, or will be in force if it has
        # not begun (`period_begun`). Suspended or withdrawn: whether a patient may already
        # have received the device under it (its period begun).
        "authorisation": authorisation,
        "period_begun": period_begun(authorisation),
        "manufacturer_asked": status == Status.INFORMATION_REQUESTED
        and _manufacturer_asked(dossier),
        # Suspended: the report dates not met yet still stand (and are reminded of).
        "reports_still_due": status == Status.SUSPENDED
        and follow_up.first_unmet(dossier) is not None,
        # Expired, or reinstated: a report date already past that no report met.
        "report_overdue": first_overdue(dossier)
        if status == Status.EXPIRED or reinstated
        else None,
        # Reinstated: the next report date, asked again (`follow_up.restore_dues_from`).
        "next_report": follow_up.first_unmet(dossier) if reinstated else None,
        # Expired, withdrawn or reinstated, suspended since before its period: nobody
        # received the device under it, none is followed (reinstated: in force for the
        # first time, not again).
        "never_in_force": _never_in_force(authorisation, previous),
        # Reinstated: the manufacturer's request to end it, which no longer stands.
        "end_request_ended": follow_up.end_request_ended_by(about)
        if reinstated and isinstance(about, Decision)
        else None,
        "own_question_asked_on": clock.day_in_paris(own.asked_at) if own else None,
        "own_question_write_to": ansm_reply_to(own) if own else None,
        "link": external_url("filing.submitted", dossier_id=dossier.id),
    }
    mail.send_after_response(
        correspondents(dossier),
        bilingual(lambda: _subject(dossier, previous, status, about), " / "),
        bilingual(lambda: plain_text("review/email/status_changed.txt", **context)),
        about=f"news of request {dossier.id}",
    )


def question_withdrawn(dossier: Dossier, question: InformationRequest) -> None:
    """Tell the manufacturer (`correspondents`) that ANSM took back its question to it,
    unanswered, while the request stays where it is (other answers awaited, or an
    authorisation's question): its page no longer takes an answer."""
    context = {
        "dossier": dossier,
        "device": device_name(dossier),
        "asked_on": clock.day_in_paris(question.asked_at),
        "write_to": ansm_reply_to(question),
        "link": external_url("filing.submitted", dossier_id=dossier.id),
    }
    mail.send_after_response(
        correspondents(dossier),
        bilingual(
            lambda: _("ANSM's question on request %(reference)s is withdrawn", **_ref(dossier)),
            " / ",
        ),
        bilingual(lambda: plain_text("review/email/question_withdrawn.txt", **context)),
        about=f"news of request {dossier.id}",
    )


def _manufacturer_asked(dossier: Dossier) -> bool:
    """Whether a question to the manufacturer awaits its answer."""
    awaited = InformationRequest.awaited(dossier.id)
    return any(question.to_manufacturer for question in awaited)


def _never_in_force(authorisation: Decision | None, previous: Status) -> bool:
    """Whether the authorisation was suspended, until the change its news tells, since
    before its period began."""
    return (
        authorisation is not None
        and previous == Status.SUSPENDED
        and suspended_before_period(authorisation, lifted=True)
    )


def decision_to_professionals(
    dossier: Dossier, previous: Status, decision: Decision, closed: list[InformationRequest]
) -> set[str]:
    """Tell each professional who sent a letter for the request through their invite link (we
    have their address) what was decided, each in a message of their own: the outcome and,
    for an authorisation, its period and conditions, which concern their patients. Not the
    reasons, written to the manufacturer, whose contact person the message names (unless
    they have left: then the manufacturer).

    A professional whose question the decision `closed` unanswered (the manufacturer
    withdrew the request while ANSM waited for them) reads that in the same message, which
    a reply then takes to ANSM: one email, not two. Returns the addresses written to
    (casefolded), for `questions_closed_to_professionals`."""
    contact_name, contact_email = contact_person(dossier)
    questions = _by_address(closed)
    authorisation = authorisation_of(dossier)
    context = {
        "dossier": dossier,
        "device": device_name(dossier),
        "manufacturer": dossier.manufacturer_name,
        "contact_name": contact_name,
        "contact_email": contact_email,
        "previous": previous,
        "decision": decision,
        # A reinstatement says until when, or from when to when if the period has not begun;
        # a suspension or withdrawal, whether a patient may have received the device.
        "authorisation": authorisation,
        "period_begun": period_begun(authorisation),
        "never_in_force": _never_in_force(authorisation, previous),
    }
    told = set()
    for letter in _letters_by_invitation(dossier):
        address = letter.invitation.email.casefold()
        question = questions.get(address)
        mail.send_after_response(
            letter.invitation.email,
            bilingual(lambda: _professional_subject(dossier, previous, decision), " / "),
            bilingual(
                lambda letter=letter, question=question: plain_text(
                    "review/email/decision_to_professional.txt",
                    letter=letter,
                    # Written for another patient, or the other type of access: said, as
                    # the decision may not be about the patient they wrote for.
                    other_patient=letter.written_for_other_patient(),
                    other_access=letter.written_for_other_access(),
                    asked_on=clock.day_in_paris(question.asked_at) if question else None,
                    **context,
                )
            ),
            about=f"decision {decision.id} to a professional",
            reply_to=ansm_reply_to(question) if question else None,
        )
        told.add(address)
    return told


def _by_address(questions: list[InformationRequest]) -> dict[str, InformationRequest]:
    """The oldest of the given questions to each professional's address (casefolded)."""
    by_address = {}
    for question in sorted(questions, key=lambda question: question.id):
        by_address.setdefault(question.hcp_email.casefold(), question)
    return by_address


def _letters_by_invitation(dossier: Dossier) -> list:
    """One letter per professional (by address) among those sent through an invite link:
    one written for this request's patient and type of access if they sent one."""
    letters = {}
    for letter in sorted(
        dossier.hcp_letters, key=lambda letter: (letter.written_for_another_case, letter.id)
    ):
        if letter.invitation is not None:
            letters.setdefault(letter.invitation.email.casefold(), letter)
    return list(letters.values())


def _professional_subject(dossier: Dossier, previous: Status, decision: Decision) -> str:
    ref = {"reference": dossier.reference}
    if decision.by_manufacturer:
        return _("Request %(reference)s is withdrawn by the manufacturer", **ref)
    return _subject(dossier, previous, decision.status_after, decision)


def to_review_team(
    dossier: Dossier,
    reply: Reply | None = None,
    *,
    withdrawn: str | None = None,
    closed_questions: bool = False,
    report: FollowUpReport | None = None,
) -> None:
    """Tell ANSM that a request was submitted, that an answer to its question arrived, that
    its manufacturer withdrew it (`withdrawn`: the reason they gave; `closed_questions`:
    answers were still awaited, which the withdrawal stopped), or sent a follow-up `report`
    on its authorisation, with what makes it urgent (an individual request's "needed by"
    date) and the link to the request's review page. To ANSM's team mailbox
    (`REVIEW_TEAM_EMAIL`); without one, to the reviewers concerned: who asked the question
    answered, or, of a withdrawn request or a report, those who acted on it."""
    to = current_app.config["REVIEW_TEAM_EMAIL"] or ", ".join(
        _reviewers_concerned(dossier, reply, withdrawn is not None or report is not None)
    )
    if not to:
        return  # a new request without a team mailbox: the review queue shows it
    context = {
        "dossier": dossier,
        "device": device_name(dossier),
        "access_type": dossier.submitted_answers.get("access_type"),
        "needed_by": dossier.needed_by,
        "reply": reply,
        "withdrawn": withdrawn,
        "closed_questions": closed_questions,
        "report": report,
        # A date CE marking is expected by again, after a report that said it obtained.
        "certified_in": _certified_before(report) if report is not None else None,
        "stopped_in": _stopped_before(report) if report is not None else None,
        # Answers still awaited after this one: the review waits for them too.
        "awaited": [
            q.hcp_name or dossier.manufacturer_name for q in InformationRequest.awaited(dossier.id)
        ]
        if reply is not None
        else [],
        "link": external_url("review.request_page", dossier_id=dossier.id),
    }

    def subject() -> str:
        if withdrawn is not None:
            return _("Request %(reference)s withdrawn by its manufacturer", **_ref(dossier))
        if report is not None:
            return _("Follow-up report on request %(reference)s", **_ref(dossier))
        if reply is None:
            return _("New request %(reference)s submitted", **_ref(dossier))
        return _("Answer received on request %(reference)s", **_ref(dossier))

    mail.send_after_response(
        to,
        bilingual(subject, " / "),
        bilingual(lambda: plain_text("review/email/to_review_team.txt", **context)),
        about=f"review team's news of request {dossier.id}",
    )


def _certified_before(report: FollowUpReport) -> int | None:
    """The number of the report that said the device CE-marked, if that was the last word
    before `report`, which expects CE marking on a date again (its certificate lost)."""
    if report.certification != "delayed":
        return None
    return _last_word_before(report, "certified_by")


def _stopped_before(report: FollowUpReport) -> int | None:
    """The number of the report that said CE certification was no longer pursued, if that
    was the last word before `report`, which says it is under way again."""
    if report.certification not in ("as_planned", "delayed"):
        return None
    return _last_word_before(report, "stopped_by")


def _last_word_before(report: FollowUpReport, said: str) -> int | None:
    """The number of the report before `report` whose word on certification was the last
    (`follow_up.certified_by` or `stopped_by`, named by `said`), if it said that."""
    from wizard.review import follow_up  # (which sends through this module)

    earlier = [r for r in follow_up.reports_of(report.dossier) if r.id < report.id]
    found = getattr(follow_up, said)(earlier)
    return found[1] if found is not None else None


def _reviewers_concerned(dossier: Dossier, reply: Reply | None, acted: bool) -> list[str]:
    """The addresses of the reviewers still at ANSM who asked the question `reply` answers,
    or (`acted`: of a request withdrawn, or reported on) who acted on the request (its audit
    trail says who); and, of either, the reviewer handling it (`review.assignment`)."""
    handler = [dossier.assigned_to] if dossier.assigned_to and (reply or acted) else []
    return sorted(
        {
            person.email
            for person in _asked_or_acted(dossier, reply, acted) + handler
            if person.is_active
        }
    )


# What makes a reviewer one of those who acted on a request. Reading it (a download) is no
# part in it, nor is passing it on (its handler is told, not the giver).
_TAKING_PART = (
    audit.STATUS_CHANGED,
    audit.QUESTION_ADDED,
    audit.QUESTION_CANCELLED,
    audit.NOTE_ADDED,
    audit.FOLLOW_UP_READ,
)


def _asked_or_acted(dossier: Dossier, reply: Reply | None, acted: bool) -> list[User]:
    """Who asked the question `reply` answers, or (`acted`) who acted on the request."""
    if reply is not None:
        people = [reply.information_request.asked_by]
    elif acted:
        people = db.session.scalars(
            select(User)
            .join(AuditEvent, AuditEvent.actor_id == User.id)
            .where(
                AuditEvent.dossier_id == dossier.id,
                User.role == Role.REVIEWER,
                AuditEvent.action.in_(_TAKING_PART),
            )
            .distinct()
            .order_by(User.id)
        ).all()
    else:
        people = []
    return list(people)


def question_to_professional(question: InformationRequest, dossier: Dossier, token: str) -> bool:
    """Send a professional their question (not recorded yet) and personal link, which works
    until the end of `question.link_last_day`; False when it could not go."""
    context = {
        "question": question,
        "dossier": dossier,
        "device": device_name(dossier),
        "link": external_url("review_hcp.answer", token=token),
    }
    return _send(
        question.hcp_email,
        lambda: _("ANSM asks you a question about request %(reference)s", **_ref(dossier)),
        lambda: plain_text("review/email/question_to_professional.txt", **context),
        reply_to=ansm_reply_to(question),
    )


def ansm_reply_to(question: InformationRequest) -> str:
    """Where a professional's reply to ANSM's email goes (the portal's sender is no-reply,
    and they have no account), and where a manufacturer writes about a question closed:
    ANSM's mailbox for these requests (`ANSM_REPLY_TO`), else the reviewer who asked, or, once
    their account is removed, ANSM's team mailbox (`REVIEW_TEAM_EMAIL`) if there is one."""
    config, asked_by = current_app.config, question.asked_by
    if config["ANSM_REPLY_TO"]:
        return config["ANSM_REPLY_TO"]
    if asked_by.is_active:
        return asked_by.email
    return config["REVIEW_TEAM_EMAIL"] or asked_by.email


def questions_closed_to_professionals(
    questions: list[InformationRequest], dossier: Dossier, status: Status, *, told: set[str]
) -> None:
    """`question_closed_to_professional` once to each address (asked twice, for two of their
    letters, a professional reads it once), but those `told` already (casefolded): the news
    of the decision that closed the questions said it (`decision_to_professionals`)."""
    for address, question in _by_address(questions).items():
        if address not in told:
            question_closed_to_professional(question, dossier, status)


def question_closed_to_professional(
    question: InformationRequest, dossier: Dossier, status: Status
) -> None:
    """Tell a professional that ANSM no longer waits for their answer: the request left
    "information requested" (`status`: the review resumed, the request withdrawn) before it
    came. Their link stops working, and they may be writing that answer."""
    context = {
        "question": question,
        "asked_on": clock.day_in_paris(question.asked_at),
        "dossier": dossier,
        "device": device_name(dossier),
    }
    mail.send_after_response(
        question.hcp_email,
        bilingual(
            lambda: _(
                "ANSM no longer waits for your answer on request %(reference)s", **_ref(dossier)
            ),
            " / ",
        ),
        bilingual(
            lambda: plain_text(
                "review/email/question_closed_to_professional.txt", status=status, **context
            )
        ),
        about=f"closed question {question.id} to a professional",
        reply_to=ansm_reply_to(question),
    )


def _ref(dossier: Dossier) -> dict:
    return {"reference": dossier.reference}


def _send(to: str, subject, body, *, reply_to: str | None = None) -> bool:
    try:
        mail.send(to, bilingual(subject, " / "), bilingual(body), reply_to=reply_to)
    except mail.MailError:
        current_app.logger.exception("email to %s not sent", to)
        return False
    return True
