"""Answers a step is offered before it is first saved, from what the filer said elsewhere:
the organisation's name and the signed-in person on the manufacturer step, the MDR
application given on the situation step on the path to certification. Shown filled in, and
said so; stored only when the filer saves the step."""

from __future__ import annotations

from typing import Any

from wizard.flow.engine import Answers
from wizard.models import Dossier, User


def suggested_answers(step_id: str, dossier: Dossier, answers: Answers, user: User) -> dict:
    suggest = _SUGGESTIONS.get(step_id)
    if suggest is None or step_id in answers:
        return {}
    return {name: value for name, value in suggest(dossier, answers, user).items() if value}


def _manufacturer(dossier: Dossier, answers: Answers, user: User) -> dict[str, Any]:
    return {
        "legal_name": dossier.organisation.name,  # loaded with the user (`auth.views.load_user`)
        "contact_name": user.name,
        "contact_email": user.email,
    }


def _certification(dossier: Dossier, answers: Answers, user: User) -> dict[str, Any]:
    lodged = answers.get("situation", {}).get("mdr_application_date")
    return {"nb_application": "lodged", "nb_application_date": lodged} if lodged else {}


_SUGGESTIONS = {"manufacturer": _manufacturer, "certification": _certification}
