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
from wizard.models.invitation import Invitation, InvitationState
from wizard.models.receipt import Receipt

__all__ = [
    "Document",
    "DocumentKind",
    "Dossier",
    "HcpLetter",
    "Invitation",
    "InvitationState",
    "Organisation",
    "Receipt",
    "ReferenceCounter",
    "Role",
    "StepAnswer",
    "User",
]
