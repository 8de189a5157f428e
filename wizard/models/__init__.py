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

__all__ = [
    "Document",
    "DocumentKind",
    "Dossier",
    "HcpLetter",
    "Organisation",
    "ReferenceCounter",
    "Role",
    "StepAnswer",
    "User",
]
