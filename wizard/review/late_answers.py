"""An answer sent once ANSM no longer waits for it (the review resumed, the request withdrawn,
a measure on the authorisation or its period's end, the question withdrawn, or answered
meanwhile from another page): why it was not taken, as the manufacturer or the professional
reads it, and what they sent, to copy, since none of it was kept."""

from __future__ import annotations

from typing import NamedTuple

from flask_login import current_user

from wizard import clock, kept
from wizard.domain.lifecycle import Status
from wizard.errors import typed_answers
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import long_date
from wizard.models import InformationRequest
from wizard.review.notify import ansm_reply_to
from wizard.review.pages import reply_slot
from wizard.review.status import effective_status, measure_of


class NotSent(NamedTuple):
    """What the manufacturer's page says of an answer it did not take."""

    message: str
    advice: str
    typed: list[tuple[str, str]]


def typed(question: InformationRequest | None, ticked: list[str]) -> list[tuple[str, str]]:
    """What the answer carried: its text and the names of the files chosen (`typed_answers`),
    and of the files kept from an earlier try and left ticked. Those are let go: the question
    cannot be answered any more (`flask uploads prune` removes them)."""
    rows = typed_answers()
    if question is None:
        return rows
    slot = reply_slot(question)
    names = [item.filename for item in kept.chosen(slot, ticked)]
    if names:
        rows.append((_("Files kept from your last try"), ", ".join(names)))
    kept.forget(slot)
    return rows


def _closed_on(question: InformationRequest) -> str:
    return long_date(clock.day_in_paris(question.closed_at))


# A measure on the authorisation closes the questions awaited: by the status it put.
_MEASURES = {
    "authorisation_withdrawn": _l(
        "ANSM withdrew the authorisation on %(date)s, which closed its question. Your answer "
        "was not sent."
    ),
    "suspended": _l(
        "ANSM suspended the authorisation on %(date)s, which closed its question. Your answer "
        "was not sent."
    ),
    # The reinstatement that lifted a suspension.
    "authorised": _l(
        "ANSM reinstated the authorisation on %(date)s, which closed its question. Your "
        "answer was not sent."
    ),
}


def to_manufacturer(question: InformationRequest, ticked: list[str]) -> NotSent:
    """Why the manufacturer's answer was not taken, and how ANSM can still have it."""
    reference = question.dossier.reference
    reason = question.closed_reason
    if reason == "withdrawn" and not _by_manufacturer(question):
        reason = "authorisation_withdrawn"  # ANSM withdrew the authorisation it was asked on
    elif reason is None and effective_status(question.dossier) == Status.EXPIRED:
        reason = "expired"  # its period ended; `flask decisions expire` has not run yet
    if reason == "answered":
        message = _(
            "This question was answered meanwhile, from another page: this answer was not sent."
        )
        answer = next(iter(question.replies), None)
        if answer is not None and answer.author_id != current_user.id:  # by a colleague
            message = _(
                "%(name)s answered this question on %(date)s: this answer was not sent.",
                name=answer.author_name,
                date=long_date(clock.day_in_paris(answer.sent_at)),
            )
        advice = _(
            "The answer ANSM received is under “Questions from ANSM and your answers”. To add "
            "what you typed here, write to ANSM at %(address)s, giving the reference "
            "%(reference)s.",
            reference=reference,
            address=ansm_reply_to(question),
        )
        return NotSent(message, advice, typed(question, ticked))
    if reason == "withdrawn":  # by the manufacturer: nothing more to send
        message = _(
            "The request was withdrawn on %(date)s, which closed ANSM's question. Your answer "
            "was not sent.",
            date=_closed_on(question),
        )
        return NotSent(message, "", typed(question, ticked))
    if reason == "under_review":
        message = _(
            "ANSM resumed the review of your request on %(date)s without waiting for an answer "
            "to this question, which is now closed. Your answer was not sent.",
            date=_closed_on(question),
        )
    elif reason == "cancelled":  # taken back by ANSM (`information.cancel`)
        message = _(
            "ANSM withdrew this question on %(date)s: it no longer waits for an answer to it. "
            "Your answer was not sent.",
            date=_closed_on(question),
        )
    elif reason in _MEASURES:
        message = str(_MEASURES[reason]) % {"date": _closed_on(question)}
    elif reason == "expired":
        message = _(
            "The authorisation's period has ended, which closed ANSM's question. Your answer "
            "was not sent."
        )
    else:
        message = _(
            "This question is closed: ANSM no longer waits for an answer to it. Your answer was "
            "not sent."
        )
    # Closed unanswered: a new question asked since is on the page, with its form.
    asked_again = any(
        awaited.to_manufacturer and awaited.id != question.id
        for awaited in InformationRequest.awaited(question.dossier_id)
    )
    advice = (
        _("ANSM has asked you a new question since: answer it on this page.")
        if asked_again
        else still_needed_advice(question)
    )
    return NotSent(message, advice, typed(question, ticked))


# What closed a question unanswered, by the status its closing put (`transitions`), as both
# pages say it under the question.
_CLOSED_BY = {
    "under_review": _l("Closed unanswered on %(date)s, when ANSM resumed the review."),
    "withdrawn": _l("Closed unanswered on %(date)s, when the manufacturer withdrew the request."),
    "authorisation_withdrawn": _l(
        "Closed unanswered on %(date)s, when ANSM withdrew the authorisation."
    ),
    "suspended": _l("Closed unanswered on %(date)s, when ANSM suspended the authorisation."),
    "authorised": _l("Closed unanswered on %(date)s, when ANSM reinstated the authorisation."),
    "expired": _l("Closed unanswered on %(date)s, when the authorisation's period ended."),
}


def closed_unanswered(question: InformationRequest) -> str:
    """What closed `question` without an answer (not withdrawn by ANSM, which the page says
    apart), for the request's pages: which measure, or the period's end, and when."""
    reason = question.closed_reason
    if reason == "expired" and question.hcp_email:  # a professional asked again since
        return _("The link expired without an answer.")
    if reason == "withdrawn" and not _by_manufacturer(question):
        reason = "authorisation_withdrawn"
    elif reason == "withdrawn" and not current_user.is_reviewer:  # the manufacturer's page
        return _(
            "Closed unanswered on %(date)s, when you withdrew the request.",
            date=_closed_on(question),
        )
    if reason not in _CLOSED_BY:
        return _("Closed without an answer.")
    return str(_CLOSED_BY[reason]) % {"date": _closed_on(question)}


def sent_already(question: InformationRequest, user_id: int, message: str, files) -> bool:
    """Whether `question` was answered with this very answer (a double click, a send retried
    after the network failed): by the same person, in the same words, with the same files
    (`files`: their sha256), not a second answer from another page."""
    if question.closed_reason != "answered":
        return False
    return any(
        reply.author_id == user_id
        and reply.message == message.replace("\r\n", "\n")
        and sorted(document.sha256 for document in reply.documents) == sorted(set(files))
        for reply in question.replies
    )


def _by_manufacturer(question: InformationRequest) -> bool:
    """Whether the withdrawal that closed `question` was the manufacturer's, of its request
    (else ANSM's, of the authorisation)."""
    withdrawal = measure_of(question.dossier_id, Status.WITHDRAWN)
    return withdrawal is None or withdrawal.by_manufacturer


def to_professional(question: InformationRequest) -> tuple[str, str]:
    """Why a professional's link no longer takes their answer (what happened, what to do)."""
    reference = question.dossier.reference
    if question.closed_reason == "withdrawn":
        detail = _(
            "The manufacturer withdrew the request %(reference)s on %(date)s: ANSM will not "
            "decide on it, and no longer waits for your answer.",
            reference=reference,
            date=_closed_on(question),
        )
    elif question.closed_reason == "under_review":
        detail = _(
            "ANSM resumed its review of the request %(reference)s on %(date)s without waiting "
            "for your answer: its question is closed.",
            reference=reference,
            date=_closed_on(question),
        )
    elif question.closed_reason == "cancelled":  # taken back by ANSM (`information.cancel`)
        detail = _(
            "ANSM withdrew this question on %(date)s: it no longer waits for an answer to it.",
            date=_closed_on(question),
        )
    else:
        detail = _(
            "The review of the request %(reference)s has moved on without it.",
            reference=reference,
        )
    if question.closed_reason == "cancelled":  # most often, sent to a mistyped address
        return detail, _("If its email reached you by mistake, you need do nothing more.")
    # They have no account: ANSM's emails to them take a reply (`notify.ansm_reply_to`).
    advice = _(
        "If you still want to send your answer, reply to ANSM's email about the request "
        "%(reference)s: your message reaches them.",
        reference=reference,
    )
    return detail, advice


def still_needed_advice(question: InformationRequest) -> str:
    """What the manufacturer does with an answer to a question closed unanswered: write to
    ANSM's mailbox for these requests, else to the reviewer who asked (`ansm_reply_to`)."""
    return _(
        "If you think your answer is still needed, write to ANSM at %(address)s, giving the "
        "reference %(reference)s.",
        reference=question.dossier.reference,
        address=ansm_reply_to(question),
    )
