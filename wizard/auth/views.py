"""Register, log in, log out."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, func, select

from wizard.auth import bp
from wizard.auth.forms import LoginForm, RegisterForm
from wizard.extensions import db, login_manager
from wizard.models import Dossier, Organisation, Role, User
from wizard.web import is_htmx, safe_next

_USER_AND_DOSSIER = (
    select(User, Dossier)
    .outerjoin(Dossier, Dossier.id == bindparam("dossier_id"))
    .where(User.id == bindparam("user_id"))
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user, and in the same query the request the URL names, if any: the view
    asks for it next (who may see it is decided there), and finds it without a second query."""
    if not user_id.isdigit():
        return None
    dossier_id = (request.view_args or {}).get("dossier_id")
    if not isinstance(dossier_id, int):
        return db.session.get(User, int(user_id))
    row = db.session.execute(
        _USER_AND_DOSSIER, {"user_id": int(user_id), "dossier_id": dossier_id}
    ).first()
    if row is None:
        return None
    # The session remembers loaded objects only while something holds them.
    g.named_dossier = row.Dossier
    return row.User


login_manager.login_view = "auth.login"
login_manager.login_message = None


def _home_for(user: User) -> str:
    return url_for("filing.dashboard") if user.is_manufacturer else url_for("review.queue_page")


def _failed(template: str, form):
    return render_template(template, form=form), 200 if is_htmx() else 422


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if not form.validate_on_submit():
        return (
            _failed("auth/register.html", form)
            if form.is_submitted()
            else render_template("auth/register.html", form=form)
        )
    taken = db.session.scalar(select(User).where(func.lower(User.email) == form.email.data))
    if taken is not None:
        form.email.errors.append(
            _("An account already uses this email address: sign in instead, or use another.")
        )
        return _failed("auth/register.html", form)
    organisation = Organisation(name=form.organisation_name.data)
    user = User(
        email=form.email.data,
        name=form.name.data,
        role=Role.MANUFACTURER,
        organisation=organisation,
    )
    user.set_password(form.password.data)
    db.session.add_all([organisation, user])
    db.session.commit()
    login_user(user)
    flash(_("Your account is ready. You can start a request."))
    return redirect(url_for("filing.dashboard"), 303)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        return (
            _failed("auth/login.html", form)
            if form.is_submitted()
            else render_template("auth/login.html", form=form)
        )
    user = db.session.scalar(select(User).where(func.lower(User.email) == form.email.data))
    if user is None or not user.check_password(form.password.data):
        # Same words whether or not the address exists: the page must not reveal accounts.
        form.password.errors.append(_("The email address or the password is not right."))
        return _failed("auth/login.html", form)
    login_user(user)
    return redirect(safe_next(request.args.get("next")) or _home_for(user), 303)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are signed out. Your answers are saved."))
    return redirect(url_for("auth.login"), 303)
