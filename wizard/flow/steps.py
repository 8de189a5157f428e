"""The wizard's steps, in order, as data (DESIGN.md §3). Adding a step is one line here,
one form and one template."""

from __future__ import annotations

from wizard.flow.engine import Answers, Flow, Step, StepKind
from wizard.forms import case, filer, path
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.models import DocumentKind, Dossier


def access_type(answers: Answers) -> str | None:
    return answers.get("access-type", {}).get("access_type")


def is_individual(answers: Answers) -> bool:
    # Until the filer chooses, the individual path stands in, so progress is stable.
    return access_type(answers) != "global"


def is_global(answers: Answers) -> bool:
    return access_type(answers) == "global"


def clinical_evaluation_missing(dossier: Dossier) -> list[tuple[str, str]]:
    if any(doc.kind == DocumentKind.CLINICAL_EVALUATION for doc in dossier.documents):
        return []
    missing = _("Upload the clinical evaluation report (PDF) before continuing.")
    others = [doc for doc in dossier.documents if doc.kind != DocumentKind.CLINICAL_EVALUATION]
    if others:
        # Added under another type (the type a document is added with is its last choice, and
        # "Other document" a frequent slip): said, with the way to put it right.
        missing += " " + _(
            "If it is among the documents listed, it was added as another type: remove it, "
            "then add it again choosing “Clinical evaluation report”."
        )
    return [("document-file", missing)]


def has_hcp_letter(dossier: Dossier) -> bool:
    """A letter whose urgency is current: one dated more than a year ago no longer counts."""
    return any(not letter.dated_over_a_year_ago() for letter in dossier.hcp_letters)


def _q(step_id, number, title, form, template, **extra) -> Step:
    return Step(
        step_id, number, title, StepKind.QUESTION, form, f"filing/steps/{template}", **extra
    )


FLOW = Flow(
    [
        _q(
            "before-you-start",
            "0",
            _l("Before you start"),
            filer.BeforeYouStartForm,
            "before_you_start.html",
        ),
        _q("situation", "1", _l("Regulatory situation"), filer.SituationForm, "situation.html"),
        _q("manufacturer", "2", _l("Manufacturer"), filer.ManufacturerForm, "manufacturer.html"),
        _q("device", "3", _l("Device"), filer.DeviceForm, "device.html"),
        _q("access-type", "4", _l("Type of access"), filer.AccessTypeForm, "access_type.html"),
        _q(
            "patient", "5", _l("Patient"), path.PatientForm, "patient.html", condition=is_individual
        ),
        _q(
            "scope",
            "5",
            _l("Scope of the authorisation"),
            path.ScopeForm,
            "scope.html",
            condition=is_global,
        ),
        _q("medical-need", "6", _l("Medical need"), case.MedicalNeedForm, "medical_need.html"),
        _q(
            "clinical-evidence",
            "7",
            _l("Clinical evidence"),
            case.ClinicalEvidenceForm,
            "clinical_evidence.html",
            missing=clinical_evaluation_missing,
        ),
        _q("benefit-risk", "8", _l("Benefit and risk"), case.BenefitRiskForm, "benefit_risk.html"),
        _q(
            "hcp-support",
            "9",
            _l("Healthcare professionals' letters"),
            case.HcpSupportForm,
            "hcp_support.html",
            complete_when=has_hcp_letter,
        ),
        _q(
            "certification",
            "10",
            _l("Path to certification"),
            case.CertificationForm,
            "certification.html",
        ),
        _q("period", "11", _l("Period requested"), case.PeriodForm, "period.html"),
        Step(
            "check", "12", _l("Check your answers"), StepKind.SUMMARY, template="filing/check.html"
        ),
        Step(
            "declaration",
            "13",
            _l("Declaration and submission"),
            StepKind.DECLARATION,
            case.DeclarationForm,
            "filing/declaration.html",
        ),
        Step(
            "confirmation",
            "14",
            _l("Request submitted"),
            StepKind.CONFIRMATION,
            template="filing/confirmation.html",
        ),
    ]
)
