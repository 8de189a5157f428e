"""Follow-up reports: what a manufacturer sends ANSM on an authorisation of its own accord
(the patients treated, their follow-up, incidents), as the authorisation's conditions ask,
with PDF documents. Added, never rewritten."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wizard.extensions import Timestamp, db
from wizard.models.accounts import User
from wizard.models.dossier import Dossier, StoredFileMixin
from wizard.models.review import Decision, text_sha256


class FollowUpReport(db.Model):
    __tablename__ = "follow_up_reports"
    __table_args__ = (
        UniqueConstraint("dossier_id", "sent_as", name="uq_follow_up_reports_sent_as"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # As the account was named when it sent the report.
    author_name: Mapped[str] = mapped_column(String(200))
    # Since the authorisation, in all: what ANSM weighs against the authorised maximum.
    patients_treated: Mapped[int] = mapped_column(Integer)
    # The authorised maximum when the report was sent (None: no cap; an individual
    # authorisation's is its one patient), kept with the report.
    max_patients: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    # Where the device's CE certification stands, as the report says (`CERTIFICATION`; None:
    # sent before reports said it): the authorisation rests on the commitment to pursue it.
    certification: Mapped[str | None] = mapped_column(String(20))
    # "delayed": the date CE marking is now expected by.
    ce_expected_on: Mapped[date | None] = mapped_column(Date)
    # "certified": the certificate, the notified body that issued it (4 digits) and its date.
    certificate_number: Mapped[str | None] = mapped_column(String(200))
    certificate_body: Mapped[str | None] = mapped_column(String(4))
    certificate_issued_on: Mapped[date | None] = mapped_column(Date)
    # The manufacturer asks ANSM to end the authorisation (it gives it up): a withdrawal may
    # then be decided on its request, without inviting its observations (CRPA L. 121-1).
    end_asked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    sent_at: Mapped[Timestamp]
    # The one-time mark of the page's form it was sent from, with a digest of what it carried
    # (`review.follow_up.sent_as`): the same form sent twice is one report.
    sent_as: Mapped[str | None] = mapped_column(String(64))
    # When a reviewer marked it read, and who (named as their account was named then): ANSM's
    # reviewers share one mark, so that a report read by one is not read again by another.
    read_at: Mapped[Timestamp | None]
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    read_by_name: Mapped[str | None] = mapped_column(String(200))

    dossier: Mapped[Dossier] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    documents: Mapped[list[FollowUpDocument]] = relationship(
        back_populates="report", order_by="FollowUpDocument.id"
    )

    @property
    def above_maximum(self) -> bool:
        return self.max_patients is not None and self.patients_treated > self.max_patients

    def audit_detail(self) -> dict[str, Any]:
        return {
            "report_id": self.id,
            "patients_treated": self.patients_treated,
            "max_patients": self.max_patients,
            "message_sha256": text_sha256(self.message),
            "documents": len(self.documents),
            **({"certification": self.certification_record()} if self.certification else {}),
            **({"end_asked": True} if self.end_asked else {}),
        }

    def certification_record(self) -> dict[str, str]:
        """Where the certification stands, as the audit trail keeps it."""
        found = {
            "status": self.certification,
            "ce_expected_on": self.ce_expected_on,
            "certificate_number": self.certificate_number,
            "certificate_body": self.certificate_body,
            "certificate_issued_on": self.certificate_issued_on,
        }
        return {key: str(value) for key, value in found.items() if value is not None}


class FollowUpDocument(StoredFileMixin, db.Model):
    __tablename__ = "follow_up_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("follow_up_reports.id", ondelete="CASCADE"), index=True
    )
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )

    report: Mapped[FollowUpReport] = relationship(back_populates="documents")


class ReportDue(db.Model):
    """A date an authorisation asks a follow-up report by (`domain.report_schedule`), and the
    report that met it. Written with the authorisation; those after its withdrawal are
    dropped with it."""

    __tablename__ = "report_dues"
    __table_args__ = (UniqueConstraint("dossier_id", "due_on", name="uq_report_dues_due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE", name="fk_report_dues_dossier_id"),
        index=True,
    )
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE", name="fk_report_dues_decision_id")
    )
    due_on: Mapped[date] = mapped_column(Date)
    # The report that met it (sent by then, or the first sent after it: late).
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_up_reports.id", ondelete="SET NULL", name="fk_report_dues_report_id")
    )
    # When the manufacturer was reminded of it, a week before (`review.reminders`).
    reminded_at: Mapped[Timestamp | None]

    decision: Mapped[Decision] = relationship()
    report: Mapped[FollowUpReport | None] = relationship()
