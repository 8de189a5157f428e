"""Database models, one module per aggregate."""

from wizard.models.accounts import Organisation, Role, User
from wizard.models.dossier import (
    Document,
    DocumentKind,
    Dossier,
    HcpLetter,
    ReferenceCounter,
    StepAnswer,
)
from wizard.models.receipt import Receipt

__all__ = [
    "Document",
    "DocumentKind",
    "Dossier",
    "HcpLetter",
    "Organisation",
    "Receipt",
    "ReferenceCounter",
    "Role",
    "StepAnswer",
    "User",
]
