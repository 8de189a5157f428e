"""The answers ANSM still awaits on a request, as the forms that would stop waiting for them
warn of them: the reviewer's "Resume the review" and the manufacturer's withdrawal name who has
not answered yet. The reviewer's form also says which questions its warning named (`FIELD`):
resuming closes those, and only those (a colleague may have asked someone since the page was
opened)."""

from __future__ import annotations

from flask import request

from wizard.domain.lifecycle import Status
from wizard.i18n import gettext as _
from wizard.models import Dossier, InformationRequest

# The hidden field of the reviewer's form that leaves "information requested".
FIELD = "awaited"


def questions_awaited(dossier: Dossier, status: Status) -> list[InformationRequest]:
    """The questions that leaving "information requested" would close unanswered while their
    answers may still come, oldest first; none in any other status."""
    if status != Status.INFORMATION_REQUESTED:
        return []
    return InformationRequest.awaited(dossier.id)


def named(questions: list[InformationRequest]) -> str:
    """What a form says its warning named (`FIELD`): the questions' numbers."""
    return " ".join(str(question.id) for question in questions)


def changed_since_shown(dossier: Dossier, status: Status) -> bool:
    """Whether the questions awaited now are not the ones the posted form warned of (none, if
    it does not say): asked or answered since, or a link expired meanwhile."""
    return request.form.get(FIELD, "").split() != named(questions_awaited(dossier, status)).split()


def changed_message() -> str:
    return _(
        "Nothing was done: the answers awaited changed since you opened this page. Check whose "
        "answers are awaited now, then resume the review if you still want to."
    )
