"""Cross-cutting web concerns: locale choice, security headers, template helpers, htmx check."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from functools import cache, lru_cache
from urllib.parse import urlsplit

from babel import Locale
from flask import Flask, current_app, flash, has_request_context, request, session, url_for
from flask_babel import format_percent, format_time, get_locale, to_user_timezone
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from werkzeug.routing import IntegerConverter

from wizard.domain.lifecycle import LAPSING_STATUSES
from wizard.extensions import htmx
from wizard.forms.base import is_token, quantity
from wizard.forms.render import field_in_page, render_field
from wizard.forms.validators import Unnamed
from wizard.i18n import gettext as _
from wizard.i18n import in_french, long_date, of_name
from wizard.i18n import lazy_gettext as _l
from wizard.markup import attributes
from wizard.uploads import files_came, human_size

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


# The database's integer (PostgreSQL's): no row, nor place in the audit trail, is numbered
# beyond it, and the database refuses a query that compares one with a larger number.
DATABASE_INT_MAX = 2**31 - 1


class RowId(IntegerConverter):
    """`<int:…>` in a URL: a number that can name a row, at most the database's integer
    (2³¹ − 1). Beyond it no row exists, and the database would refuse the query: not found."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", DATABASE_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def posted_number(name: str) -> int | None:
    """The whole number the form field `name` sends back (a hidden one, which the page
    wrote), read as `RowId` reads one in a URL: None if it is not one, or is beyond the
    database's integer (a form tampered with)."""
    sent = request.form.get(name, "")
    if sent.isascii() and sent.isdecimal() and len(sent) <= len(str(DATABASE_INT_MAX)):
        number = int(sent)
        return number if number <= DATABASE_INT_MAX else None
    return None


def new_mark() -> str:
    """A one-time mark for a form the page writes, by which the same form sent twice (a
    double click without JavaScript, a send retried) is done once."""
    return secrets.token_urlsafe(24)


def mark_of(sent: str | None) -> str | None:
    """A form's one-time mark as sent back, if it is one the page writes."""
    return sent if sent and _MARK.fullmatch(sent) else None


_MARK = re.compile(r"[\w-]{16,40}")


def is_htmx() -> bool:
    """True for a request made by htmx (the one place that reads the HX-Request header)."""
    return bool(htmx)


def flash_at(section: str, message) -> None:
    """A confirmation said in the section of the page the person is sent back to
    (`#section`), not at the page's top, out of sight once the page scrolls to the section
    (a narrow screen, a zoom). A page that has no such section says it at the top."""
    flash(message, f"at:{section}")


def flash_once(message) -> None:
    """A confirmation not said twice on one page: the first of two sends of one form (a
    double click) may have left it waiting already."""
    if ("message", message) not in session.get("_flashes", []):
        flash(message)


def from_this_site() -> bool:
    """Sent from one of the portal's pages: the browser says so (`Sec-Fetch-Site`), or
    names the page's origin (`Origin`, sent with every form by browsers): the portal's
    public address, or the address the request came to."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = urlsplit(request.headers.get("Origin") or "")
    public = urlsplit(current_app.config["PUBLIC_BASE_URL"] or "")
    if public.netloc:
        return (origin.scheme, origin.netloc) == (public.scheme, public.netloc)
    return bool(origin.netloc) and origin.netloc == request.host


def refused_status(status: int = 422) -> int:
    """The status of a form sent back with its errors (422), or unsaved for another reason
    (409: changed meanwhile), but 200 for htmx, which swaps only a successful answer in."""
    return 200 if is_htmx() else status


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never redirect a person elsewhere (open redirects)."""
    if not target:
        return None
    # Browsers read a backslash as a slash ("/\\evil.example" is "//evil.example") and drop
    # tabs and line breaks: a path with any of them is refused, not repaired.
    if "\\" in target or any(ord(character) < 32 or ord(character) == 127 for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def page_sent_from() -> str | None:
    """Where to come back after signing in: the page the form was sent from (a step, the
    request's page), else the address it was sent to if that is a page."""
    sent_from = urlsplit(request.referrer or "")
    if sent_from.path and sent_from.netloc in ("", request.host):
        return safe_next(sent_from.path)
    if request.url_rule is not None and "GET" in request.url_rule.methods:
        return request.path
    return None


def page_to_return_to() -> str | None:
    """Where signing in again leads back to from the page being shown: itself, if it can be
    opened again (asked for with GET: its query too), else the page its form was sent from
    (a page answering a form, whose address takes only a POST)."""
    if request.method == "GET":
        return safe_next(request.full_path.removesuffix("?"))
    return page_sent_from()


def external_url(endpoint: str, _anchor: str = "", **values) -> str | None:
    """A full address for an email, on `PUBLIC_BASE_URL` (never on the request's Host header,
    which anyone can write), to the page's part `_anchor` if given. Without it (development):
    the request's address, or None in a command (the email then says where to look)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    if not (base.scheme and base.netloc):
        if not has_request_context():
            return None
        return url_for(endpoint, _external=True, _anchor=_anchor or None, **values)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    address = adapter.build(endpoint, values, force_external=True)
    return f"{address}#{_anchor}" if _anchor else address


def live_field(form, name: str, validate_url: str, *, skip: tuple[str, ...] = ()):
    """The answer to an htmx live check: one field validated with the same rules as a full
    submit (its inline `validate_<name>` included), written as on the page, and the message
    for screen readers in the page's live region. 204 for a name the form does not check."""
    if name not in form or name in skip or is_token(form[name]):
        return "", 204
    field = _checked(form, name)
    answer = render_field(field, validate_url)
    said = [_said(field, warnings=True)]
    # Fields whose rules read this one, checked again in place (hx-swap-oob): if answered,
    # with the error they now show, said too (the person is still in this field); if blank,
    # only once nothing is asked of them any more, so that an error shown since the form was
    # sent ("Enter the SIRET number" of a country that no longer needs one) goes, while a
    # question not reached yet is not called wrong.
    for other in getattr(form, "live_dependents", {}).get(name, ()):
        if other not in form:
            continue
        answered = "".join(form[other].raw_data or ()).strip()
        dependent = _checked(form, other)
        if answered or not dependent.errors:
            answer += render_field(dependent, validate_url, swap_oob=True)
            said.append(_said(dependent, warnings=False))
    return answer + LIVE_STATUS.format(" ".join(s for s in said if s))


def _said(field, *, warnings: bool) -> str:
    """What the live region says of a field: its error (or warning), with its label."""
    message = field.errors[0] if field.errors else None
    if message is None and warnings:
        message = getattr(field, "warning", None)
    return labelled_message(field.label.text, message) if message else ""


def labelled(label, value) -> str:
    """ "Label: value", as each language writes it (French puts a space before the colon);
    a label that is a sentence (a question, a statement to confirm) is followed by the value
    alone ("Why…? Use…", "…assessment. Confirm…", not "?:" nor ".:")."""
    if _is_sentence(label):
        return f"{str(label).rstrip()} {value}"
    return _("%(label)s: %(message)s", label=label, message=value)


def _is_sentence(label) -> bool:
    return str(label).rstrip().endswith(("?", "!", "."))


def labelled_message(label, message) -> str:
    """ "Label: message" for a message (an error, a warning) said of a question: French goes
    on in lower case after the colon ("Nom : saisissez…", "… : à l’étape", "… : l’étape"),
    but for an acronym ("SIRET…")."""
    message = str(message)
    if in_french() and not _is_sentence(label) and _starts_with_a_word(message):
        message = message[:1].lower() + message[1:]
    return labelled(label, message)


def _starts_with_a_word(message: str) -> bool:
    """Whether a message begins with a word written in lower case but for its capital (one
    letter alone, "À", or more, "Saisissez", "L’étape"), not with an acronym ("SIRET")."""
    first = message.split(maxsplit=1)[0] if message.strip() else ""
    letters = [c for c in first if c.isalpha()]
    return bool(letters) and (len(letters) == 1 or letters[1].islower())


def summary_message(field) -> str:
    """A field's first error as the error summary lists it: named by the field's label when
    the message does not name it (`Unnamed`), so that a list of errors read aloud says which
    answer each is about."""
    message = field.errors[0]
    return labelled_message(field.label.text, message) if isinstance(message, Unnamed) else message


def _checked(form, name: str):
    field = form[name]
    inline = getattr(type(form), f"validate_{name}", None)
    field.validate(form, extra_validators=[inline] if inline else [])
    return field


# What the page's live region says after a live check: its words only, swapped into the
# region already on the page. A region replaced whole arrives already filled, and is often
# not read (ARIA reads the changes of a region the page holds).
LIVE_STATUS = Markup('\n<div hx-swap-oob="innerHTML:#live-status">{}</div>')


# The portal's English is British ("authorise"): its dates and times are too ("1 December
# 2026", "1 Dec 2026, 20:52:00", not "Dec 1, 2026, 8:52:00 PM"). Languages are chosen by
# their code alone.
FORMATS = {"en": "en_GB"}


def select_locale() -> Locale:
    supported = current_app.config["SUPPORTED_LOCALES"]
    if not has_request_context():  # CLI commands, background work
        return _locale(supported[0])
    chosen = session.get("locale")
    if chosen not in supported:
        chosen = _best_language(request.headers.get("Accept-Language", ""), tuple(supported))
    return _locale(FORMATS.get(chosen, chosen))


@lru_cache(maxsize=512)
def _best_language(header: str, supported: tuple[str, ...]) -> str:
    """The browser's preferred language among ours, by its first subtag ("fr-CA" is French
    even before "en" of lower preference), worked out once per way of asking (a browser
    sends the same header at every request; parsing it was 4 % of a live check)."""
    for value, quality in parse_accept_header(header, LanguageAccept):  # most preferred first
        language = value.replace("_", "-").partition("-")[0].lower()
        if quality > 0 and language in supported:  # q=0: "not this one"
            return language
    return supported[0]


@cache
def _locale(code: str) -> Locale:
    """Babel's locale for a code, parsed once (Flask-Babel would parse it at every request)."""
    return Locale.parse(code)


def _security_headers(response):
    if request.endpoint != "static":
        # Pages and files hold people's health and business data: no browser (its Back
        # button after signing out, on a shared computer) or proxy keeps a copy.
        response.headers["Cache-Control"] = "no-store"
    # Each unless the view set its own (a token page's referrer policy, a file's CSP).
    present = set(response.headers.keys(lower=True))
    expected = _PRODUCTION_HEADERS if current_app.config["PRODUCTION"] else _HEADERS
    response.headers.extend([h for h in expected if h[0].lower() not in present])
    return response


_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
_PRODUCTION_HEADERS = (*_HEADERS, ("Strict-Transport-Security", "max-age=31536000"))


def human_date(value: str | date | datetime | None) -> str:
    """A stored ISO date (or date) as the reader's locale writes it."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return _human_moment(value)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return long_date(value)


def _human_moment(value: datetime) -> str:
    """A moment as people say it, in Paris time, to the minute: "2 December 2026 at 07:26",
    "2 décembre 2026 à 7 h 26" (as French writes the hour)."""
    local = to_user_timezone(value)
    hour = "H\u00a0'h'\u00a0mm" if in_french() else "HH:mm"  # "7 h 26", not broken
    return _("%(date)s at %(time)s", date=long_date(local.date()), time=format_time(local, hour))


def moment_in_paris(value: datetime) -> str:
    """A moment as an email says it, to a reader who may be abroad: "2 December 2026 at
    07:26 (Paris time)"."""
    return _("%(moment)s (Paris time)", moment=_human_moment(value))


STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "under_review": _l("Under review"),
    "information_requested": _l("Information requested"),
    "authorised": _l("Authorised"),
    "refused": _l("Refused"),
    "suspended": _l("Suspended"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired"),
    "discarded": _l("Deleted"),
}


def status_label(status: str, authorised: bool | None = None) -> str:
    """A status as people read it. "Withdrawn" is two things: the manufacturer withdrawing its
    request before a decision, or ANSM withdrawing an authorisation; `authorised` (whether the
    request had one) tells them apart where it is known."""
    if status == "withdrawn" and authorised is not None:
        return _("Authorisation withdrawn by ANSM") if authorised else _("Request withdrawn")
    return STATUS_LABELS.get(status, status)


def queue_state_label(state: str) -> str:
    """A state the review queue counts requests in (`review.queue.QUEUE_STATES`): a status,
    "withdrawn" being split into the request's withdrawal and ANSM's of an authorisation."""
    if state in ("withdrawn", "authorisation_withdrawn"):
        return status_label("withdrawn", authorised=state == "authorisation_withdrawn")
    return status_label(state)


ACCESS_TYPE_LABELS = {"individual": _l("Individual"), "global": _l("Global")}

# How often an authorisation may ask its follow-up reports, in months (the reviewer chooses
# one, `review.forms.AuthoriseForm.report_every`; `domain.report_schedule` counts the dates).
REPORT_INTERVAL_LABELS = {
    1: _l("Every month"),
    2: _l("Every 2 months"),
    3: _l("Every 3 months"),
    6: _l("Every 6 months"),
}


def init_app(app: Flask) -> None:
    from wizard.forms.attachments import DOCUMENT_KINDS

    app.after_request(_security_headers)
    app.jinja_env.tests["token"] = is_token  # `{% for input in form if input is not token %}`
    app.jinja_env.filters["human_date"] = human_date
    app.jinja_env.filters["human_moment"] = _human_moment
    app.jinja_env.filters["moment_in_paris"] = moment_in_paris
    app.jinja_env.filters["of_name"] = of_name  # French: "de Cardiotech", "d’Abiomed"
    app.jinja_env.filters["quantity"] = quantity  # "100 000", "100,000"; "1500" as it is
    app.jinja_env.globals.update(
        is_htmx=is_htmx,
        attributes=attributes,
        field=field_in_page,
        summary_message=summary_message,
        labelled=labelled,
        lapsing_statuses=LAPSING_STATUSES,  # a request in one of them has an authorisation
        human_size=human_size,
        files_came=files_came,  # "Files you chose were not kept", only when some were
        format_percent=format_percent,
        current_locale=lambda: get_locale().language if get_locale() else "en",
        status_label=status_label,
        report_interval_labels=REPORT_INTERVAL_LABELS,
        queue_state_label=queue_state_label,
        page_to_return_to=page_to_return_to,
        access_type_label=lambda value: ACCESS_TYPE_LABELS.get(value, _l("Not chosen yet")),
        document_kinds=dict(DOCUMENT_KINDS),
        new_mark=new_mark,  # a form's one-time mark
    )
    app.jinja_env.add_extension("jinja2.ext.do")
