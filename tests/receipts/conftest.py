"""Fixtures for receipt tests: a sample submitted request, a development signing identity, and
the signed receipt built once for the whole session (rendering is the slow part)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from wizard.receipts.document import build_receipt_pdf, receipt_environment, render_receipt_html
from wizard.receipts.keys import ensure_dev_signing_identity, load_signer, load_trust_roots

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


ANSWERS = {
    "device": {"trade_name": "NeuroStim Pro 3", "model": "NS-3000-EU", "udi_di": "03760123450012"},
    "access_type": "individual",
    "patient": {"initials": "J.D.", "year_of_birth": 1961, "sex": "M"},
    "medical_need": "Impasse thérapeutique : aucune alternative marquée CE.",
}


@pytest.fixture(scope="session")
def answers_json() -> bytes:
    return json.dumps(ANSWERS, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.fixture(scope="session")
def receipt(answers_json) -> dict:
    return {
        "reference": "DA-2026-000042",
        "submitted_at_utc": "2026-03-14T09:30:12+00:00",
        "submitted_at_paris": "2026-03-14T10:30:12+01:00",
        "manufacturer": "Neurotech Medical SAS",
        "organisation": "Neurotech Medical SAS",
        "signatory": {"name": "Claire Martin", "role": "Directrice des affaires réglementaires"},
        "device": {
            "trade_name": "NeuroStim Pro 3",
            "model": "NS-3000-EU",
            "udi_di": "03760123450012",
            "device_class": "III",
        },
        "access_type": "individual",
        "period": {"start": "2026-04-01", "end": "2026-09-30"},
        "documents": [
            {
                "kind": "clinical_evaluation",
                "filename": "CER_NeuroStim_Pro_3_v4.2.pdf",
                "sha256": _sha256("clinical evaluation"),
                "size": 2_345_678,
            },
            {
                "kind": "ifu",
                "filename": "IFU-NS3000-FR-EN.pdf",
                "sha256": _sha256("instructions"),
                "size": 845_123,
            },
            {
                "kind": "risk_management",
                "filename": "risk_management_file_ISO14971_NS3000_" + "x" * 60 + ".pdf",
                "sha256": _sha256("risk"),
                "size": 1_200_456,
            },
        ],
        "hcp_letters": [
            {
                "author": "Pr Jean Dupont — CHU de Lyon",
                "filename": "lettre_dupont.pdf",
                "sha256": _sha256("letter dupont"),
            },
        ],
        "answers_sha256": hashlib.sha256(answers_json).hexdigest(),
        "portal_name": "Portail des autorisations dérogatoires",
    }


@pytest.fixture(scope="session")
def identity(tmp_path_factory) -> tuple[Path, Path]:
    return ensure_dev_signing_identity(tmp_path_factory.mktemp("instance"))


@pytest.fixture(scope="session")
def signer(identity):
    return load_signer(*identity)


@pytest.fixture(scope="session")
def trust_roots(identity) -> list:
    return load_trust_roots(identity[1])


@pytest.fixture(scope="session")
def template_dir() -> Path:
    return TEMPLATE_DIR


@pytest.fixture(scope="session")
def receipt_html(receipt) -> str:
    return render_receipt_html(receipt, receipt_environment(TEMPLATE_DIR))


@pytest.fixture(scope="session")
def signed_pdf(receipt, answers_json, signer) -> bytes:
    return build_receipt_pdf(
        receipt, answers_json=answers_json, signer=signer, template_dir=TEMPLATE_DIR
    )
