"""Pages anyone can open: the start page, and the language choice."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

bp = Blueprint("public", __name__)


@bp.get("/")
def start():
    if current_user.is_authenticated and current_user.is_manufacturer:
        return redirect(url_for("filing.dashboard"))
    return render_template("public/start.html")
