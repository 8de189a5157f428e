"""The receipt dict turned into what the template prints: labels in French and English,
times in UTC and Paris time, sizes with grouped digits.

Kept apart from the template so that the template needs no custom filters: it renders the same
in a plain Jinja2 environment and in Flask's.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from wizard.i18n import in_french_and_english
from wizard.receipts.layout import template_geometry

PARIS = ZoneInfo("Europe/Paris")

RECEIPT_KEYS = frozenset(
    {
        "reference",
        "submitted_at_utc",
        "submitted_at_paris",
        "manufacturer",
        "organisation",
        "signatory",
        "device",
        "access_type",
        "period",
        "documents",
        "hcp_letters",
        "answers_sha256",
        "portal_name",
    }
)

ACCESS_TYPES = {
    "individual": (
        "Accès individuel — pour un patient identifié",
        "Individual access — for one identified patient",
    ),
    "global": (
        "Accès global — pour le dispositif, pour un groupe de patients",
        "Global access — for the device, for a group of patients",
    ),
}

# As the evidence step names them (`forms.attachments.DOCUMENT_KINDS`, and its French);
# the others are kinds no form offers, named if a receipt is ever given one.
DOCUMENT_KINDS = {
    "clinical_evaluation": ("Rapport d’évaluation clinique", "Clinical evaluation report"),
    "clinical_data": ("Données cliniques", "Clinical data"),
    "ifu": ("Notice d’utilisation", "Instructions for use"),
    "instructions_for_use": ("Notice d’utilisation", "Instructions for use"),
    "risk_management": ("Dossier de gestion des risques", "Risk management file"),
    "test_report": ("Rapport d’essai", "Test report"),
    "certificate": ("Copie du dernier certificat CE", "Copy of the last CE certificate"),
    "notified_body_letter": ("Courrier de l’organisme notifié", "Notified body's letter"),
    "patient_information": ("Note d’information du patient", "Patient information note"),
    "commitment": ("Engagement de certification", "Certification commitment"),
    "other": ("Autre document", "Other document"),
}


def receipt_context(receipt: dict) -> dict:
    """Template variables for `receipts/receipt.html`."""
    missing = RECEIPT_KEYS - receipt.keys()
    if missing:
        raise ValueError(f"The receipt lacks {', '.join(sorted(missing))}.")
    utc = _aware(receipt["submitted_at_utc"]).astimezone(dt.UTC)
    paris = _aware(receipt["submitted_at_paris"]).astimezone(PARIS)
    access_fr, access_en = ACCESS_TYPES.get(
        receipt["access_type"], (receipt["access_type"], receipt["access_type"])
    )
    return {
        "receipt": receipt,
        "reference": receipt["reference"],
        "portal_name": receipt["portal_name"],
        "submitted_utc": utc.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "submitted_paris": paris.strftime("%Y-%m-%d %H:%M:%S"),
        "paris_offset": _offset(paris),
        "created_iso": utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "access_fr": access_fr,
        "access_en": access_en,
        "period_start": in_french_and_english(receipt["period"]["start"]),
        "period_end": in_french_and_english(receipt["period"]["end"]),
        "estimated_patients": grouped_in_both(
            (receipt.get("scope") or {}).get("estimated_patients")
        ),
        "documents": [_document_row(document) for document in receipt["documents"]],
        "hcp_letters": receipt["hcp_letters"],
        # Receipts made before they stated it hold none.
        "silence_date": in_french_and_english((receipt.get("silence") or {}).get("date")),
        "geometry": template_geometry(),
    }


def _aware(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"Submission time {value!r} has no UTC offset.")
    return moment


def _offset(moment: dt.datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _document_row(document: dict) -> dict:
    kind_fr, kind_en = DOCUMENT_KINDS.get(
        document["kind"], (document["kind"].replace("_", " ").capitalize(), "")
    )
    return {
        **document,
        "kind_fr": kind_fr,
        "kind_en": kind_en,
        "size_text": grouped(document["size"]),
    }


def grouped_in_both(number: int | None) -> tuple[str, str] | None:
    """A number (of patients) as French and English write it: ("100 000", "100,000"), the
    French grouped by narrow no-break spaces; None for none."""
    if number is None:
        return None
    return grouped(number), grouped(number, ",")


def grouped(number: int, separator: str = "\u202f") -> str:
    """12345678 → "12 345 678", with narrow no-break spaces (French and SI style), or with
    `separator` ("12,345,678" with a comma, as English writes it)."""
    return f"{int(number):,}".replace(",", separator)
