"""How a request's audit trail and history read on its pages: each event, each decision's
title and procedure, who acted."""

from __future__ import annotations

from datetime import date

from wizard import audit
from wizard.domain.lifecycle import Status
from wizard.forms.base import quantity
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import listed, long_date, ngettext
from wizard.models import Addressee, AuditEvent, Decision, DecisionKind
from wizard.web import STATUS_LABELS, status_label

DECISION_TITLES = {
    DecisionKind.AUTHORISATION: _l("Authorisation"),
    DecisionKind.REFUSAL: _l("Refusal"),
    DecisionKind.SUSPENSION: _l("Suspension of the authorisation"),
    DecisionKind.REINSTATEMENT: _l("Reinstatement of the authorisation"),
    DecisionKind.WITHDRAWAL: _l("Withdrawal of the authorisation"),
}


DOWNLOADED = {
    "document": _l("supporting document"),
    "hcp_letter": _l("healthcare professional's letter"),
    "reply_document": _l("document of an answer"),
    "follow_up_document": _l("document of a follow-up report"),
    "receipt": _l("receipt"),
    "decision": _l("decision"),
    "withdrawal": _l("withdrawal of the request"),
}


ACTOR_ROLES = {
    "manufacturer": _l("Manufacturer"),
    "reviewer": _l("ANSM reviewer"),
    "hcp": _l("Healthcare professional, through their link"),
    "system": _l("Portal, scheduled job"),
}


def actor_role(role: str) -> str:
    return str(ACTOR_ROLES.get(role, role))


def decision_title(decision: Decision) -> str:
    if decision.kind == DecisionKind.WITHDRAWAL and decision.by_manufacturer:
        return _("Withdrawal of the request by the manufacturer")
    return str(DECISION_TITLES[DecisionKind(decision.kind)])


def _certification_said(stands: dict | None) -> str:
    """Where a report said the CE certification stands, as the audit trail lists it."""
    if not stands:
        return ""
    if stands["status"] == "delayed":
        return _(
            "CE marking now expected by %(date)s",
            date=long_date(date.fromisoformat(stands["ce_expected_on"])),
        )
    if stands["status"] == "certified" and not stands.get("certificate_body"):
        return _(
            "CE marking obtained: EU declaration of conformity %(number)s, %(date)s",
            number=stands["certificate_number"],
            date=long_date(date.fromisoformat(stands["certificate_issued_on"])),
        )
    if stands["status"] == "certified":
        return _(
            "CE marking obtained: certificate %(number)s, notified body %(body)s, %(date)s",
            number=stands["certificate_number"],
            body=stands["certificate_body"],
            date=long_date(date.fromisoformat(stands["certificate_issued_on"])),
        )
    if stands["status"] == "stopped":
        return _("CE certification no longer pursued")
    return _("CE certification under way as planned")


def procedure_text(decision: Decision) -> str:
    """How the manufacturer was heard before a suspension or withdrawal, as its signed PDF
    states it; empty for other decisions (and those made before it was recorded)."""
    procedure = (decision.record or {}).get("procedure")
    if procedure is None:
        return ""
    if procedure["kind"] == "urgency":
        return _("Taken urgently, without first inviting the manufacturer's observations.")
    if procedure["kind"] == "requested":
        return _(
            "Taken at the manufacturer's request, made in its follow-up report no. %(number)d "
            "of %(date)s: no observations to invite.",
            number=procedure["report_number"],
            date=long_date(date.fromisoformat(procedure["asked_on"])),
        )
    invited_on = long_date(date.fromisoformat(procedure["invited_on"]))
    if procedure["observations_received"]:
        return _(
            "The manufacturer was invited on %(date)s to present its observations, and did.",
            date=invited_on,
        )
    return _(
        "The manufacturer was invited on %(date)s to present its observations, and presented "
        "none in the time given.",
        date=invited_on,
    )


# A request withdrawn from one of these had an authorisation: ANSM withdrew it.
_AUTHORISED_STATUSES = frozenset({Status.AUTHORISED, Status.SUSPENDED})


def event_text(event: AuditEvent) -> str:
    """One line of the audit trail, as a reviewer reads it."""
    detail = event.detail
    if event.action == audit.STATUS_CHANGED:
        # Withdrawn after an authorisation (or its suspension): ANSM's, not the request's.
        by_ansm = event.from_status in _AUTHORISED_STATUSES
        moved = _(
            "Status: %(before)s → %(after)s",
            before=STATUS_LABELS[event.from_status],
            after=status_label(event.to_status, authorised=by_ansm),
        )
        # The question that moved it is named, as those asked beside it are.
        if detail.get("hcp_name"):
            return _(
                "%(moved)s: question to %(name)s, who wrote a letter",
                moved=moved,
                name=detail["hcp_name"],
            )
        if detail.get("addressee") == Addressee.MANUFACTURER:
            return _("%(moved)s: question to the manufacturer", moved=moved)
        # A decision, by the number its PDF, its email and the acts after it cite it by (not
        # the manufacturer's withdrawal of its request, recorded as one).
        withdrawn_by_manufacturer = event.to_status == Status.WITHDRAWN and not by_ansm
        if detail.get("decision_number") and not withdrawn_by_manufacturer:
            return _(
                "%(moved)s: decision no. %(number)d", moved=moved, number=detail["decision_number"]
            )
        return moved
    if event.action == audit.QUESTION_ADDED:
        if detail.get("status"):  # asked of an authorisation in force or suspended
            return _("Asked the manufacturer for more information on the authorisation")
        if detail.get("hcp_name"):
            return _(
                "Also asked %(name)s, who wrote a letter, for more information",
                name=detail["hcp_name"],
            )
        return _("Also asked the manufacturer for more information")
    if event.action == audit.QUESTION_CANCELLED:
        if detail.get("hcp_name") is None:
            return _("Question to the manufacturer withdrawn, unanswered")
        return _("Question to %(name)s withdrawn, unanswered", name=detail["hcp_name"])
    if event.action == audit.REPLY_SENT:
        return _("Answer to ANSM's question sent")
    if event.action == audit.FOLLOW_UP_SENT:
        sent = ngettext(
            "Follow-up report sent: %(num)s patient treated so far",
            "Follow-up report sent: %(num)s patients treated so far",
            detail["patients_treated"],
            num=quantity(detail["patients_treated"]),
        )
        if met := detail.get("meets"):  # the dates its authorisation asked it by
            dates = listed([long_date(date.fromisoformat(day)) for day in met])
            sent = ngettext(
                "%(sent)s; the report due by %(dates)s",
                "%(sent)s; the reports due by %(dates)s",
                len(met),
                sent=sent,
                dates=dates,
            )
        if stands := _certification_said(detail.get("certification")):
            sent = f"{sent}; {stands}"
        if detail.get("end_asked"):
            sent = _("%(sent)s; asks ANSM to end the authorisation", sent=sent)
        return sent
    if event.action == audit.ASSIGNED:
        if detail["to"] is None:
            return _("Handled by nobody now")
        return _("Given to %(name)s to handle", name=detail["to"])
    if event.action == audit.NOTE_ADDED:
        return _("Note for ANSM added")
    if event.action == audit.FOLLOW_UP_READ:
        return _("Follow-up report no. %(number)d marked read", number=detail["number"])
    if event.action == audit.PERIOD_END_REMINDED:
        return _(
            "Manufacturer reminded that the authorised period ends on %(date)s",
            date=long_date(date.fromisoformat(detail["period_end"])),
        )
    if event.action == audit.REPORT_DUE_REMINDED:
        return _(
            "Manufacturer reminded of the follow-up report due by %(date)s",
            date=long_date(date.fromisoformat(detail["due_on"])),
        )
    if event.action == audit.DOCUMENT_UPLOADED:
        if detail.get("report_id"):
            return _("Document of a follow-up report: %(name)s", name=detail.get("filename"))
        return _("Document uploaded: %(name)s", name=detail.get("filename"))
    if event.action == audit.DOCUMENT_REMOVED:
        return _("Document removed from the draft: %(name)s", name=detail.get("filename"))
    if event.action == audit.DOCUMENT_PUT_BACK:
        return _("Document put back in the draft: %(name)s", name=detail.get("filename"))
    if event.action == audit.LETTER_UPLOADED:
        return _("Letter from %(name)s uploaded: %(filename)s", **detail)
    if event.action == audit.PROFESSIONAL_INVITED:
        return _("Professional invited to send a letter: %(name)s (%(email)s)", **detail)
    if event.action == audit.INVITATION_RENEWED:
        return _("New invitation link made for %(name)s (%(email)s)", **detail)
    if event.action == audit.INVITATION_REVOKED:
        return _("Invitation of %(name)s (%(email)s) cancelled", **detail)
    if event.action == audit.LETTER_RECEIVED:
        return _("Letter received through the invitation link: %(filename)s", **detail)
    if event.action == audit.LETTER_REMOVED:
        return _("Letter from %(name)s removed from the draft: %(filename)s", **detail)
    if event.action == audit.LETTER_PUT_BACK:
        return _("Letter from %(name)s put back in the draft: %(filename)s", **detail)
    if event.action == audit.LETTER_CHECKED:
        if detail.get("initials"):
            return _(
                "Letter from %(name)s, written for the patient %(initials)s born in %(year)s, "
                "said by the manufacturer to be about the patient the request now names: "
                "%(filename)s",
                **detail,
            )
        return _(
            "Letter from %(name)s, written while the request had the other type of access, "
            "said by the manufacturer to support it as it is: %(filename)s",
            **detail,
        )
    if event.action == audit.STARTED_FROM:
        return _("Started from request %(reference)s, with its answers and documents", **detail)
    if event.action == audit.DOCUMENT_DOWNLOADED:
        kind = DOWNLOADED.get(detail.get("kind"), detail.get("kind"))
        return _("Downloaded: %(name)s (%(kind)s)", name=detail.get("filename"), kind=kind)
    return event.action


# What the manufacturer's history lists: each change of status, each question ANSM asked
# while others waited (it changes no status), and each answer ANSM received (a professional's
# said to have come, not what it says).
_HISTORY = (audit.STATUS_CHANGED, audit.QUESTION_ADDED, audit.REPLY_SENT, audit.FOLLOW_UP_SENT)


def in_history(event: AuditEvent) -> bool:
    """Whether the manufacturer's history lists the event: a question withdrawn by ANSM too,
    its own or a professional's (the history said ANSM asked them: a manufacturer prompting
    the professional would otherwise send them to a link that no longer works)."""
    return event.action in _HISTORY or event.action == audit.QUESTION_CANCELLED


def history_text(event: AuditEvent) -> str:
    """What the manufacturer reads in their request's history beside an event of it."""
    detail = event.detail
    if event.action == audit.QUESTION_CANCELLED:
        if detail.get("hcp_name"):
            return _(
                "ANSM withdrew its question to %(name)s: it no longer waits for their answer.",
                name=detail["hcp_name"],
            )
        return _("ANSM withdrew its question to you: it no longer waits for your answer.")
    if event.action in (audit.REPLY_SENT, audit.FOLLOW_UP_SENT):
        name = event.actor_named
        if event.action == audit.REPLY_SENT:
            return _("%(name)s answered ANSM's question.", name=name)
        return _("%(name)s sent a follow-up report.", name=name)
    if event.to_status == Status.AUTHORISED and event.from_status == Status.SUSPENDED:
        # Its tag reads "Authorised", as the first decision's: the grounds alone would not
        # say the authorisation was reinstated.
        said = _("ANSM reinstated the authorisation.")
        return f"{said}\n{detail['note']}" if detail.get("note") else said
    if detail.get("note"):
        return detail["note"]
    if event.to_status == Status.SUBMITTED:
        return _("The request was submitted.")
    if event.to_status == Status.INFORMATION_REQUESTED or event.action == audit.QUESTION_ADDED:
        if detail.get("hcp_name"):
            return _(
                "ANSM asked %(name)s, who wrote a letter, for more information.",
                name=detail["hcp_name"],
            )
        return _("ANSM asked you for more information.")
    if detail.get("reply_id"):  # the answer itself is the event before
        return _("Every answer awaited has come: ANSM resumes its review.")
    if event.to_status == Status.EXPIRED:
        return _("The authorised period has ended.")
    return ""
