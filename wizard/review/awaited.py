"""The answers ANSM still awaits on a request, as the forms that would stop waiting for them
warn of them: the reviewer's "Resume the review" and the manufacturer's withdrawal name who has
not answered yet. Each form also says which questions its warning named (`FIELD`): it closes
those, and only those (a reviewer may have asked someone since the page was opened)."""

from __future__ import annotations

from flask import request

from wizard.domain.lifecycle import ASKING_STATUSES, Status
from wizard.i18n import gettext as _
from wizard.models import Dossier, InformationRequest

# The hidden field of the forms that leave "information requested" (resume, withdrawal).
FIELD = "awaited"


def questions_awaited(dossier: Dossier, status: Status) -> list[InformationRequest]:
    """The questions that leaving the status would close unanswered while their answers may
    still come, oldest first: "information requested", or an authorisation in force or
    suspended (`ASKING_STATUSES`); none in any other status."""
    if status not in ASKING_STATUSES:
        return []
    return InformationRequest.awaited(dossier.id)


def named(questions: list[InformationRequest]) -> str:
    """What a form says its warning named (`FIELD`): the questions' numbers."""
    return " ".join(str(question.id) for question in questions)


def changed_since_shown(questions_now: list[InformationRequest]) -> bool:
    """Whether the questions the form would warn of now are not the ones the posted form
    warned of (none, if it does not say): asked or answered since, or a link expired."""
    return request.form.get(FIELD, "").split() != named(questions_now).split()


def changed_message(*, withdrawal: bool = False) -> str:
    if withdrawal:
        return _(
            "Nothing was done: the answers awaited changed since you opened this page. Check "
            "whose answers are awaited now, then withdraw the request if you still want to."
        )
    return _(
        "Nothing was done: the answers awaited changed since you opened this page. Check whose "
        "answers are awaited now, then resume the review if you still want to."
    )
