"""Error pages written for people: no stack trace ever reaches a page."""

from __future__ import annotations

import errno

from flask import Flask, current_app, g, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from wizard import unsent
from wizard.auth import limits
from wizard.extensions import db
from wizard.flow.steps import FLOW
from wizard.forms.attachments import HcpLetterForm
from wizard.forms.base import typed_rows
from wizard.forms.invitations import ClinicianLetterForm, InvitationForm
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import ngettext
from wizard.review.filer_forms import FollowUpReportForm, ReplyForm, WithdrawRequestForm
from wizard.review.forms import action_form_class
from wizard.uploads import human_size, sends_files
from wizard.web import from_this_site, page_sent_from

MESSAGES = {
    400: (
        _l("Your action could not be processed"),
        _l("Go back, reload the page and try again."),
    ),
    403: (_l("You cannot open this page"), _l("Your account does not give access to it.")),
    404: (
        _l("Page not found"),
        _l("Check the address: the page may have moved."),
    ),
    405: (
        _l("This page cannot be opened directly"),
        _l("It answers a form. Go back to the page with the form and send it again."),
    ),
    409: (
        _l("This request can no longer be changed"),
        _l("It has been submitted and its answers are frozen."),
    ),
    413: (
        _l("The file is too large"),
        _l("Go back and choose a smaller file. Each PDF can be at most %(size)s."),
    ),
    429: (
        _l("Too many attempts"),
        _l(
            "There have been too many attempts from your connection. Wait a minute, then open "
            "the link from your email again."
        ),
    ),
    500: (
        _l("Sorry, something went wrong on our side"),
        _l("Your saved answers are safe. Try again in a few minutes."),
    ),
}
# A form with no file, too heavy to be read (`config.TEXT_FORM_BYTES`): far more text than
# any of its answers may hold.
TEXT_TOO_LONG = (
    _l("What you sent is too long"),
    _l(
        "It was not read: it holds far more text than the form's answers may hold. Go back, "
        "shorten the answer you pasted (each says how long it may be), and send it again."
    ),
)


# A refusal on the sign-in page speaks of signing in, not of invite links.
SIGN_IN_TOO_MANY = (
    _l("Too many sign-in attempts"),
    _l(
        "For your security, signing in is paused after several failed attempts. Wait 15 "
        "minutes, then try again, or choose a new password: the browser you choose it in "
        "can sign in with it at once. Your saved answers are safe."
    ),
)


# …unless it is the connection that is paused (many accounts tried from it), not an account.
SIGN_IN_TOO_MANY_FROM_CONNECTION = (
    SIGN_IN_TOO_MANY[0],
    _l(
        "For your security, signing in is paused after many failed attempts from your "
        "connection. Wait a minute, then try again. Your saved answers are safe."
    ),
)


# And on the forgotten-password page, of the links already sent.
RESET_TOO_MANY = (
    _l("Too many links asked for"),
    _l(
        "Several links to choose a new password have been sent already. Use the latest one in "
        "your email, or wait an hour before asking again."
    ),
)


# Elsewhere, of what the page does.
TOO_MANY = {
    "auth.login": SIGN_IN_TOO_MANY,
    "auth.forgot_password": RESET_TOO_MANY,
    "auth.register": (
        _l("Too many accounts created"),
        _l(
            "Several accounts have been created from your connection, or with this email "
            "address, in the last hour. Wait an hour, or sign in to an account you already "
            "have."
        ),
    ),
    "filing.invite": (
        _l("Too many invitations sent today"),
        _l(
            "Your organisation has sent as many invitation emails as it can in a day. Your "
            "request is saved: send the next invitations tomorrow, or contact ANSM if you need "
            "more."
        ),
    ),
    "receipts.verify": (
        _l("Too many files checked"),
        _l("Many files have been checked from your connection. Wait a minute, then try again."),
    ),
}
TOO_MANY["filing.resend_invitation"] = TOO_MANY["filing.invite"]
# A link's page sent again and again with its file refused (not guessed links: that is
# `Too many attempts`).
TOO_MANY_TRIES = {}
TOO_MANY_TRIES["invites.respond"] = (
    _l("Too many tries"),
    _l(
        "This page has been sent many times in the last hour with something to correct. Wait "
        "an hour, then send it again; if it is still refused, ask the manufacturer who "
        "invited you."
    ),
)
TOO_MANY_TRIES["review_hcp.answer"] = (
    TOO_MANY_TRIES["invites.respond"][0],
    _l(
        "This page has been sent many times in the last hour with something to correct. Wait "
        "an hour, then send it again; if it is still refused, contact ANSM and give the "
        "reference in their email."
    ),
)
# The manufacturer's own forms that take files: one budget for all, per account.
TOO_MANY_TRIES.update(
    dict.fromkeys(
        limits.MANUFACTURER_FILE_FORMS,
        (
            TOO_MANY_TRIES["invites.respond"][0],
            _l(
                "Your forms have been sent many times in the last hour with a file and "
                "something to correct. Wait an hour before sending a file again; you can still "
                "send the form without one. What your request already holds is kept."
            ),
        ),
    )
)
# Many files sent for checking within the hour, accepted or not.
TOO_MANY_FILES = dict.fromkeys(
    limits.LINK_FORMS,
    (
        _l("Too many files"),
        _l(
            "Many files have been sent from this page in the last hour. Wait an hour, then "
            "send your file again; nothing was saved this time."
        ),
    ),
)
TOO_MANY_FILES.update(
    dict.fromkeys(
        limits.MANUFACTURER_FILE_FORMS,
        (
            TOO_MANY_FILES["invites.respond"][0],
            _l(
                "Your account has sent many files in the last hour. Wait an hour before sending "
                "a file again; you can still send the form without one. Nothing was saved this "
                "time; what your request already holds is kept."
            ),
        ),
    )
)
# A wrong password typed on a page with no emailed link: that page's own words.
TOO_MANY["auth.confirm_email"] = (
    SIGN_IN_TOO_MANY[0],
    _l(
        "For your security, signing in is paused after several failed attempts. Wait 15 "
        "minutes, then open the link from your email again and type your password."
    ),
)
TOO_MANY["auth.account_password"] = (
    _l("Too many wrong passwords"),
    _l(
        "For your security, changing your password is paused after several wrong current "
        "passwords. Your password has not changed. Wait 15 minutes, then try again."
    ),
)
TOO_MANY["auth.account_email"] = (
    _l("Too many attempts"),
    _l(
        "For your security, changing your email address is paused after several wrong "
        "passwords, or once several links have been sent in a day. Your address has not "
        "changed. Try again later, or tomorrow."
    ),
)
TOO_MANY["auth.invite_colleague"] = (
    TOO_MANY["filing.invite"][0],
    _l(
        "Your organisation has sent as many invitation emails as it can in a day (to "
        "professionals and to colleagues together). Invite your colleague tomorrow, or "
        "contact ANSM if you need more."
    ),
)

# A colleague invited or removed after too many wrong passwords (the invitation's page has a
# limit of emails too, whose words are above); the page offers a new password, as the
# password form's does.
WRONG_PASSWORDS = {
    "auth.invite_colleague": (
        _l("Too many wrong passwords"),
        _l(
            "For your security, inviting colleagues is paused after several wrong passwords: "
            "nobody was invited. Wait 15 minutes, then invite your colleague again."
        ),
    ),
    "auth.remove_colleague": (
        _l("Too many wrong passwords"),
        _l(
            "For your security, removing a colleague is paused after several wrong passwords: "
            "nobody was removed. Wait 15 minutes, then try again."
        ),
    ),
}


# What a refused form was, by the page that sends it: where people type the most (the
# wizard's steps and the evidence sent with its files, answers to ANSM, the clinician's
# letter, a reviewer's action and its reasons).
def _posted_form():
    if request.endpoint == "filing.step":
        step = FLOW.get((request.view_args or {}).get("step_id", ""))
        return step.form(meta={"csrf": False}) if step is not None and step.form else None
    if (sent_to := unsent.step_sent_to()) is not None and sent_to.id == "clinical-evidence":
        # The evidence step's summaries are sent with its files (one form).
        return sent_to.form(meta={"csrf": False})
    if request.endpoint == "review.act":
        # Read without the request (whoever sent it is not known any more): the global
        # authorisation's form, which has every question the individual one has.
        name = (request.view_args or {}).get("name", "")
        return action_form_class(name, "global")(prefix=name, meta={"csrf": False})
    if request.endpoint == "review_filer.reply":
        return ReplyForm(prefix="reply", meta={"csrf": False})
    if request.endpoint == "review_filer.withdraw":
        return WithdrawRequestForm(prefix="withdraw", meta={"csrf": False})
    if request.endpoint == "review_filer.send_report":
        form = FollowUpReportForm(prefix="report", meta={"csrf": False})
        # A class I request's form asks no body's number (`without_notified_body`): what it
        # carried says which form it was, its questions then named as its page named them.
        if "report-certificate_number" in request.form and (
            "report-certificate_body" not in request.form
        ):
            form.without_notified_body()
        return form
    if request.endpoint == "invites.respond":
        # Its questions as the page worded them (for one patient, or for the patients).
        return ClinicianLetterForm(meta={"csrf": False}).about(request.form.get("about"))
    if request.endpoint == "review_hcp.answer":
        return ReplyForm(prefix="answer", meta={"csrf": False})
    return None


# Step 9's buttons all send its one form: the invitation and the letter being written.
_STEP_NINE = {
    "filing.invite",
    "filing.add_letter",
    "filing.resend_invitation",
    "filing.delete_letter",
}


def typed_answers() -> list[tuple[str, str]]:
    """What a form that could not be taken carried, by question, for the person to copy."""
    step_id = (request.view_args or {}).get("step_id")
    if (
        request.endpoint in _STEP_NINE
        or (request.endpoint == "filing.step" and step_id == "hcp-support")
        or unsent.puts_back_a_letter()
    ):
        return [
            *typed_rows(InvitationForm(prefix="invite", meta={"csrf": False})),
            *typed_rows(HcpLetterForm(prefix="letter", meta={"csrf": False})),
        ]
    form = _posted_form()
    return typed_rows(form) if form is not None else []


# Flask-Login's `login_required` makes every wrapper from this one function.
_SIGNED_IN_ONLY = login_required(lambda: None).__code__


def _needs_sign_in(view) -> bool:
    """Whether a view is for signed-in people only (`login_required`, or a view marked
    `needs_sign_in` such as `filing.access.manufacturer_session_required`, perhaps under other
    decorators)."""
    while view is not None:
        if getattr(view, "__code__", None) is _SIGNED_IN_ONLY or hasattr(view, "needs_sign_in"):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def signed_out_page(status: int):
    """A form (or a live check) sent once the session had ended: what was typed, to copy,
    and a way to sign in again that leads back to the page."""
    minutes = current_app.config["SESSION_IDLE_MINUTES"]
    if minutes % 60:
        idle = ngettext("%(num)d minute", "%(num)d minutes", minutes)
    else:
        idle = ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    detail = _l(
        "For your security, the portal signs you out after %(idle)s without activity, or "
        "when you sign out in another tab. What you sent was not saved.",
        idle=idle,
    )
    sign_in = url_for("auth.login", next=page_sent_from())
    from wizard.auth.views import removed_account_message  # (the views import this module)

    kept = False  # a step's answers, for this browser to find again once signed in
    if removed := removed_account_message():  # signing in again would not help
        detail, sign_in = removed, None
        if request.method == "POST":
            detail += " " + str(_l("What you sent was not saved."))
    elif request.method == "POST" and unsent.step_sent_to() is not None:
        kept = unsent.keep()
    if kept:
        detail = f"{detail} " + _(
            "It is kept in this browser for 24 hours: once you have signed in again, the page "
            "opens with your answers filled in, for you to check and save."
        )
    page = render_template(
        "error.html",
        title=_l("You were signed out"),
        detail=detail,
        typed=typed_answers(),
        typed_kept=kept,
        sign_in=sign_in,
    )
    # A live check says so in its stead (app.js): what is typed next is not saved.
    return page, status, {"X-Signed-Out": "true"}


def render_error(status: int):
    if status >= 500:
        return _server_error(status)
    title, detail = MESSAGES.get(status, MESSAGES[500])
    if status == 429 and request.endpoint in TOO_MANY:
        title, detail = TOO_MANY[request.endpoint]
    if status == 429 and request.endpoint == "auth.login" and not limits.account_paused():
        title, detail = SIGN_IN_TOO_MANY_FROM_CONNECTION
    wrong_passwords = status == 429 and limits.paused_for_wrong_passwords()
    if wrong_passwords and request.endpoint in WRONG_PASSWORDS:
        title, detail = WRONG_PASSWORDS[request.endpoint]
    if status == 429 and limits.stopped_for_refused_files():
        title, detail = TOO_MANY_TRIES[request.endpoint]
    if status == 429 and limits.stopped_for_file_checks():
        title, detail = TOO_MANY_FILES[request.endpoint]
    if status == 413 and request.endpoint == "receipts.verify":
        # Its own cap, far below the uploads': said beside its field, as any wrong file.
        from wizard.receipts.views import too_big, verify_page

        return verify_page(error=too_big()), 413
    if status == 413 and not sends_files():
        title, detail = TEXT_TOO_LONG
    size = human_size(current_app.config["MAX_UPLOAD_BYTES"])
    # What a form sent too often, or to a request submitted meanwhile (another tab, a
    # colleague), carried, to copy (not when too large: it is not read).
    typed = typed_answers() if status in (409, 429) and request.method == "POST" else []
    page = render_template(
        "error.html",
        title=title,
        detail=detail % {"size": size},
        typed=typed,
        # The account paused (not the connection), or too many wrong passwords before a
        # change: the way out the page names, for whoever forgot their password.
        new_password=status == 429 and (limits.account_paused() or wrong_passwords),
        **(_submitted_request() if status == 409 else {}),
        **(_another_account() if status == 404 else {}),
        **_way_back(status),
        **_form_again(status),
    )
    return page, status


def _form_again(status: int) -> dict:
    """The way back to the form the page answers. A professional's form behind an emailed
    link: that link (no account, not the manufacturers' portal). A file too large, or not
    stored for want of room: the page its form was sent from, to send it again (the form's
    own address may take no GET)."""
    if request.method != "POST":
        return {}
    if request.endpoint in limits.LINK_FORMS:
        return {"again": request.path, "token_page": True}
    if status in (413, 507) and (sent_from := page_sent_from()) is not None:
        return {"again": sent_from}
    return {}


def _server_error(status: int):
    """The portal's own page after a failure, the database's included (unreachable, a lock
    waited on too long): its session rolled back, the signed-in person shown as anyone when
    they can no longer be read, what a form carried shown to copy (nothing of it was saved);
    and should even that page fail, a plain one, never the server's bare words."""
    typed = _rolled_back_and_typed()
    _anyone_unless_readable()
    title, detail = MESSAGES[500]
    try:
        page = render_template(
            "error.html", title=title, detail=detail, typed=typed, **_form_again(status)
        )
    except Exception:
        current_app.logger.exception("the error page could not be drawn")
        page = _PLAIN_ERROR_PAGE
    return page, status


def _rolled_back_and_typed() -> list[tuple[str, str]]:
    """After a failure: the session rolled back (its connection may be gone: the next request
    takes another), and what a form carried, to copy, if it can still be read (its file may
    have been spooled to a full disk)."""
    try:
        db.session.rollback()
    except Exception:
        current_app.logger.warning("rollback after a failure failed", exc_info=True)
    if request.method != "POST":
        return []
    try:
        return typed_answers()
    except Exception:
        current_app.logger.warning("what a failed form carried not read", exc_info=True)
        return []


def _anyone_unless_readable() -> None:
    """The signed-in person, as the page's header reads them, if the database still gives
    them; else the page is drawn as for anyone (Flask-Login keeps the user it loaded in `g`)."""
    try:
        if current_user.is_authenticated:
            _ = (current_user.role, current_user.name)
    except Exception:
        g._login_user = current_app.login_manager.anonymous_user()


# The last resort: the error page itself failed. Both languages, no script, no database.
_PLAIN_ERROR_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Une erreur est survenue – Something went wrong</title></head>
<body><main>
<h1>Une erreur est survenue de notre côté</h1>
<p>Vos réponses enregistrées sont en sécurité. Réessayez dans quelques minutes.</p>
<h2 lang="en">Something went wrong on our side</h2>
<p lang="en">Your saved answers are safe. Try again in a few minutes.</p>
</main></body></html>
"""


def _another_account() -> dict:
    """For a request's page not found while signed in (a link from an email meant for
    another organisation's account): who is signed in, and a way
    to sign out and open it with the right one. Said of any request's address, found or not
    elsewhere: nobody learns whether another organisation's request exists."""
    if not (
        request.method == "GET"  # a link followed: a form's address is no page to open after
        and current_user.is_authenticated
        and current_user.is_manufacturer  # ANSM's reviewers see every request
        and "dossier_id" in (request.view_args or {})
    ):
        return {}
    # The organisation's own request (a step's name mistyped, a page it no longer has): the
    # way to it, rather than another account's (nothing is learnt of a request of one's own).
    if (dossier := _own_request()) is not None:
        if dossier.is_draft:
            return {"own_request": url_for("filing.resume", dossier_id=dossier.id)}
        if dossier.is_filed:
            return {
                "own_request": url_for("filing.submitted", dossier_id=dossier.id),
                "own_reference": dossier.reference,
            }
    return {"signed_in_as": current_user.email, "open_after": request.full_path.rstrip("?")}


def _submitted_request() -> dict:
    """For a change refused because its request was submitted meanwhile: the request's own
    page (its reference, its receipt, ANSM's questions), if it is the person's."""
    dossier = _own_request()
    if dossier is None or not dossier.is_filed:
        return {}
    return {
        "request_page": url_for("filing.submitted", dossier_id=dossier.id),
        "reference": dossier.reference,
    }


def _own_request():
    """The request the address names, if it is one of the signed-in manufacturer's
    organisation (else None, whether it exists or not)."""
    dossier_id = (request.view_args or {}).get("dossier_id")
    if not (
        isinstance(dossier_id, int)
        and current_user.is_authenticated
        and current_user.is_manufacturer
    ):
        return None
    from wizard.models import Dossier

    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or dossier.organisation_id != current_user.organisation_id:
        return None
    return dossier


def stored_file_unavailable(filename: str):
    """A stored file asked for that is missing or no longer holds the bytes that were sent
    (`uploads.file_problem`): said so, never sent."""
    page = render_template(
        "error.html",
        title=_l("This file cannot be sent"),
        detail=_(
            "The portal's copy of “%(name)s” is missing or damaged, so it is not sent: what "
            "you would receive might not be the file that was sent. The portal's "
            "administrators are told: ask them, or ask whoever sent the file for a copy.",
            name=filename,
        ),
        **_way_back(404),  # the database answers: the way back can be looked up
    )
    return page, 500


def receipt_unavailable(reference: str):
    """A receipt asked for, not produced yet, of a request whose filed answers no longer match
    their hash (`receipts.service.RecordAltered`): said so and logged, nothing signed."""
    current_app.logger.error(
        "receipt of %s not produced: its filed answers no longer match their hash", reference
    )
    page = render_template(
        "error.html",
        title=_l("This receipt cannot be produced"),
        detail=_(
            "The answers the portal keeps for request %(reference)s no longer match those that "
            "were filed, so no receipt is signed on them: it would certify answers that were "
            "not filed. The portal's administrators are told; the request's reference stands.",
            reference=reference,
        ),
        **_way_back(404),  # the database answers: the way back can be looked up
    )
    return page, 500


def _way_back(status: int) -> dict:
    """Where the page's link leads: the signed-in person's own starting page (their requests,
    the review queue), else the portal's start page. Not after a server error, which may be
    the database's: the user is not looked up then."""
    if status >= 500 or not current_user.is_authenticated:
        return {}
    if current_user.is_reviewer:
        return {"home": url_for("review.queue_page"), "home_label": _l("Back to the review queue")}
    return {"home": url_for("filing.dashboard")}


def init_app(app: Flask) -> None:
    for status in MESSAGES:
        app.register_error_handler(status, lambda error, status=status: render_error(status))

    from wizard.filing.drafts import deleted_draft_page
    from wizard.filing.service import DraftDeleted, NotEditable

    # A change that reached a request just submitted (another tab, a slow upload).
    app.register_error_handler(NotEditable, lambda error: render_error(409))

    @app.errorhandler(OSError)
    def storage_full(error: OSError):
        """A file that could not be written, the server's disk full: said as such (not as a
        fault of the person's), with what the form carried to copy; any other failure of the
        system's is the server's error page."""
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise error  # the server's error page, as for any failure
        app.logger.error("storage full: %s", error)
        typed = _rolled_back_and_typed()
        page = render_template(
            "error.html",
            title=_l("Your file could not be stored"),
            detail=_l(
                "The portal's storage is full at this moment, so nothing you sent was saved. "
                "Its administrators are told. Copy what you typed below, and send the form "
                "again later."
            ),
            typed=typed,
            **_way_back(404),
            **_form_again(507),
        )
        return page, 507

    # Or a draft just deleted: said so, with what was typed.
    app.register_error_handler(DraftDeleted, deleted_draft_page)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        """A form whose page is too old (or whose session ended) is not taken: the page says
        why, and shows what was typed, since going back would open the page again empty."""
        app.logger.warning("CSRF refusal: %s", error.description)
        if request.endpoint == "auth.logout" and from_this_site():
            # "Sign out" pressed in a tab opened before the session was started again (a
            # new password, signing in elsewhere), or once it has ended: signed out all the
            # same, as asked, from a page of the portal (the browser says so). Another
            # site's request is refused (and writes no session: `sessions.py`).
            from wizard.auth.views import logout

            return logout()
        if "_user_id" not in session and _needs_sign_in(app.view_functions.get(request.endpoint)):
            return signed_out_page(400)
        title = _l("Your form expired")
        # A form is taken only with the token of the browser session its page was opened
        # in (WTF_CSRF_TIME_LIMIT is off): that session ended, or another began since.
        detail = _l(
            "For your security, a form is taken only in the session its page was opened in, "
            "and that session has ended (after a long time without activity) or was started "
            "again (signing in, in another tab). What you sent was not saved: open the page "
            "again, then send the form again."
        )
        # A professional's form, reached by a link with no account: back to that link, not
        # to the manufacturers' portal (GET opens the form again). Signed in (again, in
        # another tab): back to the page the form was on.
        link_form = request.endpoint in limits.LINK_FORMS
        again = request.path if link_form else None
        kept = False
        if again is None and current_user.is_authenticated:
            from wizard.public import page_to_show

            # With its query ("?return_to=check": back to the summary after saving).
            again = page_to_show(request.full_path.rstrip("?"))
            # A step's answers, sent by the account signed in again since (in another tab):
            # its page opens again filled in with them, not saved (`unsent`). Not if another
            # account signed in since: nobody finds someone else's typing as their own.
            kept = (
                unsent.step_sent_to() is not None
                and request.form.get("opened_by") == str(current_user.id)
                and unsent.keep()
            )
        if kept:
            detail = _l(
                "For your security, a form is taken only in the session its page was opened in, "
                "and that session has ended (after a long time without activity) or was started "
                "again (signing in, in another tab). What you sent was not saved, but it is kept "
                "in this browser for 24 hours: open the page again, and it opens with your "
                "answers filled in, for you to check and save."
            )
        page = render_template(
            "error.html",
            title=title,
            detail=detail,
            typed=typed_answers(),
            typed_kept=kept,
            again=again,
            token_page=link_form,
        )
        return page, 400
