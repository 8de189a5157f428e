"""A derogatory-access request (`Dossier`), its answers per step, documents and HCP letters."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    event,
    select,
    true,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from wizard import clock
from wizard.domain.lifecycle import UNFILED_STATUSES, Status
from wizard.extensions import Timestamp, db
from wizard.models.accounts import Organisation, User, utcnow

if TYPE_CHECKING:
    from wizard.models.invitation import Invitation


class DocumentKind(StrEnum):
    CLINICAL_EVALUATION = "clinical_evaluation"
    INSTRUCTIONS_FOR_USE = "instructions_for_use"
    RISK_MANAGEMENT = "risk_management"
    TEST_REPORT = "test_report"
    CERTIFICATE = "certificate"  # the last certificate, expired, suspended or withdrawn
    NOTIFIED_BODY_LETTER = "notified_body_letter"  # its agreement, or why it stopped
    PATIENT_INFORMATION = "patient_information"  # what patients are given to read
    OTHER = "other"


class Dossier(db.Model):
    """One request to ANSM. Answers live in `StepAnswer` rows until submission freezes them."""

    __tablename__ = "dossiers"
    __table_args__ = (
        UniqueConstraint("organisation_id", "started_as", name="uq_dossiers_started_as"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(30), default=Status.DRAFT, index=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[Timestamp | None]
    # When the daily job reminded the manufacturer that the authorised period ends soon
    # (`review.reminders`): once, even with two jobs at once.
    period_end_reminded_at: Mapped[Timestamp | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The reviewer handling the filed request, and since when (`review.assignment`); none
    # until a reviewer takes it or is given it.
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    assigned_at: Mapped[Timestamp | None]
    # The answers of the chosen path only, as they were at submission; never changed after.
    # (None is SQL NULL, as a draft's is: a restore's None too, not JSON's null.)
    submitted_answers: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    answers_sha256: Mapped[str | None] = mapped_column(String(64))
    # The one-time mark of the form that started the draft (`filing.service.create_dossier`):
    # the same form sent twice (a double click without JavaScript) starts one draft.
    started_as: Mapped[str | None] = mapped_column(String(40))

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    step_answers: Mapped[list[StepAnswer]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="Document.id"
    )
    hcp_letters: Mapped[list[HcpLetter]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="HcpLetter.id"
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="Invitation.id"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_filed(self) -> bool:
        """Submitted to the agency (whatever came of it since)."""
        return self.status not in UNFILED_STATUSES

    @property
    def manufacturer_name(self) -> str:
        """The manufacturer as the request names it (its legal name, step 2), which is not
        always the account's organisation: a representative may file for it."""
        if self.submitted_answers is not None:
            answers = self.submitted_answers.get("answers", {})
        else:
            answers = self.answers()
        return answers.get("manufacturer", {}).get("legal_name") or self.organisation.name

    @property
    def filing_organisation(self) -> str:
        """The organisation that filed the request, by the name it had then: an account's
        name may change after (`auth.account_details`), what was filed and decided may not.
        Requests filed before the name was frozen with them give today's."""
        filed = (self.submitted_answers or {}).get("organisation")
        return filed or self.organisation.name

    @property
    def filer_addresses(self) -> list[str]:
        """Where the manufacturer's news of the request goes: the accounts that started and
        submitted it, or, once colleagues removed both (they left), the organisation's
        accounts that can still sign in."""
        filers = {self.created_by, self.submitted_by} - {None}
        people = [u for u in filers if u.is_active and u.organisation_id == self.organisation_id]
        if not people:
            people = [user for user in self.organisation.users if user.is_active]
        return sorted(user.email for user in people)

    @property
    def needed_by(self) -> str | None:
        """A submitted individual request's date the device is needed by (ISO), which makes it
        urgent; the queue orders by the same value in SQL (`review.queue.NEEDED_BY`)."""
        answers = (self.submitted_answers or {}).get("answers", {})
        return answers.get("patient", {}).get("needed_by")

    def answers(self) -> dict[str, dict[str, Any]]:
        """Every saved step's answers, both paths included, keyed by step id. Read with one
        light query, then kept until the session expires the request (a save commits)."""
        return {step: dict(saved.values) for step, saved in self._saved().items()}

    def answers_now(self) -> dict[str, dict[str, Any]]:
        """The request's answers now: as drafted, or as filed."""
        if self.is_draft:
            return self.answers()
        return (self.submitted_answers or {}).get("answers", {})

    def written_for_another(self) -> dict[str, str]:
        """The steps about the request's own case (`ABOUT_THE_CASE`: its patient's need, or
        its population's) saved while it named another patient, or had the other type of
        access, and not saved since: what each was written for ("global", or the patient as
        `patient_mark` writes them). Not finished until looked at and saved again."""
        return self.written_for_other_than(case_mark(self.answers()))

    def written_for_other_than(self, mark: str | None) -> dict[str, str]:
        """The steps `written_for_another` would name were the request for `mark`'s case (a
        `case_mark`): what a change of the type of access would leave to check."""
        return {
            step: saved.written_for
            for step, saved in self._saved().items()
            if case_since(saved.written_for, mark)
        }

    def carried_over(self) -> dict[str, str]:
        """The steps whose answers were copied from a filed request and not saved since,
        with that request's reference."""
        return {
            step: saved.carried_from for step, saved in self._saved().items() if saved.carried_from
        }

    @staticmethod
    def lock_if(dossier_id: int, status: Status, at) -> bool:
        """Mark the request changed if it is still in `status` (False, nothing done, if it is
        not): its row (PostgreSQL) or the database (SQLite) then stays locked until the
        transaction ends, so that what is done to it at the same moment is done one after
        the other. The first statement of every change a request's status must allow."""
        return (
            db.session.execute(
                update(Dossier)
                .where(Dossier.id == dossier_id, Dossier.status == status)
                .values(updated_at=at)
            ).rowcount
            == 1
        )

    def saved_unfinished(self) -> set[str]:
        """The steps last saved for later with answers still missing or wrong."""
        return {step for step, saved in self._saved().items() if saved.finished is False}

    def revision_of(self, step_id: str) -> int:
        """How many times the step was saved (0: never): a page sends it back with its answers,
        so that a save made meanwhile by someone else is not overwritten unseen."""
        saved = self._saved().get(step_id)
        return (saved.revision or 0) if saved else 0  # or 0: a row not written yet

    def _saved(self) -> dict[str, Any]:
        saved = self.__dict__.get(_SAVED_ANSWERS)
        if saved is None:
            session = object_session(self)
            if session is None or "step_answers" in self.__dict__:
                rows = self.step_answers
            else:
                rows = session.execute(_ANSWERS, {"dossier_id": self.id}).all()
            saved = self.__dict__[_SAVED_ANSWERS] = {row.step_id: row for row in rows}
        return saved


_SAVED_ANSWERS = "_saved_answers"


@event.listens_for(Dossier, "expire")
@event.listens_for(Dossier, "refresh")
def _forget_saved_answers(dossier: Dossier | None, *_args) -> None:
    if dossier is not None:  # None: already collected
        dossier.__dict__.pop(_SAVED_ANSWERS, None)


class StepAnswer(db.Model):
    """The validated answers of one step, one row per step. Each save counts a revision: a
    page sent on an older one than stored, when a colleague saved the step since it was
    opened, is shown their answers instead of overwriting them (`filing.meanwhile`)."""

    __tablename__ = "step_answers"
    __table_args__ = (UniqueConstraint("dossier_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    step_id: Mapped[str] = mapped_column(String(40))
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    # When its answers were last saved (`service.save_step`), not when the row was last
    # touched (marked finished or looked at again, a save that changed no answer).
    saved_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    # The reference of the filed request these answers were copied from, until the filer saves
    # the step (`service.start_from`): a step copied and not looked at is not finished.
    carried_from: Mapped[str | None] = mapped_column(String(20))
    # For a step about the request's own case (`ABOUT_THE_CASE`), what it was written for when
    # last saved (`case_mark`): "global", or the patient ("JD 2019"); None for the others,
    # and for a patient not named yet.
    written_for: Mapped[str | None] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The last saves, oldest first, each [user id or None, ISO time, page id or None]: whether
    # saves made since a page was opened include someone else's, or the same person's from
    # another page (another tab), not only the last one's author.
    recent_saves: Mapped[list[list[Any]]] = mapped_column(JSON, default=list, server_default="[]")
    # False when saved with "Save and come back later" before its answers were all right:
    # the list of steps does not show it as done. (Rows saved before this was kept: True.)
    finished: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    dossier: Mapped[Dossier] = relationship(back_populates="step_answers")
    saved_by: Mapped[User | None] = relationship()


_ANSWERS = select(
    StepAnswer.step_id,
    StepAnswer.values,
    StepAnswer.carried_from,
    StepAnswer.written_for,
    StepAnswer.revision,
    StepAnswer.finished,
).where(StepAnswer.dossier_id == bindparam("dossier_id"))


# A removed row's id never given to a new one, as PostgreSQL's sequences never do (SQLite takes
# the highest id again once its row is deleted): the "Remove" or "Put back" of a page kept
# open since names that row, never a file added since in its place.
NO_ID_TAKEN_AGAIN = {"sqlite_autoincrement": True}


class StoredFileMixin:
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    @classmethod
    def of_stored(cls, item, *, dossier_id: int, at):
        """The row of a file stored already (`uploads.StoredFile`), added to a request at `at`."""
        return cls(
            dossier_id=dossier_id,
            filename=item.filename,
            sha256=item.sha256,
            size=item.size,
            uploaded_at=at,
        )


class Document(StoredFileMixin, db.Model):
    """A supporting document (clinical evaluation, IFU…) uploaded by the manufacturer."""

    __tablename__ = "documents"
    __table_args__ = NO_ID_TAKEN_AGAIN

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # A document of no set kind ("other": a patient's file, more often than not) records what
    # the request was for when it was added (`case_mark`): "global", or the patient.
    written_for: Mapped[str | None] = mapped_column(String(20))

    dossier: Mapped[Dossier] = relationship(back_populates="documents")

    def written_for_another_case(self) -> dict[str, str] | None:
        """What the document was added for, if the request is now for another patient or the
        other type of access (`case_since`)."""
        return case_since(self.written_for, case_mark(self.dossier.answers_now()))


class HcpLetter(StoredFileMixin, db.Model):
    """A healthcare professional's signed letter stating the request's validity and urgency."""

    __tablename__ = "hcp_letters"
    __table_args__ = NO_ID_TAKEN_AGAIN

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    author_name: Mapped[str] = mapped_column(String(200))
    author_rpps: Mapped[str] = mapped_column(String(11))
    specialty: Mapped[str] = mapped_column(String(200))
    establishment: Mapped[str] = mapped_column(String(200))
    # The date of the letter; for a letter received by invitation, the day it was received.
    letter_date: Mapped[str] = mapped_column(String(10))
    # Given by a clinician who answers an invitation; letters the manufacturer uploads have none.
    establishment_finess: Mapped[str | None] = mapped_column(String(9))
    urgency_statement: Mapped[str | None] = mapped_column(Text)
    # "upload" when the manufacturer attached a letter they hold, "invite" via a clinician's link.
    source: Mapped[str] = mapped_column(String(20), default="upload")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The type of access ("individual", "global") the request had when the letter came: a
    # letter about one patient does not support access for the device as a whole, nor the
    # reverse, and the type may change afterwards. None: a letter from before it was recorded.
    written_for: Mapped[str | None] = mapped_column(String(20))
    # For a letter about one patient, that patient as the request named them when it came
    # (`patient_mark`: "JD 1987"): a letter about one patient does not support access for
    # another, and the patient may be changed afterwards. None: the request named no patient.
    written_for_patient: Mapped[str | None] = mapped_column(String(20))

    dossier: Mapped[Dossier] = relationship(back_populates="hcp_letters")
    # Removing a letter received by invitation leaves the invitation, without its letter.
    invitation: Mapped[Invitation | None] = relationship(back_populates="letter")

    @staticmethod
    def written_for_now(answers: dict[str, dict[str, Any]]) -> dict[str, str | None]:
        """What a letter coming now records of its request (`answers`): the type of access,
        and the patient of an individual one."""
        access = answers.get("access-type", {}).get("access_type")
        return {
            "written_for": access,
            "written_for_patient": patient_mark(answers) if access == "individual" else None,
        }

    def case_now(self) -> str:
        """What the letter's request is for now, in one value (its type of access, and its
        patient for one patient): a page saying the letter supports it sends it back, checked
        to be still what the page showed (`filing.letter_checked`)."""
        now = self.written_for_now(self.dossier.answers_now())
        return f"{now['written_for'] or ''}:{now['written_for_patient'] or ''}"

    def dated_over_a_year_ago(self) -> bool:
        """Dated more than a year before today: the urgency it states is no longer current.
        Refused when added (`forms.attachments.HcpLetterForm`); one added in time ages while
        its request is a draft, and no longer counts for it (`flow.steps.has_hcp_letter`)."""
        return date.fromisoformat(self.letter_date) < clock.a_year_before(clock.today())

    @property
    def written_for_another_case(self) -> bool:
        """Written for another patient than the request names now, or while it had the other
        type of access: to look at before signing (`filing/_files.html` says which)."""
        return bool(self.written_for_other_access() or self.written_for_other_patient())

    def written_for_other_access(self) -> str | None:
        """The type of access the letter was written for, if the request now has the other."""
        now = self.dossier.answers_now().get("access-type", {}).get("access_type")
        if self.written_for and now and self.written_for != now:
            return self.written_for
        return None

    def written_for_other_patient(self) -> dict[str, str] | None:
        """The patient the letter was written for (initials, year of birth), if the request
        now names another one."""
        answers = self.dossier.answers_now()
        if (
            not self.written_for_patient
            or answers.get("access-type", {}).get("access_type") != "individual"
        ):
            return None
        now = patient_mark(answers)
        if now is None or now == self.written_for_patient:  # no patient named now: none other
            return None
        return patient_of_mark(self.written_for_patient)


def patient_mark(answers: dict[str, dict[str, Any]]) -> str | None:
    """The patient an individual request names, as a letter about them records it: their
    initials and year of birth ("JD 1987"); None until both are saved (the step may be saved
    for later without one)."""
    patient = answers.get("patient", {})
    initials, year = patient.get("patient_initials"), patient.get("patient_birth_year")
    if not (initials and year):
        return None
    return f"{initials} {year}"


def patient_of_mark(mark: str) -> dict[str, str]:
    """The patient a `patient_mark` names: their "initials" and "birth_year"."""
    initials, _space, year = mark.rpartition(" ")
    return {"initials": initials, "birth_year": year}


# The steps that are about the request's own case, a patient's or a population's, rather than
# the device or the manufacturer: written again when the patient or the type of access changes.
ABOUT_THE_CASE = frozenset({"medical-need", "benefit-risk"})


def case_mark(answers: dict[str, dict[str, Any]]) -> str | None:
    """What a step about the request's case is written for: "global" (the device, for a
    population), or the patient of an individual request (`patient_mark`); None while the
    type of access, or the patient, is not saved yet."""
    access = answers.get("access-type", {}).get("access_type")
    if access == "global":
        return "global"
    return patient_mark(answers) if access == "individual" else None


def case_since(mark: str | None, now: str | None) -> dict[str, Any] | None:
    """What was recorded for one case (`mark`, a `case_mark`) once the request is for another
    (`now`, its `case_mark`): None while it is the same one, or either is not known; else
    {"was_global": True}, or the patient (`patient_of_mark`) with "now_global" saying
    whether the request is now for the device as a whole."""
    if not mark or not now or mark == now:
        return None
    if mark == "global":
        return {"was_global": True}
    return {**patient_of_mark(mark), "was_global": False, "now_global": now == "global"}


class ReferenceCounter(db.Model):
    """Last reference sequence used per year; incremented atomically at submission."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class RemovedFile(db.Model):
    """A document, or a letter the manufacturer uploaded, just removed from a draft: its row
    as it was, so that a removal made by mistake is undone (`filing.attachments.put_back`).
    Kept two days (`KEPT_FOR`; `flask uploads prune` forgets older ones, and their stored
    files), deleted with its draft; never in the audit trail, which keeps only the file's
    name and hash (a letter's row names its author and the patient it was written for)."""

    __tablename__ = "removed_files"
    __table_args__ = NO_ID_TAKEN_AGAIN
    KEPT_FOR_HOURS = 48

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    # "documents" or "hcp_letters": the list it was removed from.
    files: Mapped[str] = mapped_column(String(20))
    item: Mapped[dict[str, Any]] = mapped_column(JSON)  # its columns, but its id
    # Its id in its list: a "Remove" sent again for it (a double click, another tab) offers
    # to put it back again, rather than saying nothing of it.
    item_id: Mapped[int | None]
    removed_at: Mapped[Timestamp] = mapped_column(default=utcnow, index=True)
