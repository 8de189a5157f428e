"""What the server's log says, and what it never says. It tells what people did that an
administrator may be asked about (INFO: a request submitted, a password changed, a receipt
checked; `LOG_LEVEL`), each named by its row's number, never by what they typed. A failure is
logged with the route it happened on rather than the address: the address of a page opened
through an emailed link carries the link's token (an invitation, a password reset, ANSM's
question to a professional), which would let whoever reads the log open the page. The
database's statements are logged without their values (`config.engine_options`): those are
people's answers, health data among them, and so is PostgreSQL's own detail of a refused
statement ("Key (email)=(…) already exists", "Failing row contains (…)"), left out of every
failure the app logs (`_NoStatementDetail`)."""

from __future__ import annotations

import logging
import re
import traceback
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


HIDDEN_DETAIL = "(hidden: it may hold people's answers)"


class _NoStatementDetail(logging.Filter):
    """A failure's traceback, written once here for every handler, without the database's
    detail of the statement it refused: PostgreSQL quotes the values (a duplicate key, the
    whole row a check refused), which `hide_parameters` does not reach."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            for detail in _statement_details(record.exc_info[1]):
                text = text.replace(detail, HIDDEN_DETAIL)
            record.exc_text = text
        return True


def _statement_details(error: BaseException | None) -> set[str]:
    """The database's detail of each failure in the chain (psycopg's `diag`, also under
    SQLAlchemy's wrapper as `orig`)."""
    details, seen = set(), set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        for failure in (error, getattr(error, "orig", None)):
            detail = getattr(getattr(failure, "diag", None), "message_detail", None)
            if detail:
                details.add(detail)
        error = error.__cause__ or error.__context__
    return details


def init_app(app: Flask) -> None:
    app.logger.setLevel(app.config["LOG_LEVEL"])
    app.logger.addFilter(_NoStatementDetail())
    app.log_exception = MethodType(_log_exception, app)  # type: ignore[method-assign]
