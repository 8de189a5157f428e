"""The answers read back, step by step: the check-your-answers page of a draft, the summary of
a submitted request (its own page and the agency's), and what a step written for another
patient or type of access says."""

from __future__ import annotations

from flask import url_for

from wizard.filing import service
from wizard.flow.steps import FLOW
from wizard.forms.base import read_back
from wizard.i18n import gettext as _
from wizard.models import Dossier
from wizard.models.dossier import case_mark, case_since


def written_for(mark: str | None, answers) -> dict[str, str] | None:
    """What the page of a step about the request's case, and the summary, say of it when it
    was written for another patient or the other type of access (`mark`, from
    `Dossier.written_for_another`): a notice, and a short tag."""
    case = case_since(mark, case_mark(answers))
    if case is None:
        return None
    if case["was_global"]:
        return {
            "notice": _(
                "You wrote this step while the request was for global access (the device as a "
                "whole). Check that it is about this patient, then save the step."
            ),
            "tag": _("Written for global access: check it"),
        }
    initials, year = case["initials"], case["birth_year"]
    if case["now_global"]:
        return {
            "notice": _(
                "You wrote this step for the patient %(initials)s born in %(year)s, while the "
                "request was for one patient. Check that it is about the device as a whole, "
                "then save the step.",
                initials=initials,
                year=year,
            ),
            "tag": _("Written for one patient: check it"),
        }
    return {
        "notice": _(
            "You wrote this step for the patient %(initials)s born in %(year)s, and the "
            "request now names another patient. Check that it is about this patient, then "
            "save the step.",
            initials=initials,
            year=year,
        ),
        "tag": _("Written for another patient: check it"),
    }


def summary_sections(dossier: Dossier, answers, *, editable: bool) -> list[dict]:
    """Every answered question of the chosen path, grouped by step."""
    sections = []
    carried = dossier.carried_over() if editable else {}
    other_case = dossier.written_for_another() if editable else {}
    for step in FLOW.questions(answers):
        values = answers.get(step.id)
        form = step.form.from_answers(values or {}, context=answers)
        # A submitted filing was checked whole. Checking a draft's step again also finds
        # what its page would say to look at twice, another step's answer since changed
        # included (the period ending after a CE marking date moved earlier).
        complete = service.is_finished(step, dossier, answers, form) if editable else None
        if complete is False:
            # Stopped before its answers were checked (a document or letter missing, copied
            # and not looked at): checked all the same, for what they would warn of.
            form.validate()
        sections.append(
            {
                "step": step,
                "rows": form.summary_rows(),
                "complete": values is not None if complete is None else complete,
                "warnings": {
                    read_back(field.label.text): str(field.warning)
                    for field in form
                    if getattr(field, "warning", None) and not field.errors
                }
                if editable
                else {},
                "carried_from": carried.get(step.id),
                "written_for": written_for(other_case.get(step.id), answers),
                "change_url": url_for(
                    ".step", dossier_id=dossier.id, step_id=step.id, return_to="check"
                )
                if editable
                else None,
            }
        )
    return sections


def submitted_sections(dossier: Dossier) -> list[dict]:
    frozen = dossier.submitted_answers or {}
    return summary_sections(dossier, frozen.get("answers", {}), editable=False)
