"""Answers a step is offered before it is first saved, from what the filer said elsewhere:
on the manufacturer step, the manufacturer as the organisation's latest filed request gave it
(else the organisation's name) and the signed-in person as its contact; the MDR application
given on the situation step on the path to certification. Shown filled in, and said so; stored
only when the filer saves the step."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from wizard.extensions import db
from wizard.flow.engine import Answers
from wizard.models import Dossier, User


def suggested_answers(step_id: str, dossier: Dossier, answers: Answers, user: User) -> dict:
    suggest = _SUGGESTIONS.get(step_id)
    if suggest is None or step_id in answers:
        return {}
    return {name: value for name, value in suggest(dossier, answers, user).items() if value}


def _manufacturer(dossier: Dossier, answers: Answers, user: User) -> dict[str, Any]:
    filed = _last_filed_manufacturer(dossier)
    # The contact's telephone, only if the contact was this person then too.
    if (filed.get("contact_email") or "").lower() != user.email.lower():
        filed.pop("contact_phone", None)
    return {
        **{name: filed.get(name) for name in _FILED_MANUFACTURER},
        # Loaded with the user (`auth.views.load_user`).
        "legal_name": filed.get("legal_name") or dossier.organisation.name,
        "contact_name": user.name,
        "contact_email": user.email,
    }


# What a manufacturer step filed before says that stays true of the manufacturer (not the
# contact person: the one filing now is).
_FILED_MANUFACTURER = (
    "country",
    "address",
    "srn",
    "no_srn",
    "siret",
    "contact_phone",
    "representative_name",
    "representative_srn",
)


def _last_filed_manufacturer(dossier: Dossier) -> dict[str, Any]:
    """The manufacturer step of the organisation's latest submitted request, as filed."""
    frozen = db.session.scalar(
        select(Dossier.submitted_answers)
        .where(
            Dossier.organisation_id == dossier.organisation_id,
            Dossier.submitted_at.is_not(None),
        )
        .order_by(Dossier.submitted_at.desc(), Dossier.id.desc())
        .limit(1)
    )
    return dict(((frozen or {}).get("answers") or {}).get("manufacturer") or {})


def _certification(dossier: Dossier, answers: Answers, user: User) -> dict[str, Any]:
    lodged = answers.get("situation", {}).get("mdr_application_date")
    return {"nb_application": "lodged", "nb_application_date": lodged} if lodged else {}


_SUGGESTIONS = {"manufacturer": _manufacturer, "certification": _certification}
