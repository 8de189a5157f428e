"""A colleague's save made while a page was open, or one's own from another tab: the page
sends back the step's revision it showed and its own id, a save that would overwrite newer
answers saved by someone else, or from another page, is stopped, and the page says what
they are."""

from __future__ import annotations

import re
import secrets

from flask import request
from flask_login import current_user

from wizard.filing import service
from wizard.flow.engine import Step
from wizard.forms.base import StepForm, display
from wizard.models import Dossier


def save_answers(
    dossier: Dossier, step: Step, values: dict, *, checked: bool = True, finished: bool = True
):
    """Save the step's answers, unless a colleague saved others since the page was opened:
    then what they are (`StepChanged`), for the page to show (nothing is lost either way)."""
    try:
        service.save_step(
            dossier,
            step.id,
            values,
            checked=checked,
            finished=finished,
            based_on=sent_revision(),
            by=current_user,
            written_for=sent_case(),
            page=sent_page(),
        )
    except service.StepChanged as changed:
        return changed
    return None


def sent_revision() -> int | None:
    """The step's revision the page being sent showed; None if it did not say (not one of
    this portal's pages), -1 if it said something else (taken as older than any)."""
    if "saved_revision" not in request.form:
        return None
    sent = request.form["saved_revision"]
    return int(sent) if sent.isascii() and sent.isdecimal() and len(sent) < 10 else -1


def sent_page() -> str | None:
    """The id of the page being sent (`page_id`): its other tabs' pages have their own."""
    sent = request.form.get("page_id", "")
    return sent if _PAGE_ID.fullmatch(sent) else None


def page_id() -> str:
    """The id a step's page carries: the one it was sent with (shown again after a refused
    save, or in the other language), else a new one."""
    return sent_page() or secrets.token_urlsafe(9)


_PAGE_ID = re.compile(r"[A-Za-z0-9_-]{12}")


def sent_case() -> str | None:
    """What the page being sent showed a step about the request's own case for (its
    `case_mark` then: "global", or the patient): the type of access, or the patient, changed
    since in another tab or by a colleague, the answers typed for the one shown are marked as
    written for it, to be looked at again, not for the one named now. None if it did not say."""
    sent = request.form.get("shown_for", "")
    return sent if 0 < len(sent) <= 40 and sent.isprintable() else None


def described(changed: service.StepChanged, step: Step, form: StepForm, answers) -> dict:
    """What the page says of a colleague's save made since it was opened: who, when, and
    which of the stored answers differ from the ones being sent, as the check-your-answers
    page writes them."""
    theirs = step.form.from_answers(changed.values, context=answers)
    mine = form.to_answers(skip_errors=True)
    # (question, the saved answer, the one being sent): side by side, so that a change of
    # one's own is not read as the colleague's.
    differing = [
        (
            str(field.label.text),
            display(field) if field.name in changed.values else None,
            display(form[field.name]) if field.name in mine else _typed(form[field.name]),
        )
        for field in theirs.answer_fields()
        if changed.values.get(field.name) != mine.get(field.name)
    ]
    return {
        "by": changed.saved_by_name,
        "by_you": changed.by_you,
        "at": changed.saved_at,
        "differing": differing,
    }


def _typed(field) -> str | None:
    """What was typed in a field whose answer is not right yet (so not among the answers):
    shown as typed, rather than as "No answer"."""
    return "".join(field.raw_data or ()).strip() or None
