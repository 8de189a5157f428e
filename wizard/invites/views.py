"""The clinician's pages: the letter form behind an invite link, its live checks, the thanks,
and the plain page of a link that cannot be used."""

from __future__ import annotations

import hashlib
from datetime import date

from flask import redirect, render_template, request, url_for

from wizard import clock, kept
from wizard.forms.invitations import ClinicianLetterForm
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import listed, switch_to_the_language_asked
from wizard.invites import bp, service
from wizard.models import Invitation, InvitationState
from wizard.token_links import (
    answered_through,
    keep_token_private,
    remember_sent,
    sent_again,
    sent_lately,
    unavailable_page,
)
from wizard.web import live_field

# Links that cannot be used: (status, title, what happened, what to do).
UNAVAILABLE = {
    "unknown": (
        404,
        _l("This link does not work"),
        _l("The address may be incomplete: check that you opened or copied the whole link."),
        _l("If it still does not work, ask the manufacturer who invited you for a new link."),
    ),
    "expired": (
        410,
        _l("This link has expired"),
        _l("For security, invitation links work for a limited time only."),
        _l("Ask the manufacturer who invited you to send you a new link."),
    ),
    "replaced": (
        410,
        _l("This link has been replaced"),
        _l(
            "The manufacturer who invited you has sent you a newer link, by email, which "
            "replaces this one."
        ),
        _l(
            "Use the link in the most recent email (its subject says “New link”). If you cannot "
            "find it, ask the manufacturer who invited you to send it again."
        ),
    ),
    "revoked": (
        410,
        _l("This link has been cancelled"),
        _l("The manufacturer who invited you has cancelled it."),
        _l("To send a letter all the same, ask the manufacturer who invited you for a new link."),
    ),
    "deleted": (
        410,
        _l("This request has been deleted"),
        _l(
            "The manufacturer who invited you has deleted the request it was preparing for "
            "ANSM, without sending it."
        ),
        _l(
            "You do not need to write a letter for it. For a question, ask the manufacturer "
            "who invited you."
        ),
    ),
    "used": (
        410,
        _l("This link has already been used"),
        _l("A letter has already been sent with this link, and each link works once only."),
        _l("To send another letter, ask the manufacturer who invited you for a new link."),
    ),
    # The thank-you page, opened again once it no longer shows what was sent (an hour after,
    # or in another browser): no broken link, and nothing of the letter said to whoever
    # opens it.
    "thanks_gone": (
        200,
        _l("This confirmation is no longer shown"),
        _l(
            "The page confirming a letter shows what was sent for an hour, and only in the "
            "browser that sent it."
        ),
        _l(
            "If you sent your letter, the manufacturer has it, and we emailed you a copy. To "
            "send another letter, ask the manufacturer who invited you for a new link."
        ),
    ),
    "closed": (
        410,
        _l("This request is closed"),
        _l(
            "The manufacturer has already submitted this request to ANSM, so letters can no "
            "longer be added to it."
        ),
        _l("If your letter is still needed, ask the manufacturer who invited you."),
    ),
}
# Whom the advice means, named without the page naming anyone: the link may be opened by
# whoever the email was forwarded to, the invitation sent to a wrong address, then cancelled.
# The email names them, and its Reply-To is their address (`service.contact_person`).
REACH = _l(
    "To write to them, reply to the email that brought you the link: your message reaches "
    "the person who invited you."
)
STATUS_LABELS = {
    InvitationState.SENT: _l("Sent"),
    InvitationState.NOT_SENT: _l("Not sent"),
    InvitationState.OPENED: _l("Opened"),
    InvitationState.LETTER_RECEIVED: _l("Letter received"),
    InvitationState.REVOKED: _l("Cancelled"),
    InvitationState.EXPIRED: _l("Expired"),
}
_RECEIVED = "invite_received"


bp.after_request(keep_token_private)


@bp.app_template_filter()
def day_in_paris(moment) -> date | None:
    return clock.day_in_paris(moment) if moment else None


@bp.app_template_global()
def invitation_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def _opened_by_a_person() -> bool:
    """A browser's own navigation to the page, which it says in its fetch metadata headers:
    not the mail filter that fetches every link of an email before its reader sees it (the
    manufacturer would read "Opened" of a link nobody opened), nor a browser's prefetch.
    Browsers without those headers (before 2023) leave the invitation "Sent" until the letter
    comes."""
    return (
        request.method == "GET"
        and request.headers.get("Sec-Fetch-Mode") == "navigate"
        and request.headers.get("Sec-Fetch-Dest", "document") == "document"
        and not request.headers.get("Sec-Purpose", "").startswith("prefetch")
    )


@bp.errorhandler(service.LinkUnavailable)
def unavailable(error: service.LinkUnavailable):
    # A letter sent to a link that stopped working while it was written (revoked, used from
    # another tab, run out): nothing of it was taken, so what was typed is shown to copy.
    from wizard.errors import typed_answers  # which imports this blueprint's forms

    token = (request.view_args or {}).get("token", "")
    sent = request.endpoint == "invites.respond" and request.method == "POST"
    if error.reason == "used" and sent and sent_again(_RECEIVED, token):
        return redirect(url_for(".received"), 303)  # sent twice from this browser: received
    opened = request.endpoint == "invites.respond" and request.method in ("GET", "HEAD")
    if error.reason == "used" and opened and answered_through(_RECEIVED, token):
        return redirect(url_for(".received"), 303)  # opened again by who sent it, lately
    typed = typed_answers() if request.method == "POST" else ()
    body, status = unavailable_page(UNAVAILABLE, error.reason, typed=typed, reach=REACH)
    # A live check's answer: the page the professional is writing in says so (app.js).
    closed = {"X-Link-Closed": "true"} if request.endpoint == "invites.check_field" else {}
    return body, status, closed


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def respond(token: str):
    invitation = service.find(token)
    if request.method in ("GET", "HEAD"):
        if _opened_by_a_person():
            service.mark_opened(invitation)
        # Offered as the manufacturer named them in the invitation, to correct if need be.
        offered = {"author_name": invitation.clinician_name, "specialty": invitation.role}
        return _page(invitation, ClinicianLetterForm(formdata=None, data=offered))
    if "switch_language" in request.form:
        return _in_the_other_language(invitation)
    form = ClinicianLetterForm()
    form.kept_file = kept.kept_file(_slot(invitation))
    if not form.validate():
        _kept_unless_attached(invitation, form)
        # The request may have changed meanwhile too: said with what was wrong, as a send
        # refused for it says it; otherwise this page, showing the request as it is now,
        # would take the change in unsaid.
        return _page(invitation, form, 422, **_changed_on_page(invitation))
    # The manufacturer may have changed the request while the letter was being written
    # (another patient, the other type of access, another device): the letter is not sent
    # for a request its author has not seen; the page shows it as it is now. Looked at
    # first, before the file is stored; then again once the draft is claimed.
    shown = request.form.get("shown")  # (a page from before it carried it: none)
    summary = service.summary_of(invitation)
    if summary.unsaid:
        # Being changed by the manufacturer: no letter until it says what it would support.
        kept.keep_file(_slot(invitation), form)
        return _page(invitation, form, 409, **_changed_on_page(invitation))
    try:
        if shown is not None and shown != summary.fingerprint():
            raise service.RequestChanged()
        details = _letter_details(form)
        letter = service.receive_letter(invitation, details, kept.file_of(form), shown=shown)
    except service.RequestChanged:
        kept.keep_file(_slot(invitation), form)
        return _page(invitation, form, 409, changed=_changed_since(invitation, shown))
    except service.SameFileAttached:
        _refuse_the_same_file(invitation, form)
        return _page(invitation, form, 422, **_changed_on_page(invitation))
    kept.forget(_slot(invitation))
    summary = service.summary_of(invitation)
    received = {
        "manufacturer": summary.manufacturer,
        "kind": summary.kind,
        "filename": letter.filename,
        "sha256": letter.sha256,
    }
    if contact := service.contact_person(invitation):
        received |= {"inviter": contact.name, "inviter_email": contact.email}
    remember_sent(_RECEIVED, received, token)
    return redirect(url_for(".received"), 303)


@bp.post("/invitations/<token>/check")
def check_field(token: str):
    """htmx live validation of one field, with the same validators as the full submit."""
    invitation = service.find(token)
    name = request.headers.get("HX-Trigger-Name", "")
    return live_field(
        ClinicianLetterForm().about(service.summary_of(invitation).kind),
        name,
        url_for(".check_field", token=token),
        skip=("file", "is_author"),
    )


@bp.get("/invitations/received")
def received():
    letter = sent_lately(_RECEIVED)
    if letter is None:
        return unavailable_page(UNAVAILABLE, "thanks_gone", reach=REACH)
    return render_template("invites/received.html", letter=letter)


def _in_the_other_language(invitation: Invitation):
    """The page in the language its switch asks for, with what was typed: the switch is a
    button of the letter's form (base.html), so that changing language loses nothing typed,
    JavaScript off too, where a link would. Nothing is sent; a file chosen is asked for
    again (as on a step's page). What was wrong is said again if the page said it."""
    switch_to_the_language_asked()
    form = ClinicianLetterForm()
    form.kept_file = kept.kept_file(_slot(invitation))
    if request.form.get("errors_shown") == "y":
        form.validate()
        form.file.errors = []  # not sent with the switch: not wrong
    chosen = "file_not_sent" in request.form or any(f.filename for f in request.files.values())
    # The request changed since the page was opened: said, as a letter sent would be told.
    changed = _changed_on_page(invitation)
    return _page(invitation, form, **changed, switched=True, file_not_kept=chosen)


def _kept_unless_attached(invitation: Invitation, form) -> None:
    """A letter refused for another answer keeps its file for the next try, unless the request
    holds that very file already: said now, not once the rest is put right."""
    chosen = form.file.content
    digest = hashlib.sha256(chosen).hexdigest() if chosen else None
    if digest is None or not service.holds_file(invitation, digest):
        kept.keep_file(_slot(invitation), form)
    elif not form.file.errors:
        _refuse_the_same_file(invitation, form)


def _refuse_the_same_file(invitation: Invitation, form) -> None:
    """The very file is attached already: said beside the file, and not kept to send again."""
    kept.forget(_slot(invitation))
    form.kept_file = None
    form.file.errors.append(
        _(
            "This very file is attached to the request already, by the manufacturer or by "
            "another healthcare professional: nothing more is needed from you, unless you "
            "meant to send another letter, your own, signed."
        )
    )


def _changed_on_page(invitation: Invitation) -> dict:
    """What changed since the page sent was opened (`changed`); or, on a page that said so
    already (whose fingerprint is the request's as it is now), what it marked "Changed",
    said again by its language switch or its letter refused for a slip, as seen before
    (`changed_earlier`)."""
    if changed := _changed_since(invitation, request.form.get("shown")):
        return {"changed": changed}
    marked = [part for part in request.form.get("marked", "").split(",") if part in CHANGED]
    return {"changed": marked or False, "changed_earlier": bool(marked)}


def _changed_since(invitation: Invitation, shown: str | None) -> list[str] | bool:
    """What of the request changed since its page was opened (`RequestSummary.SHOWN`);
    True when it changed but what is not known (a page from before fingerprints had
    parts); False when nothing did (or a page from before pages carried one)."""
    summary = service.summary_of(invitation)
    if shown is None or shown == summary.fingerprint():
        return False
    return summary.changed_since(shown) or True


def _page(
    invitation: Invitation,
    form: ClinicianLetterForm,
    status: int = 200,
    *,
    changed: list[str] | bool = False,
    changed_earlier=False,
    switched=False,
    file_not_kept=False,
):
    summary = service.summary_of(invitation)
    return render_template(
        "invites/respond.html",
        form=form.about(summary.kind),
        summary=summary,
        changed=changed,
        # Seen on the page before (its switch, a slip): said as news, not as why it was not sent.
        changed_told=changed_earlier or switched,
        # Named in the notice, and marked on their rows.
        changed_parts=changed if isinstance(changed, list) else [],
        changed_what=listed([str(CHANGED[part]) for part in changed])
        if isinstance(changed, list)
        else "",
        kept_file=form.kept_file,
        switched=switched,  # the language changed: what was typed is kept, a file not
        file_not_kept=file_not_kept,
        action=request.path,
        validate_url=url_for(".check_field", token=request.view_args["token"]),
    ), status


# What changed of the request, as the page's notice names it (`RequestSummary.SHOWN`).
CHANGED = {
    "manufacturer": _l("the manufacturer's name"),
    "device": _l("the device"),
    "kind": _l("the type of access"),
    "patient": _l("the patient"),
    "indication": _l("the indication"),
    "target_population": _l("the target population"),
    "estimated_patients": _l("the estimated number of patients"),
}


def _letter_details(form: ClinicianLetterForm) -> dict:
    return {
        "author_name": form.author_name.data,
        "author_rpps": form.author_rpps.data,
        "specialty": form.specialty.data,
        "establishment": form.establishment.data,
        "establishment_finess": form.establishment_finess.data or None,
        "urgency_statement": form.urgency_statement.data.replace("\r\n", "\n"),
        "letter_date": form.letter_date.data.isoformat(),
    }


def _slot(invitation: Invitation) -> str:
    """Where this browser's session keeps the letter chosen on a refused try (`wizard.kept`)."""
    return f"invitation-{invitation.id}"
