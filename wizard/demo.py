"""A populated portal for newcomers: `flask --app wizard demo` (idempotent).

The sample answers here are valid for every step; the tests reuse them as factories.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from wizard import clock

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "demo-portal-2026"
DEMO_ORGANISATION = "Cardiotech Médical SAS"

VALID_RPPS = "10000000009"
VALID_FINESS = "750712184"  # Assistance publique – Hôpitaux de Paris
VALID_SIRET = "73282932000074"
VALID_GTIN = "3760123456784"


def _in_days(days: int) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def sample_answers(path: str = "individual") -> dict[str, dict[str, Any]]:
    """Answers to every question step of `path` ("individual" or "global")."""
    answers: dict[str, dict[str, Any]] = {
        "before-you-start": {
            "is_manufacturer": "yes",
            "lacks_valid_ce": "yes",
            "other_route": "no",
        },
        "situation": {
            "reason": "certificate_expired",
            "legacy_certificate_number": "MDD-2019-0042",
            "legacy_certificate_expiry": date(2024, 3, 1).isoformat(),
            "legacy_notified_body": "2797",
            "written_agreement": "no",
        },
        "manufacturer": {
            "legal_name": DEMO_ORGANISATION,
            "country": "FR",
            "address": "12 rue des Tanneurs\n69007 Lyon",
            "srn": "FR-MF-000012345",
            "siret": VALID_SIRET,
            "contact_name": "Claire Martin",
            "contact_email": "claire.martin@example.org",
            "contact_phone": "+33 4 72 00 00 00",
        },
        "device": {
            "trade_name": "VentriAssist Mini",
            "model": "VAM-200",
            "udi_di": VALID_GTIN,
            "device_class": "III",
            "emdn_code": "J0105",
            "implantable": "yes",
            "intended_purpose": "Left ventricular assist for paediatric heart failure.",
            "description": "An implantable continuous-flow pump sized for children.",
        },
        "access-type": {"access_type": path},
        "medical-need": {
            "unmet_need": "Children under 20 kg in end-stage heart failure have no device.",
            "alternatives_considered": "Adult-sized pumps: too large for these patients.",
            "public_health_interest": "Bridge to transplant for children otherwise without one.",
        },
        "clinical-evidence": {
            "efficacy_summary": "Survival to transplant 86 % in 42 patients (2019–2023).",
            "safety_summary": "Adverse events in line with adult devices.",
            "known_incidents": "None known.",
        },
        "benefit-risk": {
            "expected_benefit": "Survival until transplant.",
            "known_risks": "Thrombosis, infection, bleeding.",
            "requirements_not_demonstrated": "GSPR 1 and 8 pending MDR clinical evaluation.",
            "mitigation": "Implantation in expert centres only; anticoagulation protocol.",
            "follow_up": "Monthly report to ANSM; registry of every implanted patient.",
        },
        "hcp-support": {},
        "certification": {
            "nb_application": "lodged",
            "nb_application_date": date(2025, 1, 15).isoformat(),
            "nb_number": "2797",
            "clinical_investigation": "planned",
            "expected_ce_date": _in_days(400),
            "commitment": True,
        },
        "period": {"start_date": _in_days(10), "end_date": _in_days(200)},
    }
    if path == "individual":
        answers["patient"] = {
            "patient_initials": "JD",
            "patient_birth_year": 2019,
            "patient_sex": "female",
            "establishment_name": "Hôpital Necker-Enfants malades",
            "establishment_finess": VALID_FINESS,
            "physician_name": "Dr Anne Leroy",
            "physician_rpps": VALID_RPPS,
            "physician_specialty": "Paediatric cardiac surgery",
            "clinical_situation": "End-stage dilated cardiomyopathy, on inotropes.",
            "alternatives_tried": "Medical therapy maximised; ECMO not sustainable.",
            "needed_by": _in_days(30),
            "patient_informed": True,
        }
    else:
        answers["scope"] = {
            "indication": "End-stage heart failure in children under 20 kg.",
            "target_population": "Children awaiting transplant, 5 to 20 kg.",
            "estimated_patients": 12,
            "establishments": "Hôpital Necker-Enfants malades, Paris\nHôpital Louis Pradel, Lyon",
            "distribution_plan": "Direct delivery to the two centres; serial numbers logged.",
            "user_training": "Two-day training of each surgical team by the manufacturer.",
            "patient_information": (
                "The surgeon gives the parents the information note and explains it; their "
                "written agreement is kept in the patient's file."
            ),
        }
    return answers


def sample_letter() -> dict[str, Any]:
    return {
        "author_name": "Dr Anne Leroy",
        "author_rpps": VALID_RPPS,
        "specialty": "Paediatric cardiac surgery",
        "establishment": "Hôpital Necker-Enfants malades",
        "letter_date": _in_days(-2),
    }


def sample_declaration(name: str = "Claire Martin") -> dict[str, Any]:
    return {
        "attest_accuracy": True,
        "attest_responsibility": True,
        "attest_not_circumvention": True,
        "attest_vigilance": True,
        "signatory_name": name,
        "signatory_role": "Regulatory affairs manager",
        "signature": name,
    }


def attach_sample_files(dossier_id: int, user_id: int, *, letters: int = 1) -> None:
    """A clinical evaluation and `letters` HCP letters, stored as real (small) PDFs."""
    from wizard import uploads
    from wizard.extensions import db
    from wizard.models import Document, DocumentKind, HcpLetter

    stored = uploads.store("clinical-evaluation.pdf", minimal_pdf("CER"))
    db.session.add(
        Document(
            dossier_id=dossier_id,
            kind=DocumentKind.CLINICAL_EVALUATION,
            filename=stored.filename,
            sha256=stored.sha256,
            size=stored.size,
            uploaded_by_id=user_id,
        )
    )
    for number in range(letters):
        letter = uploads.store(f"letter-{number + 1}.pdf", minimal_pdf(f"Letter {number + 1}"))
        db.session.add(
            HcpLetter(
                dossier_id=dossier_id,
                filename=letter.filename,
                sha256=letter.sha256,
                size=letter.size,
                uploaded_by_id=user_id,
                **sample_letter(),
            )
        )
    db.session.commit()


def minimal_pdf(text: str = "Demo document") -> bytes:
    """A small, valid one-page PDF (for demo documents and tests)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_of_objects(objects)


def pdf_of_objects(objects: list[bytes], version: str = "1.4") -> bytes:
    """A PDF made of these object bodies, numbered from 1 (the first is the catalog), with a
    cross-reference table that points right, so that any reader parses it."""
    out = bytearray(f"%PDF-{version}\n".encode())
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)
