"""Configuration, read once from the environment with safe development defaults.

Nothing else in the package reads `os.environ`. Production (`WIZARD_ENV=production`) refuses
to start without a real `SECRET_KEY`; development generates one into the instance folder.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import click
from limits import parse_many

MEGABYTE = 1024 * 1024


class ConfigurationError(click.ClickException):
    """The environment does not describe a configuration the portal can run with safely.
    A `flask` command says it as "Error: …", not as a traceback (a click error)."""


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        if production and len(key) < 32:
            raise ConfigurationError("SECRET_KEY must be at least 32 characters in production.")
        return key
    if production:
        raise ConfigurationError("SECRET_KEY must be set in production (WIZARD_ENV=production).")
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _former_keys(current: str, production: bool) -> list[str]:
    """`SECRET_KEY_FALLBACKS`: the keys `SECRET_KEY` replaced, newest first, separated by
    spaces, still accepted while the change settles (`wizard.keys`)."""
    former = [key for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split() if key]
    if production and any(len(key) < 32 for key in former):
        raise ConfigurationError("Each key in SECRET_KEY_FALLBACKS must be 32 characters or more.")
    return [key for key in former if key != current]


def _mail_host(production: bool) -> str:
    host = os.environ.get("MAIL_HOST", "").strip()
    if production and not host:
        # Otherwise every email, with the sign-in, reset and invitation links it carries,
        # would be written in clear to files (MAIL_OUTBOX) and never reach anyone.
        raise ConfigurationError("MAIL_HOST must be set in production (WIZARD_ENV=production).")
    return host


def _limit_storage(production: bool) -> str:
    """Where Flask-Limiter counts. In memory, each server process counts on its own: with
    four workers, every limit (sign-in, reset, invite links, /verify) allows four times its
    number. So production says where, a shared store or, for a single process, memory."""
    uri = os.environ.get("RATELIMIT_STORAGE_URI", "").strip()
    if production and not uri and _flag("RATELIMIT_ENABLED", True):
        raise ConfigurationError(
            "RATELIMIT_STORAGE_URI must be set in production: a store shared by the server's "
            "processes (redis://host:6379), or memory:// if the server runs one process."
        )
    return uri or "memory://"


def _trusted_proxies(production: bool) -> int:
    """How many reverse proxies set X-Forwarded-For. Wrong either way, it is costly: 0 behind
    a proxy puts every client behind one address (one person's failed sign-ins lock everyone
    out), 1 without one lets anyone write the address that limits count. So production says."""
    count = os.environ.get("TRUSTED_PROXIES", "").strip()
    if production and not count:
        raise ConfigurationError(
            "TRUSTED_PROXIES must be set in production: the number of reverse proxies in front "
            "of the portal that set X-Forwarded-For (0 if clients reach it directly)."
        )
    if count and not count.isdigit():
        raise ConfigurationError("TRUSTED_PROXIES must be a number of proxies (0, 1, 2…).")
    return int(count or "0")


def _public_base_url(production: bool) -> str:
    url = os.environ.get("PUBLIC_BASE_URL", "").strip().rstrip("/")
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ConfigurationError("PUBLIC_BASE_URL must look like https://host[/prefix].")
    # The default port written out (https://host:443) is the address browsers write without
    # it, in a page's Referer (`csrf._from_the_portal`) as in the links people follow.
    default_port = {"https": ":443", "http": ":80"}.get(parts.scheme)
    if default_port and parts.netloc.endswith(default_port):
        netloc = parts.netloc.removesuffix(default_port)
        url = parts._replace(netloc=netloc).geturl()
    if production and not url.startswith("https://"):
        # Links in emails (password resets, invitations) must not take their host from a
        # request, which anyone can write, and carry tokens: HTTPS only.
        raise ConfigurationError("PUBLIC_BASE_URL must be set, with https://, in production.")
    if not url and os.environ.get("MAIL_HOST", "").strip():
        # Emails leave for real (a pilot or staging server, not in production mode): their
        # links would otherwise take their host from the request's Host header, so that a
        # password reset asked with a forged one would mail a link to someone else's server.
        raise ConfigurationError("PUBLIC_BASE_URL must be set when MAIL_HOST is.")
    return url


def database_uri(instance_path: Path) -> str:
    """`DATABASE_URL`, with the psycopg 3 driver made explicit, or SQLite under `instance/`."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{instance_path / 'wizard.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _production() -> bool:
    """`WIZARD_ENV`: "production", or "development" (the default). Anything else refuses to
    start: a mistyped "prod" would otherwise run development's insecure defaults (cookies
    without Secure, a self-made signing key, demo accounts) on a real server."""
    mode = os.environ.get("WIZARD_ENV", "development").strip()
    if mode not in ("development", "production"):
        raise ConfigurationError('WIZARD_ENV must be "production" or "development".')
    return mode == "production"


def _required_in_production(production: bool) -> None:
    """What production never guesses: the database and the upload folder (development's
    defaults, under `instance/`, would start an empty portal, and `uploads prune` run against
    it would take every filed document for an orphan), and the key receipts are signed with
    (else the first receipt fails, not the start)."""
    if not production:
        return
    missing = [n for n in ("DATABASE_URL", "UPLOAD_FOLDER") if not os.environ.get(n, "").strip()]
    if missing:
        raise ConfigurationError(f"Set {' and '.join(missing)} in production.")
    pkcs12 = os.environ.get("RECEIPT_PKCS12_PATH", "").strip()
    pair = [os.environ.get(n, "").strip() for n in ("RECEIPT_KEY_PATH", "RECEIPT_CERT_PATH")]
    if not (pkcs12 or all(pair)):
        raise ConfigurationError(
            "Set RECEIPT_PKCS12_PATH, or RECEIPT_KEY_PATH and RECEIPT_CERT_PATH, in production."
        )
    for name in ("RECEIPT_PKCS12_PATH", "RECEIPT_KEY_PATH", "RECEIPT_CERT_PATH"):
        path = os.environ.get(name, "").strip()
        if path and not Path(path).is_file():
            raise ConfigurationError(f"{name} names no file: {path}")


def _log_level() -> str:
    level = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigurationError("LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR.")
    return level


def _days(name: str, default: str) -> int:
    return _whole(name, default, "days")


def _whole(name: str, default: str, unit: str = "") -> int:
    """A count, a size or a time set in the environment: a whole number, 1 or more, or the
    portal refuses to start saying which setting is wrong (not Python's ValueError)."""
    value = os.environ.get(name, default).strip()
    if not (value.isascii() and value.isdecimal()) or int(value) < 1:
        of = f" of {unit}" if unit else ""
        raise ConfigurationError(f"{name} must be a whole number{of}, 1 or more.")
    return int(value)


def _silence() -> dict | None:
    """What the agency's silence on a request means, as receipts state it (CRPA R. 112-5):
    after `SILENCE_MONTHS`, a decision deemed taken, `SILENCE_MEANS` ("refusal" or
    "acceptance"). Unset, receipts say nothing of it: ANSM's legal department sets it."""
    means = os.environ.get("SILENCE_MEANS", "refusal").strip().lower()
    if means not in {"refusal", "acceptance"}:
        raise ConfigurationError('SILENCE_MEANS must be "refusal" or "acceptance".')
    if not os.environ.get("SILENCE_MONTHS", "").strip():
        return None
    return {"months": _whole("SILENCE_MONTHS", "", "months"), "means": means}


def _flag(name: str, default: bool) -> bool:
    """An on/off setting. A value that is neither refuses to start: "flase" read as off
    would send mail without TLS (`MAIL_USE_TLS`) or lift every limit (`RATELIMIT_ENABLED`)."""
    value = os.environ.get(name)
    if value is None:
        return default
    # Set but empty ("MAIL_USE_TLS=" in an env file): read as off before, refused now, not
    # turned into the default without a word.
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(
        f"{name} must be on or off: 1, true, yes or on; 0, false, no or off (not {value!r})."
    )


def _mail_sender(public_base_url: str | None) -> str:
    """Who the portal's emails come from: `MAIL_SENDER`, else no-reply at the portal's own
    domain (`PUBLIC_BASE_URL`), which mail servers can check, not a made-up one they refuse."""
    if sender := os.environ.get("MAIL_SENDER", "").strip():
        return sender
    host = urlsplit(public_base_url).hostname if public_base_url else None
    if not host or "." not in host or _is_address(host):  # localhost, 10.1.2.3: no domain
        return "no-reply@derogation.localhost"
    return f"no-reply@{host}"


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _limit(name: str, default: str) -> str:
    """A rate limit ("10 per hour", "20/minute"). One Flask-Limiter cannot read refuses to
    start: it would otherwise be left out without a word, and its protection with it."""
    value = os.environ.get(name, "").strip() or default
    try:
        parse_many(value)
    except ValueError:
        raise ConfigurationError(
            f"{name} must be a rate limit such as “10 per hour” or “20 per minute” (not {value!r})."
        ) from None
    return value


def engine_options(uri: str) -> dict:
    """A server connection may have been dropped while pooled: test it when taken. A SQLite
    file cannot drop, and the test would be one more statement per request; its writers wait
    for each other, longer than an email may take to leave (`MAIL_TIMEOUT`: a professional's
    question is sent while its request is locked), rather than fail after pysqlite's 5 s."""
    # A failed statement is logged without its values: people's answers, health data among
    # them (`wizard/logs.py`).
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_WRITE_WAIT}, "hide_parameters": True}
    return {"pool_pre_ping": True, "hide_parameters": True}


SQLITE_WRITE_WAIT = 30  # seconds

# The most files one form sends at once: an answer to ANSM (`wizard/review/filer_forms.py`); the
# other forms send one.
FILES_AT_ONCE = 10


# What a form without a file may weigh. The heaviest the portal asks for, a step of long
# answers at their limit (5 000 characters, up to 9 bytes each once URL-encoded), weighs
# some 300 KB; reading a form costs about a second per 4 MB, so a form sent to be heavy
# (before anyone is signed in: the CSRF token is read from it) is cut off unread.
TEXT_FORM_BYTES = 2 * MEGABYTE


def request_cap(upload_cap: int, files: int = 1) -> int:
    """What a request may weigh: one far above what its form sends (`files`, each at most
    `MAX_UPLOAD_BYTES`, as much again for one too large to be refused next to its field, and
    the text) is cut off before it is read; one within it is read, so that a file too large is
    refused next to its field, with what was typed kept. `MAX_CONTENT_LENGTH` is that of a
    form with one file; the answers to ANSM get theirs (`uploads.init_app`)."""
    return upload_cap * (files + 1) + MEGABYTE


def from_environment(instance_path: Path) -> dict:
    """Return the Flask config mapping for this process."""
    instance_path.mkdir(parents=True, exist_ok=True)
    production = _production()
    _required_in_production(production)
    upload_cap = _whole("MAX_UPLOAD_MB", "20", "megabytes") * MEGABYTE
    secret_key = _secret_key(instance_path, production)
    public_base_url = _public_base_url(production)
    return {
        "PRODUCTION": production,
        "SECRET_KEY": secret_key,
        "SECRET_KEY_FALLBACKS": _former_keys(secret_key, production),
        "SQLALCHEMY_DATABASE_URI": database_uri(instance_path),
        "UPLOAD_FOLDER": Path(os.environ.get("UPLOAD_FOLDER", instance_path / "uploads")),
        "MAX_UPLOAD_BYTES": upload_cap,
        # What reading one uploaded PDF's structure may take (wizard/pdf_check.py): CPU
        # seconds and memory of the child process that reads it; beyond, it is refused.
        "PDF_CHECK_CPU_SECONDS": _whole("PDF_CHECK_CPU_SECONDS", "10", "seconds"),
        "PDF_CHECK_MEMORY_MB": _whole("PDF_CHECK_MEMORY_MB", "512", "megabytes"),
        # The same for a receipt or decision checked on the public /verify page
        # (`receipts.verify.verify_confined`): a genuine one takes a fraction of a second.
        "RECEIPT_CHECK_CPU_SECONDS": _whole("RECEIPT_CHECK_CPU_SECONDS", "3", "seconds"),
        "RECEIPT_CHECK_MEMORY_MB": _whole("RECEIPT_CHECK_MEMORY_MB", "256", "megabytes"),
        # A session with no request for this long ends (`wizard/sessions.py`).
        "SESSION_IDLE_MINUTES": _whole("SESSION_IDLE_MINUTES", "240", "minutes"),
        # However busy, a session ends this long after signing in (`sessions._past_its_lifetime`).
        "SESSION_MAX_HOURS": _whole("SESSION_MAX_HOURS", "20", "hours"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        # Filing takes long: the CSRF token lives as long as the session, not one hour.
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        # French first: the default when the browser states no preference we support.
        "SUPPORTED_LOCALES": ("fr", "en"),
        "MAIL_HOST": _mail_host(production),
        "MAIL_PORT": _whole("MAIL_PORT", "587"),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", True),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_SENDER": _mail_sender(public_base_url),
        # Where professionals' replies to ANSM's emails go (else the reviewer who asked).
        "ANSM_REPLY_TO": os.environ.get("ANSM_REPLY_TO") or None,
        "MAIL_TIMEOUT": _whole("MAIL_TIMEOUT", "10", "seconds"),
        # ANSM's team mailbox: told of each new request and each answer to a question.
        "REVIEW_TEAM_EMAIL": os.environ.get("REVIEW_TEAM_EMAIL", ""),
        # Without MAIL_HOST (development), messages are written here instead of being sent.
        "MAIL_OUTBOX": Path(os.environ.get("MAIL_OUTBOX", instance_path / "outbox")),
        # How long a clinician's invite link works.
        "INVITE_TTL_DAYS": _whole("INVITE_TTL_DAYS", "14", "days"),
        # How long a link inviting a colleague into a manufacturer's organisation works.
        "COLLEAGUE_INVITE_TTL_DAYS": _whole("COLLEAGUE_INVITE_TTL_DAYS", "7", "days"),
        # How long before an authorisation's last day its manufacturer is reminded of it.
        "PERIOD_END_REMINDER_DAYS": _days("PERIOD_END_REMINDER_DAYS", "30"),
        # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host/-Prefix:
        # their count, so that the client's own address is the one limits and the audit see.
        # 0 (development's default) ignores those headers: anyone could write them.
        "TRUSTED_PROXIES": _trusted_proxies(production),
        # The portal's address as people reach it (https://host[/prefix]): every link in an
        # email is built on it. Required in production; in development, links take the
        # address of the request that sends them.
        "PUBLIC_BASE_URL": public_base_url,
        # Where the personal-data page sends a person to exercise their rights.
        "PRIVACY_CONTACT_URL": os.environ.get(
            "PRIVACY_CONTACT_URL", "https://ansm.sante.fr/contact"
        ).strip(),
        # Guessing invite links: failed look-ups allowed per client address (Flask-Limiter).
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": _limit_storage(production),
        "RATELIMIT_HEADERS_ENABLED": True,
        # The shared store (Redis) unreachable: each process counts on its own meanwhile, and
        # goes back to it once it answers, rather than every sign-in failing (500).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "INVITE_RATE_LIMIT": _limit("INVITE_RATE_LIMIT", "30 per minute"),
        # Failed sign-ins allowed per client address, and per account (email typed).
        "LOGIN_RATE_LIMIT_ADDRESS": _limit("LOGIN_RATE_LIMIT_ADDRESS", "20 per minute"),
        "LOGIN_RATE_LIMIT_ACCOUNT": _limit("LOGIN_RATE_LIMIT_ACCOUNT", "10 per 15 minutes"),
        # Password-reset emails asked for, per client address and per address typed.
        "RESET_RATE_LIMIT_ADDRESS": _limit("RESET_RATE_LIMIT_ADDRESS", "10 per hour"),
        "RESET_RATE_LIMIT_ACCOUNT": _limit("RESET_RATE_LIMIT_ACCOUNT", "3 per hour"),
        # Accounts created per client address.
        "REGISTER_RATE_LIMIT": _limit("REGISTER_RATE_LIMIT", "10 per hour"),
        # Registrations per address typed: each one sends that address an email.
        "REGISTER_RATE_LIMIT_ACCOUNT": _limit("REGISTER_RATE_LIMIT_ACCOUNT", "3 per hour"),
        # Invitation emails (sent or sent again) per manufacturer organisation: room for a few
        # global requests a day, each asking some fifteen professionals for their letters.
        "INVITATION_EMAIL_RATE_LIMIT": _limit("INVITATION_EMAIL_RATE_LIMIT", "100 per day"),
        # Links to confirm a new sign-in address, per account (each goes to an address typed).
        "EMAIL_CHANGE_LINK_LIMIT": _limit("EMAIL_CHANGE_LINK_LIMIT", "5 per day"),
        # Receipts and decisions checked on the public /verify page, per client address.
        "VERIFY_RATE_LIMIT": _limit("VERIFY_RATE_LIMIT", "20 per minute"),
        # Documents, and professionals' letters, one request can carry (each at most
        # MAX_UPLOAD_MB): a bound on what one draft stores.
        "MAX_FILES_PER_REQUEST": _whole("MAX_FILES_PER_REQUEST", "50", "files"),
        # Drafts an organisation holds at once: each may hold MAX_FILES_PER_REQUEST files, so
        # that an account cannot fill the server's disk by starting requests without end.
        "MAX_DRAFTS_PER_ORGANISATION": _whole("MAX_DRAFTS_PER_ORGANISATION", "30", "drafts"),
        # Sends of a link's page refused with a file, per link (the file is kept meanwhile);
        # of a manufacturer's forms that take files, per account.
        "REFUSED_UPLOAD_RATE_LIMIT": _limit("REFUSED_UPLOAD_RATE_LIMIT", "20 per hour"),
        # Files whose structure is checked (each in a process of its own, up to
        # PDF_CHECK_CPU_SECONDS of CPU): per account on a manufacturer's forms, per link on a
        # professional's page, whatever the check finds, so that nobody can keep the server's
        # processors busy by sending files again and again.
        "PDF_CHECK_RATE_LIMIT": _limit("PDF_CHECK_RATE_LIMIT", "100 per hour"),
        # How long a password-reset link works, in seconds.
        "PASSWORD_RESET_MAX_AGE": _whole("PASSWORD_RESET_MAX_AGE", "3600", "seconds"),
        # How long the link that confirms a new account's email address works, in seconds.
        "EMAIL_CONFIRMATION_MAX_AGE": _whole("EMAIL_CONFIRMATION_MAX_AGE", "172800", "seconds"),
        # How long the former address can undo a change of an account's address.
        "EMAIL_UNDO_DAYS": _days("EMAIL_UNDO_DAYS", "7"),
        "RECEIPT_KEY_PATH": os.environ.get("RECEIPT_KEY_PATH", ""),
        "RECEIPT_CERT_PATH": os.environ.get("RECEIPT_CERT_PATH", ""),
        "RECEIPT_PKCS12_PATH": os.environ.get("RECEIPT_PKCS12_PATH", ""),
        "RECEIPT_PKCS12_PASSPHRASE": os.environ.get("RECEIPT_PKCS12_PASSPHRASE", ""),
        "RECEIPT_TIMESTAMP_URL": os.environ.get("RECEIPT_TIMESTAMP_URL", ""),
        # Certificates a receipt's signature may chain to (colon-separated PEM paths); by
        # default the signing certificate itself.
        "RECEIPT_TRUST_ROOTS": [
            p for p in os.environ.get("RECEIPT_TRUST_ROOTS", "").split(":") if p
        ],
        # What the server's log says from (`wizard/logs.py`): INFO tells what people did.
        "LOG_LEVEL": _log_level(),
        "PORTAL_NAME": os.environ.get("PORTAL_NAME", "Portail des accès dérogatoires (ANSM)"),
        # The service handling the requests, as each receipt names it (CRPA R. 112-5): its
        # name, postal address, phone and email (the email, if unset, where replies go).
        "AGENCY_SERVICE": os.environ.get(
            "AGENCY_SERVICE",
            "ANSM, direction des dispositifs médicaux, des cosmétiques et des dispositifs de "
            "diagnostic in vitro",
        ),
        "AGENCY_ADDRESS": os.environ.get(
            "AGENCY_ADDRESS", "143-147 boulevard Anatole France, 93285 Saint-Denis Cedex"
        ),
        "AGENCY_PHONE": os.environ.get("AGENCY_PHONE", "+33 1 55 87 30 00"),
        "AGENCY_EMAIL": os.environ.get("AGENCY_EMAIL") or os.environ.get("ANSM_REPLY_TO", ""),
        "SILENCE": _silence(),
    }
