"""Outgoing email: SMTP from config, or, without `MAIL_HOST` (development), an outbox folder of
`.eml` files that `flask outbox` lists, so the portal runs with no mail server.

Messages that report what is saved already leave after the response, from a copy kept in the
database until sent (`OutgoingEmail`): `flask mail send-pending` sends again what a stopped
worker or a mail server down could not."""

from __future__ import annotations

import json
import re
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formataddr, formatdate, make_msgid, parseaddr, parsedate_to_datetime
from pathlib import Path

from cryptography.fernet import MultiFernet
from flask import Flask, current_app, g, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import delete, func, insert, or_, select, true, update
from sqlalchemy.exc import SQLAlchemyError

from wizard import clock, keys
from wizard.extensions import db
from wizard.models import OutgoingEmail

# A message not sent within this time is left (an address that never works); the command
# reports it, and deletes it after `LEFT_KEPT`.
MAX_AGE = timedelta(days=3)
LEFT_KEPT = timedelta(days=30)
# A message taken by a sender this long ago and still not sent: that sender stopped.
CLAIM_TIMEOUT = timedelta(minutes=10)


class MailError(RuntimeError):
    """A message could not be handed to the mail server (or written to the outbox)."""


@dataclass(frozen=True)
class OutboxMessage:
    path: Path
    message: EmailMessage

    @property
    def date(self) -> str:
        return parsedate_to_datetime(self.message["Date"]).isoformat(sep=" ", timespec="seconds")

    def as_text(self) -> str:
        """Headers and body decoded, as a person reads them."""
        headers = "".join(
            f"{name}: {self.message[name]}\n"
            for name in ("From", "To", "Reply-To", "Date", "Subject")
            if self.message[name] is not None  # Reply-To: where an answer goes, if not From
        )
        return f"{headers}\n{self.message.get_content()}"


# Headers are folded only past 998 characters: Python 3.11 loses the space between two
# encoded words when it folds a long accented subject ("à l’ANSM" arrives as "àl’ANSM").
# The body is encoded under SMTP's own policy: lines of at most 76 characters (RFC 2045).
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)
BODY_POLICY = policy.SMTP.clone(max_line_length=76)


# Written for someone whose language we do not know: French, the agency's, then English.
LANGUAGES = ("fr", "en_GB")  # British English, as the pages: "15 December 2026"
SEPARATOR = "\n\n" + "—" * 30 + "\n\n"


def plain_text(template: str, **context) -> str:
    """A plain-text email template rendered with its branches' blank lines evened out."""
    return re.sub(r"\n{3,}", "\n\n", render_template(template, **context)).strip() + "\n"


def bilingual(render, separator: str = SEPARATOR) -> str:
    """`render()` in French then in English; once only while the two read the same. For
    emails to people whose language we do not know (professionals, manufacturers)."""
    versions = []
    for language in LANGUAGES:
        with force_locale(language):
            versions.append(render())
    return separator.join(dict.fromkeys(versions))


def bilingual_text(template: str, **context) -> str:
    """A plain-text email template in French then in English."""
    return bilingual(lambda: plain_text(template, **context))


# What ends a line in a header: control characters, the line and paragraph separators.
_LINE_ENDINGS = re.compile(r" *[\x00-\x1f\x7f-\x9f\u2028\u2029]+ *")


def _one_line(text: str) -> str:
    """A header's text with what would end its line made a space: a name in a subject may
    hold one (stored before the forms refused them), and the message must still leave.

    Nor does it open an encoded word ("=?utf-8?q?…?="): Python decodes one met in a header's
    text, and before 3.11.10 (CVE-2024-6923) writes a line break decoded from it as it is,
    ending the header there: a name typed so would add headers and a body of its own to a
    message sent from the portal. A word joiner (invisible) between "=" and "?": the name
    reads as typed."""
    return _LINE_ENDINGS.sub(" ", text).strip().replace("=?", "=\u2060?")


def reply_address(name: str, email: str) -> str:
    """A person's address for Reply-To, their name shown with it, on one line (`_one_line`).
    A name that holds an address itself ("ANSM <dg@ansm.sante.fr>") would show a mail
    client that address rather than theirs: then their address alone."""
    shown = _one_line(name)
    if any(sign in shown for sign in "@<>"):
        return email
    return formataddr((shown, email))


# The headers `send` writes, each once: any other, or one twice, was slipped into a header's
# text (`_headers_as_written`).
_HEADERS = (
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
)


def _headers_as_written(message: EmailMessage) -> None:
    """Raise `MailError` unless the message as it will leave has the headers `send` wrote,
    each once (what Python 3.11.10 verifies itself, `verify_generated_headers`)."""
    head = message.as_bytes().split(b"\r\n\r\n", 1)[0]
    names = sorted(
        line.split(b":", 1)[0].decode("ascii", "replace").lower()
        for line in head.split(b"\r\n")
        if line and line[:1] not in (b" ", b"\t")
    )
    expected = sorted(_HEADERS + (("reply-to",) if message["Reply-To"] is not None else ()))
    if names != expected:
        raise MailError(f"the message “{message['Subject']}” would leave with headers {names}")


def send(to: str, subject: str, body_text: str, *, reply_to: str | None = None) -> None:
    """Send a plain-text message, or raise `MailError` saying why it could not be sent.
    `reply_to`: who answers reach (the portal's sender is no-reply), e.g. the person who
    invited a professional."""
    config = current_app.config
    message = EmailMessage(policy=MAIL_POLICY)
    try:
        message["From"] = config["MAIL_SENDER"]
        message["To"] = to  # never mended: a line break there could add a recipient
        if reply_to:  # an address, or `reply_address`'s: its name's encoding kept
            message["Reply-To"] = _LINE_ENDINGS.sub(" ", reply_to).strip()
        message["Subject"] = _one_line(subject)
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(
            domain=parseaddr(config["MAIL_SENDER"])[1].rpartition("@")[2]
        )
        message.policy = BODY_POLICY
        message.set_content(body_text)
        message.policy = MAIL_POLICY
    except (ValueError, TypeError) as error:  # e.g. a line break in an address
        raise MailError(f"could not write the message “{subject}” to {to}: {error}") from error
    _headers_as_written(message)
    if config["MAIL_HOST"]:
        _send_smtp(message)
    else:
        _write_to_outbox(message)


def send_after_response(
    to: str,
    subject: str,
    body_text: str,
    *,
    about: str,
    kept_before: bool = True,
    reply_to: str | None = None,
) -> None:
    """Send once the response has left and the request's database connection is back in its
    pool: an SMTP server may take seconds, which neither the person waiting for the page nor
    the other requests waiting for a connection should pay. At once outside a request (a
    command). For messages that report what is saved already: kept until sent (`store`),
    before the response leaves, unless not `kept_before`: then only after it, for a message
    whose very existence the response must not betray by its time (a reset link says nothing
    of whether an account uses the address; one lost to a stopped worker is asked again). A
    failure is logged (`about` says what the message was), never shown. `reply_to`: as for
    `send`."""
    message = (to, subject, body_text, about, reply_to)
    if has_request_context():
        queue = "mail_after_response" if kept_before else "mail_kept_after_response"
        g.setdefault(queue, []).append(message)
    else:
        _send_kept([message], _keep([message]))


def _keep(messages) -> list[int] | None:
    try:
        return store(messages)
    except SQLAlchemyError:  # better sent without a copy than not at all
        current_app.logger.exception("emails not kept (the database refused): sent as they are")
        return None


def _send_kept(messages, ids: list[int] | None) -> None:
    if ids is not None:
        deliver(ids)
        return
    for to, subject, body, about, *reply_to in messages:
        try:
            send(to, subject, body, reply_to=next(iter(reply_to), None))
        except Exception:  # noqa: BLE001 - logged; the next one is still sent
            current_app.logger.exception("%s to %s not sent", about, to)


def store(messages: list[tuple]) -> list[int]:
    """Keep each message (to, subject, body, about[, reply_to]) until sent, in a transaction
    of its own, whatever the caller's session holds."""
    now = clock.now()
    with db.engine.begin() as connection:
        return [
            connection.execute(
                insert(OutgoingEmail)
                .values(
                    recipients=to,
                    sealed=_seal(subject, body, next(iter(reply_to), None)),
                    about=about[:200],
                    created_at=now,
                    attempts=0,
                )
                .returning(OutgoingEmail.id)
            ).scalar_one()
            for to, subject, body, about, *reply_to in messages
        ]


def deliver(ids: list[int]) -> list[bool | None]:
    """Send the kept messages `ids`: for each, True if sent, False if it failed (logged, kept
    for the next try), None if it was sent already or is being sent by another. At least
    once: a message sent whose row the database then failed to delete is sent again."""
    results = []
    for email_id in ids:
        try:
            results.append(_deliver(email_id))
        except SQLAlchemyError:  # the next message may fare better
            current_app.logger.exception("kept email %s: the database refused", email_id)
            results.append(False)
    return results


def send_pending(*, waiting_too: bool = False) -> tuple[int, int, int]:
    """Send every kept message due for a try (`waiting_too`: those waiting for their next one
    as well, the mail server's setting just put right): how many were sent, failed again
    (tried later), and are left for good (not sent within `MAX_AGE`; deleted after
    `LEFT_KEPT`)."""
    now = clock.now()
    due = or_(OutgoingEmail.next_attempt_at.is_(None), OutgoingEmail.next_attempt_at <= now)
    with db.engine.begin() as connection:
        connection.execute(
            delete(OutgoingEmail).where(OutgoingEmail.created_at < now - MAX_AGE - LEFT_KEPT)
        )
        ids = connection.scalars(
            select(OutgoingEmail.id)
            .where(OutgoingEmail.created_at >= now - MAX_AGE, true() if waiting_too else due)
            .order_by(OutgoingEmail.id)
        ).all()
    results = deliver(ids)
    with db.engine.connect() as connection:
        left = connection.scalar(
            select(func.count())
            .select_from(OutgoingEmail)
            .where(OutgoingEmail.created_at < now - MAX_AGE)
        )
    return results.count(True), results.count(False), left


def waiting() -> tuple[int, datetime | None]:
    """The kept messages waiting for their next try, and when the first is due."""
    now = clock.now()
    with db.engine.connect() as connection:
        count, first = connection.execute(
            select(func.count(), func.min(OutgoingEmail.next_attempt_at)).where(
                OutgoingEmail.created_at >= now - MAX_AGE, OutgoingEmail.next_attempt_at > now
            )
        ).one()
    return count, clock.as_utc(first) if first is not None else None


def _deliver(email_id: int) -> bool | None:
    now = clock.now()
    with db.engine.begin() as connection:
        claimed = connection.execute(
            update(OutgoingEmail)
            .where(
                OutgoingEmail.id == email_id,
                or_(
                    OutgoingEmail.claimed_at.is_(None),
                    OutgoingEmail.claimed_at < now - CLAIM_TIMEOUT,
                ),
            )
            .values(claimed_at=now, attempts=OutgoingEmail.attempts + 1)
            .returning(
                OutgoingEmail.recipients,
                OutgoingEmail.sealed,
                OutgoingEmail.about,
                OutgoingEmail.attempts,
            )
        ).first()
    if claimed is None:
        return None  # sent (its row deleted), or being sent by another
    try:
        subject, body, reply_to = _unseal(claimed.sealed)
        send(claimed.recipients, subject, body, reply_to=reply_to)
    except Exception as error:  # noqa: BLE001 - logged and kept; the next message is still sent
        current_app.logger.exception("%s to %s not sent", claimed.about, claimed.recipients)
        failed = (
            update(OutgoingEmail)
            .where(OutgoingEmail.id == email_id)
            .values(
                claimed_at=None,
                next_attempt_at=clock.now() + _wait_after(claimed.attempts),
                last_error=_kind_of(error),
            )
        )
        with db.engine.begin() as connection:
            connection.execute(failed)
        return False
    with db.engine.begin() as connection:
        connection.execute(delete(OutgoingEmail).where(OutgoingEmail.id == email_id))
    return True


def _wait_after(attempts: int) -> timedelta:
    """1, 2, 4… minutes after each failure, at most two hours: a mail server down for a day
    is still tried until the message is `MAX_AGE` old."""
    return timedelta(minutes=min(2 ** (attempts - 1), 120))


def _kind_of(error: Exception) -> str:
    """Why a message failed, without its subject or body (`MailError` names the subject)."""
    cause = error.__cause__ or error
    return f"{type(cause).__name__}: {cause}"[:500]


def _fernet() -> MultiFernet:
    """Seals with the current secret key; opens what a former one still accepted sealed
    (`wizard.keys`), so that changing the key loses no waiting message."""
    return MultiFernet([keys.fernet(b"outgoing-email", secret) for secret in keys.accepted()])


def _seal(subject: str, body: str, reply_to: str | None = None) -> str:
    return _fernet().encrypt(json.dumps([subject, body, reply_to]).encode()).decode()


def _unseal(sealed: str) -> tuple[str, str, str | None]:
    """What `_seal` sealed; one sealed before `reply_to` was kept has none."""
    subject, body, *rest = json.loads(_fernet().decrypt(sealed.encode()))
    return subject, body, (rest[0] if rest else None)


def init_app(app: Flask) -> None:
    """Registered before the app's other `after_request` functions, so that it runs after
    them (Flask runs them last registered first): a response they replace takes no mail."""

    @app.after_request
    def send_when_closed(response):
        queued = g.pop("mail_after_response", None) or []
        unkept = g.pop("mail_kept_after_response", None) or []
        if queued or unkept:
            # A change the view left unsaved (an error page) is not; nor does it hold
            # SQLite's write lock while the messages are kept, on a connection of their own.
            db.session.rollback()
            # Kept before the response leaves: a worker stopped meanwhile loses nothing.
            ids = _keep(queued) if queued else []

            delivered = False

            def deliver_them() -> None:  # once, whichever of the two below comes first
                nonlocal delivered
                if not delivered:
                    delivered = True
                    with app.app_context():
                        _send_kept(queued, ids)
                        if unkept:
                            _send_kept(unkept, _keep(unkept))

            # Once the server has written the body's last byte, after the request's teardown
            # (its connection back in the pool). Not only when the server closes the response:
            # Werkzeug's development server skips that when the browser hangs up first (as it
            # may once it has the redirect it follows).
            response.direct_passthrough = False
            response.response = _then([response.get_data()], deliver_them)
            response.call_on_close(deliver_them)  # a HEAD request's body is never read
        return response


def _then(body, work):
    """The body's chunks, then `work`."""
    try:
        yield from body
    finally:
        work()


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    host, port = config["MAIL_HOST"], config["MAIL_PORT"]
    try:
        with smtplib.SMTP(host, port, timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"could not send “{message['Subject']}” to {message['To']} via {host}:{port}: {error}"
        ) from error


def _write_to_outbox(message: EmailMessage) -> None:
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    # The name sorts by time; the random part keeps two messages of one second apart.
    name = f"{parsedate_to_datetime(message['Date']):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / name).write_bytes(message.as_bytes())
    except OSError as error:
        raise MailError(f"could not write “{message['Subject']}” to {outbox}: {error}") from error


def outbox_messages() -> list[OutboxMessage]:
    """The messages in the development outbox, oldest first."""
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    parser = BytesParser(policy=policy.default)
    return [
        OutboxMessage(path, parser.parsebytes(path.read_bytes()))
        for path in sorted(outbox.glob("*.eml"))
    ]
