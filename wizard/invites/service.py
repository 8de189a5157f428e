"""What happens to an invitation: created and emailed, sent again, revoked, opened, answered.

The raw token exists only in the email and in the clinician's address bar; the database keeps
its sha256. Every change of state goes through one function here.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NoReturn

from flask import current_app
from flask_babel import LazyString
from sqlalchemy import select, update

from wizard import audit, clock, mail
from wizard.domain.lifecycle import Status
from wizard.extensions import db
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.models import Dossier, HcpLetter, Invitation, InvitationState, ReplacedLink, User
from wizard.models.dossier import patient_mark
from wizard.models.invitation import OPEN_STATES
from wizard.uploads import StoredFile
from wizard.web import ACCESS_TYPE_LABELS, external_url

TOKEN_BYTES = 32  # 256 bits of randomness
_TOKEN_LENGTH = range(20, 101)  # anything else cannot be one of ours: no database look-up


class LinkUnavailable(Exception):
    """The link cannot be used. `reason`: unknown, expired, revoked, used or closed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class RequestChanged(Exception):
    """The request is no longer what the professional's page showed (`RequestSummary.
    fingerprint`): their letter is not taken for it."""


class SameFileAttached(Exception):
    """The very file sent is attached to the request already (another professional's letter,
    or one of the manufacturer's files): one PDF would support the request twice."""


@dataclass(frozen=True)
class RequestSummary:
    """All a clinician learns about the request: who asks, for which device, which kind."""

    manufacturer: str
    device: str | None  # None until the device step is answered
    access_type: LazyString
    kind: str | None  # "individual", "global", or None until chosen
    message: str | None
    # Individual: which patient, as the request describes them (pseudonymised: initials,
    # year of birth, where treated), so that the letter is written for the right one. Shown
    # on the link's page, never in the email.
    patient: dict | None = None
    # Global: for which patients, as the request words it (indication, population, how many),
    # so that the urgency the letter states is for them.
    population: dict | None = None
    # Whether the request says what a letter would support, as step 9 needs before inviting
    # (`filing.pages.not_invitable_yet`): the device, the type of access and the patient
    # (initials and year of birth: a letter records them) or the indication.
    said: bool = True

    def fingerprint(self) -> str:
        """What the link's page shows of the request that a letter is written for (the
        manufacturer, the device, the type of access, the patient): the page carries it, so
        that a letter is not sent for a request changed since the page was opened. One part
        per thing shown (`SHOWN`), so that the page can say which changed."""
        return ".".join(_part_print(self._shown(name)) for name in SHOWN)

    def _shown(self, name: str):
        """One thing the page shows: an attribute, or one row of a global request's
        population (`POPULATION`), each compared apart so that the page marks the row changed."""
        if name in POPULATION:
            return (self.population or {}).get(name)
        return getattr(self, name)

    @property
    def unsaid(self) -> bool:
        """Whether the request does not say yet what a letter would support: as step 9
        invites nobody then, a link opened before takes no letter, which would otherwise
        support whichever patient came next, unflagged."""
        return not self.said

    def changed_since(self, shown: str) -> list[str]:
        """Which of `SHOWN` differ from a page's fingerprint `shown`, in that order; empty if
        none does, or if the page is from before fingerprints had parts (it was changed, but
        what is not known)."""
        parts = shown.split(".")
        if len(parts) != len(SHOWN):
            return []
        changed = [
            name
            for name, part in zip(SHOWN, parts, strict=True)
            if part != _part_print(self._shown(name))
        ]
        if "kind" in changed:
            # No patient (or population) shown any more: the type of access changing says it.
            gone = {"patient": self.patient is None}
            gone |= {name: self.population is None for name in POPULATION}
            changed = [name for name in changed if not gone.get(name)]
        return changed


# A global request's population, as its rows show it (`population_of`).
POPULATION = ("indication", "target_population", "estimated_patients")
# What a professional's page shows of the request, each compared apart (`fingerprint`).
SHOWN = ("manufacturer", "device", "kind", "patient", *POPULATION)


def _part_print(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:10]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def summary_of(invitation: Invitation) -> RequestSummary:
    dossier = invitation.dossier
    answers = dossier.answers()
    kind = answers.get("access-type", {}).get("access_type")
    return RequestSummary(
        manufacturer=dossier.manufacturer_name,
        device=answers.get("device", {}).get("trade_name"),
        # Lazy: translated where it is shown, in each language of a bilingual email.
        access_type=ACCESS_TYPE_LABELS.get(kind, _l("Not chosen yet")),
        kind=kind,
        message=invitation.message,
        patient=patient_of(answers) if kind == "individual" else None,
        population=population_of(answers) if kind == "global" else None,
        said=says_what_a_letter_supports(answers),
    )


def says_what_a_letter_supports(answers) -> bool:
    """The one rule for step 9's invitations and a link's letter: the device named, the type
    of access chosen, and the patient (initials and year of birth) or the indication."""
    kind = answers.get("access-type", {}).get("access_type")
    if not answers.get("device", {}).get("trade_name") or kind not in ("individual", "global"):
        return False
    if kind == "individual":
        return patient_mark(answers) is not None
    return bool(answers.get("scope", {}).get("indication"))


def population_of(answers) -> dict | None:
    """The patients a global request is for, as a professional is shown them: its indication,
    target population and estimated number, as far as the request says them yet."""
    scope = answers.get("scope", {})
    shown = {key: scope.get(key) for key in POPULATION if scope.get(key) not in (None, "")}
    return shown or None


def patient_of(answers) -> dict | None:
    """The patient of an individual request as a professional is shown them (pseudonymised:
    initials, year of birth, where treated, by whom), so that they know which one it is."""
    patient = answers.get("patient", {})
    if not patient.get("patient_initials"):
        return None
    return {
        "initials": patient["patient_initials"],
        "birth_year": patient.get("patient_birth_year"),
        "establishment": patient.get("establishment_name"),
        "physician": patient.get("physician_name"),
    }


def invite(dossier: Dossier, by: User, **details: str | None) -> Invitation:
    """Record an invitation, then email it. It is saved first: a mail failure loses nothing,
    it leaves the invitation "not sent", to be sent again."""
    _claim(dossier)
    token, link = _new_link()
    invitation = Invitation(
        dossier=dossier,
        created_by_id=by.id,
        created_at=clock.now(),
        state=InvitationState.NOT_SENT,
        **link,
        **details,
    )
    db.session.add(invitation)
    _record(invitation, audit.PROFESSIONAL_INVITED, audit.Actor.of(by))
    db.session.commit()
    _email_link(invitation, token)
    return invitation


def can_resend(invitation: Invitation) -> bool:
    return invitation.state in OPEN_STATES


def can_revoke(invitation: Invitation) -> bool:
    return invitation.state in OPEN_STATES


def resend(invitation: Invitation, by: User) -> bool:
    """A new link with a new expiry; the old link stops working at once. False when the
    invitation closed meanwhile (a letter arrived through it). The link replaced is the one
    this request read: sent again meanwhile (a second click, a colleague), nothing more is
    sent, as a new link has just left; True if the invitation is still open."""
    _claim(invitation.dossier)
    token, link = _new_link()
    replaced = invitation.token_hash
    # A link never emailed (the mail server was down) is not "new" to its reader: the
    # email that goes now is the first they get.
    renewed = invitation.sent_at is not None
    new = {"state": InvitationState.NOT_SENT, "opened_at": None, **link}
    if not _change_if_open(invitation, new, Invitation.token_hash == replaced):
        db.session.refresh(invitation)
        return invitation.state in OPEN_STATES
    db.session.add(ReplacedLink(token_hash=replaced, invitation_id=invitation.id))
    _record(invitation, audit.INVITATION_RENEWED, audit.Actor.of(by))
    db.session.commit()
    _email_link(invitation, token, renewed=renewed, by=by)
    return True


def revoke(invitation: Invitation, by: User) -> bool:
    """The link stops working. False when the invitation closed meanwhile."""
    _claim(invitation.dossier)
    if not _change_if_open(invitation, {"state": InvitationState.REVOKED}):
        return False
    _record(invitation, audit.INVITATION_REVOKED, audit.Actor.of(by))
    db.session.commit()
    return True


def _claim(dossier: Dossier) -> None:
    """An invitation is a change of its draft: begun as every one (`claim_draft`), so that one
    sent as the request is submitted either comes before the submission or is refused
    (`NotEditable`), never a link emailed that says the request is closed."""
    # Imported here: the filing package imports the review pages, which import this module.
    from wizard.filing import service as filing

    filing.claim_draft(dossier)


def _change_if_open(invitation: Invitation, values: dict, *also) -> bool:
    """A conditional update: a letter received between the page and this click (see
    `receive_letter`) closed the invitation, and must not be undone; `also`, further
    conditions."""
    changed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.state.in_(OPEN_STATES), *also)
        .values(**values)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return False
    return True


def _record(invitation: Invitation, action: str, actor: audit.Actor, **detail: str) -> None:
    """In the request's audit trail, with the change it describes (the caller commits)."""
    who = {"name": invitation.clinician_name, "email": invitation.email}
    audit.record(
        invitation.dossier_id or invitation.dossier.id, action, actor, detail={**who, **detail}
    )


def _new_link() -> tuple[str, dict[str, Any]]:
    """A new token, and what the invitation stores of it: its hash and its expiry."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    # Until the end of the last day in France: "works until 9 December" means all of that day.
    last_day = clock.today() + timedelta(days=current_app.config["INVITE_TTL_DAYS"])
    return token, {
        "token_hash": token_hash(token),
        "expires_at": clock.end_of_day_in_paris(last_day),
    }


def contact_person(invitation: Invitation, by: User | None = None) -> User | None:
    """Whom the professional writes to about the invitation: who sent it (`by`, or who sent it
    first) while they still file for the organisation; else one of those who file the
    request (never someone colleagues have removed)."""
    dossier = invitation.dossier
    for person in (by, invitation.created_by, dossier.created_by, dossier.submitted_by):
        if person is not None and person.is_active:
            if person.organisation_id == dossier.organisation_id:
                return person
    return next((user for user in dossier.organisation.users if user.is_active), None)


def _email_link(
    invitation: Invitation, token: str, *, renewed: bool = False, by: User | None = None
) -> None:
    """The invitation, in French then English: the professional's language is unknown (and
    not necessarily the one the manufacturer uses the portal in). Sent again (`renewed`), its
    subject says it brings a new link, so that it is told apart from the first."""
    link = external_url("invites.respond", token=token)
    summary = summary_of(invitation)
    inviter = contact_person(invitation, by)
    body = mail.bilingual_text(
        "invites/email/invitation.txt",
        invitation=invitation,
        summary=summary,
        link=link,
        inviter=inviter,
    )
    subject = mail.bilingual(
        lambda: (
            _(
                "New link: %(manufacturer)s asks for your letter to ANSM",
                manufacturer=summary.manufacturer,
            )
            if renewed
            else _(
                "%(manufacturer)s asks for your letter to ANSM", manufacturer=summary.manufacturer
            )
        ),
        " / ",
    )
    try:
        # Answers reach the person who invited, not the portal's no-reply sender.
        reply_to = mail.reply_address(inviter.name, inviter.email) if inviter else None
        mail.send(invitation.email, subject, body, reply_to=reply_to)
    except mail.MailError:
        current_app.logger.exception("invitation %s not sent", invitation.id)
        invitation.state = InvitationState.NOT_SENT
    else:
        invitation.state = InvitationState.SENT
        invitation.sent_at = clock.now()
    db.session.commit()


def find(token: str) -> Invitation:
    """The invitation whose link this is, if it can still be used; else `LinkUnavailable`."""
    hashed = token_hash(token) if len(token) in _TOKEN_LENGTH else None
    invitation = (
        db.session.scalar(select(Invitation).where(Invitation.token_hash == hashed))
        if hashed
        else None
    )
    if invitation is None:
        # A link "Resend" replaced: said so only while the invitation is still open (else
        # the newer link does not work either, and the page says why).
        replaced = hashed and db.session.scalar(
            select(Invitation).join(ReplacedLink).where(ReplacedLink.token_hash == hashed)
        )
        if not replaced:
            raise LinkUnavailable("unknown")
        _check_open(replaced)
        raise LinkUnavailable("replaced")
    _check_open(invitation)
    return invitation


def _check_open(invitation: Invitation) -> None:
    if invitation.dossier.status == Status.DISCARDED:  # its links were cancelled with it
        raise LinkUnavailable("deleted")
    if invitation.state == InvitationState.REVOKED:
        raise LinkUnavailable("revoked")
    if invitation.state == InvitationState.LETTER_RECEIVED:
        raise LinkUnavailable("used")
    if not invitation.dossier.is_draft:
        raise LinkUnavailable("closed")
    if invitation.is_expired:
        raise LinkUnavailable("expired")


def mark_opened(invitation: Invitation) -> None:
    """Sent (or not sent, but followed) becomes opened; conditionally, so that a revocation
    made meanwhile stays."""
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.state.in_((InvitationState.SENT, InvitationState.NOT_SENT)),
        )
        .values(state=InvitationState.OPENED, opened_at=clock.now())
    )
    db.session.commit()


def _refused(invitation: Invitation) -> NoReturn:
    """A letter the link no longer takes, said for what happened since its page was read
    (`find`): the link cancelled or replaced, a letter sent through it in another tab, the
    request submitted, or deleted (its invitations are then cancelled)."""
    db.session.rollback()  # the invitation and its request are read again
    _check_open(invitation)
    raise LinkUnavailable("used")  # (not reached: the link or its request closed)


def holds_file(invitation: Invitation, sha256: str) -> bool:
    """Whether the invitation's request holds this very file already (a letter, a document)."""
    dossier = invitation.dossier
    return any(item.sha256 == sha256 for item in (*dossier.hcp_letters, *dossier.documents))


def receive_letter(
    invitation: Invitation,
    letter: dict[str, Any],
    stored: StoredFile,
    *,
    shown: str | None = None,
) -> HcpLetter:
    """Attach the clinician's letter to the invitation's request (and no other), once, if
    the request is still what their page showed (`shown`, its fingerprint; None: a page
    from before pages carried it), else `RequestChanged`; `SameFileAttached` if the request
    holds the very same file already."""
    from wizard.filing import service as filing  # (imported here: see `_claim`)

    at = clock.now()
    # The request first, then the invitation: the order of every change of a draft (deleting
    # one locks the request, then revokes its invitations), so that two never wait on each
    # other's locks (PostgreSQL). Both conditional: two tabs sending the same link, or the
    # request submitted meanwhile, match no row instead of attaching a second letter or
    # changing a frozen request.
    try:
        _claim(invitation.dossier)
    except filing.NotEditable:  # submitted, or deleted
        _refused(invitation)
    # Read once the draft is claimed (a change made meanwhile waits, or is seen).
    if shown is not None and summary_of(invitation).fingerprint() != shown:
        db.session.rollback()
        raise RequestChanged()
    if holds_file(invitation, stored.sha256):
        db.session.rollback()
        raise SameFileAttached()
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.state.in_(OPEN_STATES))
        .values(state=InvitationState.LETTER_RECEIVED, used_at=at)
    ).rowcount
    if claimed != 1:
        _refused(invitation)
    received = HcpLetter(
        dossier_id=invitation.dossier_id,
        filename=stored.filename,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_at=at,
        source="invite",
        # What the professional was shown and wrote for (their page names the type of access,
        # and the patient of an individual request).
        **HcpLetter.written_for_now(invitation.dossier.answers()),
        **letter,
    )
    db.session.add(received)
    filing.letters_step_answered(invitation.dossier)
    db.session.flush()
    invitation.letter_id = received.id
    _record(
        invitation,
        audit.LETTER_RECEIVED,
        audit.Actor.professional(received.author_name),
        filename=received.filename,
        sha256=received.sha256,
    )
    db.session.commit()
    _notify_manufacturer(invitation, received)
    _confirm_to_professional(invitation, received)
    return received


def _confirm_to_professional(invitation: Invitation, letter: HcpLetter) -> None:
    """A copy of what the professional sent, to the address invited (they have no account
    to look at it), with whom to write to if it was the wrong file."""
    summary = summary_of(invitation)
    inviter = contact_person(invitation)
    body = mail.bilingual_text(
        "invites/email/letter_sent.txt", letter=letter, summary=summary, inviter=inviter
    )
    subject = mail.bilingual(
        lambda: _(
            "Your letter has been added to the request of %(manufacturer)s",
            manufacturer=summary.manufacturer,
        ),
        " / ",
    )
    mail.send_after_response(
        invitation.email,
        subject,
        body,
        about=f"copy of letter {letter.id} to its author",
        # It says to write to the inviter for a wrong file: a reply reaches them.
        reply_to=mail.reply_address(inviter.name, inviter.email) if inviter else None,
    )


def tell_links_closed(dossier: Dossier) -> None:
    """Once the request is submitted: each professional whose link still worked (no letter
    sent, not revoked, not run out) is told that it no longer does, so that nobody writes a
    letter that can no longer be added; those the check page named as awaited, so also one
    whose invitation email failed (it may have reached them earlier, before a "Resend").
    Their replies reach whoever invited them."""
    for notice in _links_closed(
        dossier,
        "invites/email/link_closed.txt",
        lambda summary, _invitation: _(
            "%(manufacturer)s has submitted its request: your letter can no longer be added",
            manufacturer=summary.manufacturer,
        ),
        "closed by the submission",
        submitted=clock.day_in_paris(dossier.submitted_at),
    ):
        mail.send_after_response(**notice)


def draft_deleted_notices(dossier: Dossier) -> list[dict[str, Any]]:
    """For a draft about to be deleted: the email to each professional whose link still
    works, saying that no letter is needed any more (as `tell_links_closed` does once a
    request is submitted), and to each whose letter came through it, saying that it goes with
    the draft, never sent to ANSM. Made while the draft still says what it was for (its
    device); sent once it is deleted: `mail.send_after_response(**notice)`."""

    def subject(summary, invitation):
        if invitation.letter is not None:
            return _(
                "%(manufacturer)s has given up its request: your letter was deleted with it",
                manufacturer=summary.manufacturer,
            )
        return _(
            "%(manufacturer)s has given up its request: your letter is no longer needed",
            manufacturer=summary.manufacturer,
        )

    return _links_closed(
        dossier,
        "invites/email/draft_deleted.txt",
        subject,
        "closed: the draft was deleted",
        letters_too=True,
    )


def _links_closed(
    dossier: Dossier, template: str, subject, why: str, *, letters_too: bool = False, **more
) -> list[dict]:
    """The email (`template`, `subject` of the request's summary and the invitation) to each
    professional whose link still works, telling them it no longer does, and (`letters_too`)
    to each whose letter came through it; replies reach whoever invited them."""
    notices = []
    for invitation in dossier.invitations:
        if not (invitation.is_open or (letters_too and invitation.letter is not None)):
            continue  # a letter came, revoked, or run out: nothing awaited
        if invitation.sent_at is None:
            continue  # no email ever reached them ("Not sent"): no link to speak of
        summary = summary_of(invitation)
        inviter = contact_person(invitation)
        body = mail.bilingual_text(
            template, invitation=invitation, summary=summary, inviter=inviter, **more
        )
        notices.append(
            {
                "to": invitation.email,
                "subject": mail.bilingual(
                    lambda summary=summary, invitation=invitation: subject(summary, invitation),
                    " / ",
                ),
                "body_text": body,
                "about": f"invitation {invitation.id} {why}",
                "reply_to": mail.reply_address(inviter.name, inviter.email) if inviter else None,
            }
        )
    return notices


def _notify_manufacturer(invitation: Invitation, letter: HcpLetter) -> None:
    """Tell whoever invited the professional, or, if colleagues removed that account, those
    who file the request (`Dossier.filer_addresses`); the letter is stored whatever happens
    to this email."""
    link = external_url("filing.step", dossier_id=invitation.dossier_id, step_id="hcp-support")
    summary = summary_of(invitation)
    body = mail.bilingual_text(
        "invites/email/letter_received.txt", letter=letter, summary=summary, link=link
    )
    subject = mail.bilingual(
        lambda: _("%(name)s has sent a letter for your request", name=letter.author_name), " / "
    )
    mail.send_after_response(
        invitation.created_by.email
        if invitation.created_by.is_active
        else ", ".join(invitation.dossier.filer_addresses),
        subject,
        body,
        about=f"news of letter {letter.id}",
    )
