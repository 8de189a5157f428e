"""The app as `make bench` serves it: the real one, as production serves it, plus one endpoint
that does only what every signed-in wizard request must do before any work of its own, so
that the table can show how much of a page's cost is that floor and how much is the page.

`/bench/floor/<dossier_id>` opens the signed session cookie, checks the CSRF token (POST),
loads the signed-in user and checks their password has not changed (Flask-Login, one query
that also brings the request the URL names), checks the request is their organisation's, and
answers "ok". Never part of the product: only the benchmark's gunicorn loads this module.
"""

from __future__ import annotations

from flask import Flask

from wizard import create_app_for_server
from wizard.filing.access import manufacturer_required, own_dossier


def create_app() -> Flask:
    app = create_app_for_server()

    @app.route("/bench/floor/<int:dossier_id>", methods=["GET", "POST"])
    @manufacturer_required
    def bench_floor(dossier_id: int):
        own_dossier(dossier_id)
        return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

    return app
