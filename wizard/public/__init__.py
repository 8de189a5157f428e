"""Pages anyone can open: the start page, the language choice, the accessibility statement."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from wizard.extensions import db
from wizard.i18n import ngettext
from wizard.sessions import seconds_left
from wizard.web import safe_next

bp = Blueprint("public", __name__)


@bp.get("/")
def start():
    if current_user.is_authenticated and current_user.is_manufacturer:
        return redirect(url_for("filing.dashboard"))
    return render_template("public/start.html")


@bp.get("/language/<code>")
def language(code: str):
    """Switch language and come back to the same page (answers typed but not sent are lost,
    as with any link; the switch sits in the header, away from the forms)."""
    if code not in current_app.config["SUPPORTED_LOCALES"]:
        abort(404)
    session["locale"] = code
    return redirect(page_to_show(safe_next(request.args.get("next"))) or url_for("public.start"))


def page_to_show(path: str | None) -> str | None:
    """The page at `path`, or, when it only answers a form (a refused upload is shown at the
    address the form was sent to), the nearest page above it that can be opened: for
    /requests/5/documents, the request itself."""
    adapter = current_app.url_map.bind("localhost")
    while path and path != "/":
        try:
            adapter.match(urlsplit(path).path, method="GET")
            return path
        except (MethodNotAllowed, NotFound):  # e.g. /requests/5/start-from
            path = urlsplit(path).path.rstrip("/").rsplit("/", 1)[0]
        except HTTPException:  # a redirect to the canonical address
            return path
    return None


@bp.get("/healthz")
def health():
    """For monitoring and for the benchmark's baseline: the app answering, nothing more."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/healthz/ready")
def ready():
    """For monitoring: the app answering and its database too (503 when it does not: a page
    would fail). `/healthz` stays the app alone, the benchmark's baseline."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("readiness check: the database does not answer")
        db.session.rollback()
        return "database unavailable", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/session/alive")
def still_here():
    """Someone typing on a page: the session's idle time counts from now, as for a page
    opened (`wizard.sessions`: the cookie signed again once ten minutes old). Sent by the
    page's script while the person types, at most once a minute, and when they choose to stay
    signed in as the session is about to end. It says whether anyone is signed in (a page
    opened signed in then says that it can no longer be saved), and for how long now."""
    headers = {"Cache-Control": "no-store"}
    if not current_user.is_authenticated:
        headers["X-Signed-Out"] = "true"
    else:
        headers["X-Session-Seconds-Left"] = str(seconds_left(current_app, session))
    return "", 204, headers


@bp.get("/privacy")
def privacy():
    """What the portal does with personal data (GDPR articles 13 and 14)."""
    return render_template(
        "public/privacy.html", privacy_contact=current_app.config["PRIVACY_CONTACT_URL"]
    )


@bp.get("/accessibility")
def accessibility():
    minutes = current_app.config["SESSION_IDLE_MINUTES"]
    if minutes % 60:
        idle = ngettext("%(num)d minute", "%(num)d minutes", minutes)
    else:
        idle = ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    return render_template(
        "public/accessibility.html", idle=idle, max_hours=current_app.config["SESSION_MAX_HOURS"]
    )
