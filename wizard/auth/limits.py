"""Budgets on what a stranger could abuse (Flask-Limiter):
- sign-in attempts, per client address and per account: only failed attempts count, the
  refusal reads the same whether or not the account exists, and a browser the account signed
  in from before has a budget of its own (`devices`), so that a stranger cannot lock its
  owner out;
- password-reset emails, the same ways, so that nobody can flood a mailbox;
- accounts created, per client address (registering needs no invitation) and per address
  typed (each registration emails that address);
- invitation emails (to professionals or colleagues, sent or sent again), per organisation:
  they go to any address, carry the manufacturer's words, and leave from the portal's own
  sender (and a colleague invited has no budget of their own);
- colleagues' invitation links, failed look-ups per client address;
- receipt checks on the public /verify page, per client address: each parses a stranger's PDF;
- files checked (each in a process of its own), per account on the manufacturer's forms and
  per link on a professional's pages, whatever the check finds.

What counts is said by the view (`count_attempt`), whatever the status code it answers with
(htmx requests get 200 for a refused form)."""

from __future__ import annotations

import hashlib

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_login import current_user
from itsdangerous import URLSafeTimedSerializer

from wizard.auth import devices
from wizard.forms.validators import normalised_email
from wizard.token_links import is_failed_lookup

# The forms behind an emailed link (no account): a professional's letter, their answer to ANSM.
LINK_FORMS = ("invites.respond", "review_hcp.answer")
# The manufacturer's forms that take files.
MANUFACTURER_FILE_FORMS = (
    "filing.step",
    "filing.add_document",
    "filing.add_letter",
    "review_filer.reply",
    "review_filer.send_report",
)


def count_attempt() -> None:
    """The current request counts towards its view's limits."""
    g.counted_attempt = True


def _counted(_response) -> bool:
    return g.get("counted_attempt", False)


def count_wrong_password() -> None:
    """A wrong current password typed on a form that asks for it: it counts towards the
    account's budget of those (`current-password`), not towards what else the form's view
    counts (the invitation emails of inviting a colleague)."""
    g.wrong_password = True


def _wrong_password(_response) -> bool:
    return g.get("wrong_password", False)


def _link_sent(_response) -> bool:
    return g.get("link_sent", False)


def _typed_address(scope: str):
    def key() -> str:
        return scope + _address_typed()

    return key


def _address_typed() -> str:
    # Counted for any address typed, existing or not, so a refusal reveals nothing; in the
    # form the account is looked up by, so that other spellings share the budget.
    typed = request.form.get("email", "")
    return (normalised_email(typed) or typed.strip()).lower()[:254]


def _signing_in_account() -> str:
    """The account typed; from a browser that signed in to it before, that browser's own
    budget for it (`devices`), which a stranger's failures do not spend."""
    address = _address_typed()
    device = devices.device_of(address)
    return f"auth.login:{address}" + (f":device:{device}" if device else "")


def _link_account() -> str:
    """The account a confirmation link names (read, not trusted: only a key), so that other
    spellings of a link, or newer links, share one budget."""
    token = str((request.view_args or {}).get("token", ""))[:1000]
    _valid, claims = URLSafeTimedSerializer("").loads_unsafe(token)
    user = claims.get("user") if isinstance(claims, dict) else None
    return f"confirm-account:{user}" if isinstance(user, int) else "confirm-link:" + token[:300]


def _signed_in_account() -> str:
    # The account's id, not its session id (which changes at every sign-out).
    return f"account:{current_user.id if current_user.is_authenticated else 'anonymous'}"


def _signed_in_organisation() -> str:
    """The manufacturer the signed-in account files for: colleagues share one budget, so that
    inviting more colleagues brings no more emails."""
    if not current_user.is_authenticated:
        return "organisation:anonymous"
    return f"organisation:{current_user.organisation_id}"


def _link() -> str:
    """The link the request came by (its token's hash: the limiter's storage never holds a
    key that opens anything)."""
    token = (request.view_args or {}).get("token", "")
    return f"{request.endpoint}:{hashlib.sha256(token.encode()).hexdigest()}"


def _sends_a_file() -> bool:
    return any(f.filename for f in request.files.values())


def _refused_with_files(response) -> bool:
    return response.status_code == 422 and _sends_a_file()


def _kept_a_file(_response) -> bool:
    """A file stored for the next try of a refused form (`wizard.kept`): not one attached."""
    return g.get("kept_a_file", False)


def _pdf_checks() -> int:
    """The files whose structure the request had checked (`uploads.read_pdf`); before the
    view runs, one: whether one more fits the budget."""
    return g.get("pdf_checks", 1)


def _checked_a_file(_response) -> bool:
    return g.get("pdf_checks", 0) > 0


def _stopped_for_file_checks(_limit) -> None:
    g.stopped_for_file_checks = True  # the page says so (`wizard.errors.TOO_MANY_FILES`)


def stopped_for_file_checks() -> bool:
    return g.get("stopped_for_file_checks", False)


def _stopped_for_refused_files(_limit) -> None:
    g.stopped_for_refused_files = True  # the page says so (`wizard.errors.TOO_MANY_TRIES`)


def stopped_for_refused_files() -> bool:
    return g.get("stopped_for_refused_files", False)


def _paused_for_wrong_passwords(_limit) -> None:
    g.paused_for_wrong_passwords = True  # said so, not the page's other limit (`errors`)


def paused_for_wrong_passwords() -> bool:
    return g.get("paused_for_wrong_passwords", False)


def _paused_account(_limit) -> None:
    g.account_paused = True  # the sign-in page offers a new password (`wizard.errors`)


def account_paused() -> bool:
    """Whether signing in was refused for the account's failed attempts (a new password,
    chosen by emailed link, frees that browser), not the connection's."""
    return g.get("account_paused", False)


def init_app(app: Flask, limiter: Limiter) -> None:
    """Wrap the registered views: Flask-Limiter checks a decorated limit when the decorated
    function runs, so the decorated function must be the one Flask calls."""

    def wrap(endpoint: str, *limits) -> None:
        view = app.view_functions[endpoint]
        for decorator in limits:
            view = decorator(view)
        app.view_functions[endpoint] = view

    def by_address(limit: str):
        return limiter.limit(limit, methods=["POST"], deduct_when=_counted)

    def by_key(limit: str, key_func, deduct_when=_counted, on_breach=None):
        return limiter.limit(
            limit,
            key_func=key_func,
            methods=["POST"],
            deduct_when=deduct_when,
            on_breach=on_breach,
        )

    def by_typed_address(endpoint: str, limit: str):
        return by_key(limit, _typed_address(endpoint + ":"))

    config = app.config
    wrap(
        "auth.login",
        by_address(config["LOGIN_RATE_LIMIT_ADDRESS"]),
        by_key(config["LOGIN_RATE_LIMIT_ACCOUNT"], _signing_in_account, on_breach=_paused_account),
    )
    wrap(
        "auth.forgot_password",
        by_address(config["RESET_RATE_LIMIT_ADDRESS"]),
        by_typed_address("auth.forgot_password", config["RESET_RATE_LIMIT_ACCOUNT"]),
    )
    wrap(
        "auth.register",
        by_address(config["REGISTER_RATE_LIMIT"]),
        by_typed_address("auth.register", config["REGISTER_RATE_LIMIT_ACCOUNT"]),
    )
    # A wrong password on an emailed confirmation link's page counts as a failed sign-in:
    # per client address, and per account the link names (from however many addresses).
    wrap(
        "auth.confirm_email",
        by_address(config["LOGIN_RATE_LIMIT_ADDRESS"]),
        by_key(config["LOGIN_RATE_LIMIT_ACCOUNT"], _link_account),
    )
    # A wrong current password, when changing the password or the address: whoever holds a
    # session cannot guess it (one budget for both forms). The links sent to confirm a new
    # address have a budget of their own, per day: they go to any address typed.
    current_password = limiter.shared_limit(
        config["LOGIN_RATE_LIMIT_ACCOUNT"],
        scope="current-password",
        key_func=_signed_in_account,
        methods=["POST"],
        deduct_when=_wrong_password,
        on_breach=_paused_for_wrong_passwords,
    )
    wrap("auth.account_password", current_password)
    wrap(
        "auth.account_email",
        current_password,
        by_key(config["EMAIL_CHANGE_LINK_LIMIT"], _signed_in_account, deduct_when=_link_sent),
    )
    wrap("receipts.verify", by_address(config["VERIFY_RATE_LIMIT"]))
    # One budget for every invitation email (to a professional, sent again, to a colleague);
    # the key is the signed-in account's organisation (the views require a manufacturer),
    # whichever request the invitation is for.
    invitation_emails = limiter.shared_limit(
        config["INVITATION_EMAIL_RATE_LIMIT"],
        scope="invitation-emails",
        key_func=_signed_in_organisation,
        methods=["POST"],
        deduct_when=_counted,
    )
    wrap("filing.invite", invitation_emails)
    wrap("filing.resend_invitation", invitation_emails)
    # Inviting or removing a colleague asks for one's password too: its budget is the same.
    wrap("auth.invite_colleague", invitation_emails, current_password)
    wrap("auth.remove_colleague", current_password)
    # A page of a link that takes files (a professional's letter, their answer to ANSM): a
    # file sent with a form refused for another reason is kept for the next try, so refused
    # sends are counted per link, and what one link can fill the disk with is bounded.
    refused_files = limiter.limit(
        config["REFUSED_UPLOAD_RATE_LIMIT"],
        key_func=_link,
        methods=["POST"],
        deduct_when=_refused_with_files,
        override_defaults=False,  # the link's failed look-ups still count too
        on_breach=_stopped_for_refused_files,
    )
    for endpoint in LINK_FORMS:
        wrap(endpoint, refused_files)
    # The manufacturer's own forms that take files (the evidence and letters steps and their
    # side forms, an answer or a follow-up report to ANSM) keep them the same way: one budget
    # per account, spent by each file kept. Only a send with a file is stopped: the steps are
    # still saved without.
    own_refused_files = limiter.shared_limit(
        config["REFUSED_UPLOAD_RATE_LIMIT"],
        scope="refused-files",
        key_func=_signed_in_account,
        methods=["POST"],
        deduct_when=_kept_a_file,
        exempt_when=lambda: not _sends_a_file(),
        on_breach=_stopped_for_refused_files,
    )
    for endpoint in MANUFACTURER_FILE_FORMS:
        wrap(endpoint, own_refused_files)

    # Every file checked, whatever the check finds (each is read in a process of its own, up
    # to PDF_CHECK_CPU_SECONDS of CPU): per link on a professional's pages, per account on
    # the manufacturer's forms. Only a send with a file is stopped.
    def file_checks(key_func):
        return limiter.shared_limit(
            config["PDF_CHECK_RATE_LIMIT"],
            scope="file-checks",
            key_func=key_func,
            methods=["POST"],
            cost=_pdf_checks,
            deduct_when=_checked_a_file,
            exempt_when=lambda: not _sends_a_file(),
            override_defaults=False,
            on_breach=_stopped_for_file_checks,
        )

    for endpoint in LINK_FORMS:
        wrap(endpoint, file_checks(_link))  # the key names the endpoint and the link
    own_file_checks = file_checks(_signed_in_account)
    for endpoint in MANUFACTURER_FILE_FORMS:
        wrap(endpoint, own_file_checks)
    # Guessing a colleague's invitation link: failed look-ups per client address, as for the
    # professionals' links.
    wrap("auth.join", limiter.limit(config["INVITE_RATE_LIMIT"], deduct_when=is_failed_lookup))
