"""Follow-up reports: what a manufacturer sends ANSM on its authorisation unasked, as the
authorisation's conditions ask (how many patients have received the device, how they are
followed, incidents), with PDF documents. Sent while it is in force, and after it too
(suspended, withdrawn or expired): the patients already treated go on being followed.

A report is added to the request (and its audit trail), never rewritten: a wrong one is put
right by the next. Questions ANSM asks are answered as before (`information`)."""

from __future__ import annotations

from sqlalchemy import select

from wizard import audit, clock
from wizard.extensions import db
from wizard.models import Dossier, FollowUpDocument, FollowUpReport, User
from wizard.review.status import authorisation_of
from wizard.uploads import StoredFile


def may_report(dossier: Dossier) -> bool:
    """Whether the request has had an authorisation (whatever became of it since)."""
    return authorisation_of(dossier) is not None


def slot(dossier: Dossier) -> str:
    """Where the files of a refused report are remembered (see `kept`)."""
    return f"follow-up-{dossier.id}"


def reports_of(dossier: Dossier) -> list[FollowUpReport]:
    """The request's reports, the latest first."""
    return list(
        db.session.scalars(
            select(FollowUpReport)
            .where(FollowUpReport.dossier_id == dossier.id)
            .order_by(FollowUpReport.id.desc())
        )
    )


def send(
    dossier: Dossier, author: User, patients_treated: int, message: str, files: list[StoredFile]
) -> FollowUpReport:
    """Record the report and its documents, each an audit event. The authorised maximum is
    kept with it, so that the report says whether it was above it as it was sent."""
    at = clock.now()
    authorisation = authorisation_of(dossier)
    report = FollowUpReport(
        dossier_id=dossier.id,
        author_id=author.id,
        author_name=author.name,
        patients_treated=patients_treated,
        max_patients=authorisation.max_patients if authorisation else None,
        message=message.replace("\r\n", "\n"),
        sent_at=at,
        documents=[
            FollowUpDocument.of_stored(item, dossier_id=dossier.id, at=at) for item in files
        ],
    )
    db.session.add(report)
    db.session.flush()
    actor = audit.Actor.of(author)
    uploads = audit.uploads_of(report.documents, report_id=report.id)
    for action, detail in ((audit.FOLLOW_UP_SENT, report.audit_detail()), *uploads):
        audit.record(dossier.id, action, actor, detail=detail)
    db.session.commit()
    return report
