"""Database models, one module per aggregate."""

from wizard.models.accounts import ColleagueInvitation, Organisation, Role, User
from wizard.models.audit import AuditEvent
from wizard.models.dossier import (
    Document,
    DocumentKind,
    Dossier,
    HcpLetter,
    ReferenceCounter,
    RemovedFile,
    StepAnswer,
)
from wizard.models.follow_up import FollowUpDocument, FollowUpReport, ReportDue
from wizard.models.invitation import Invitation, InvitationState, ReplacedLink
from wizard.models.note import ReviewNote
from wizard.models.outbox import OutgoingEmail
from wizard.models.receipt import Receipt
from wizard.models.review import (
    Addressee,
    Decision,
    DecisionKind,
    InformationRequest,
    Reply,
    ReplyDocument,
)
from wizard.models.unsent import UnsentAnswers

__all__ = [
    "Addressee",
    "AuditEvent",
    "ColleagueInvitation",
    "Decision",
    "DecisionKind",
    "Document",
    "DocumentKind",
    "Dossier",
    "FollowUpDocument",
    "FollowUpReport",
    "HcpLetter",
    "InformationRequest",
    "Invitation",
    "InvitationState",
    "Organisation",
    "OutgoingEmail",
    "Receipt",
    "ReferenceCounter",
    "RemovedFile",
    "ReplacedLink",
    "Reply",
    "ReviewNote",
    "ReplyDocument",
    "ReportDue",
    "Role",
    "StepAnswer",
    "UnsentAnswers",
    "User",
]
