"""What the server's log says, and what it never says. It tells what people did that an
administrator may be asked about (INFO: a request submitted, a password changed, a receipt
checked; `LOG_LEVEL`), each named by its row's number, never by what they typed. A failure is
logged with the route it happened on rather than the address: the address of a page opened
through an emailed link carries the link's token (an invitation, a password reset, ANSM's
question to a professional), which would let whoever reads the log open the page. The
database's statements are logged without their values (`config.engine_options`): those are
people's answers, health data among them."""

from __future__ import annotations

import re
from types import MethodType

from flask import Flask, has_request_context, request

# A route's variable part: "<token>", "<int:dossier_id>".
_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def where() -> str:
    """The request's address with any token left as the route names it ("<token>")."""
    if not has_request_context():
        return "(no request)"
    rule = request.url_rule
    if rule is None:
        return "(no route)"
    values = request.view_args or {}

    def value(found: re.Match) -> str:
        name = found.group(1)
        return f"<{name}>" if "token" in name else str(values.get(name, f"<{name}>"))

    return _VARIABLE.sub(value, rule.rule)


def _log_exception(app: Flask, exc_info) -> None:
    """Flask's own, but for the address (`where`)."""
    app.logger.error(f"Exception on {where()} [{request.method}]", exc_info=exc_info)


def init_app(app: Flask) -> None:
    app.logger.setLevel(app.config["LOG_LEVEL"])
    app.log_exception = MethodType(_log_exception, app)  # type: ignore[method-assign]
