"""What happens to a request: created, a step saved, a file attached, submitted and frozen."""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from wizard import audit, clock, mail, uploads
from wizard.domain.canonical import canonical_sha256
from wizard.domain.lifecycle import Status
from wizard.domain.reference import format_reference
from wizard.extensions import db
from wizard.filing import signing
from wizard.flow.engine import Step
from wizard.flow.steps import FLOW
from wizard.models import Document, Dossier, ReferenceCounter, RemovedFile, StepAnswer, User
from wizard.models.dossier import ABOUT_THE_CASE, DocumentKind, case_mark
from wizard.models.invitation import OPEN_STATES, Invitation, InvitationState


class NotEditable(Exception):
    """The request is no longer a draft: its answers are frozen."""


class DraftDeleted(NotEditable):
    """The draft was deleted (by a colleague, in another tab) since the page was opened."""

    def __init__(self, dossier_id: int):
        super().__init__(dossier_id)
        self.dossier_id = dossier_id


class DraftChanged(Exception):
    """The draft is no longer what the page asking to delete it said it holds."""


class Incomplete(Exception):
    """A step on the chosen path is not finished; `step` is the first one."""

    def __init__(self, step: Step):
        super().__init__(step.id)
        self.step = step


def draft_count(organisation_id: int) -> int:
    """How many requests the organisation has started and not submitted (nor deleted)."""
    return db.session.scalar(
        select(func.count())
        .select_from(Dossier)
        .where(Dossier.organisation_id == organisation_id, Dossier.status == Status.DRAFT)
    )


def started_as(user: User, mark: str | None) -> Dossier | None:
    """The draft of `user`'s organisation a form sent with this one-time mark started: the
    same form sent again (a double click without JavaScript, a send retried, the page kept by
    the browser's Back) goes to it rather than starting another."""
    if not mark:
        return None
    return db.session.scalar(
        select(Dossier).where(
            Dossier.organisation_id == user.organisation_id,
            Dossier.started_as == mark,
            Dossier.status == Status.DRAFT,
        )
    )


def _new_draft(user: User, mark: str | None) -> Dossier:
    """A new draft, flushed, started as `mark` unless a draft deleted or submitted since was
    (the mark is its organisation's once). `AlreadyStarted` when the same form's other send
    started one meanwhile (two at once)."""
    earlier = mark and db.session.scalar(
        select(Dossier).where(
            Dossier.organisation_id == user.organisation_id, Dossier.started_as == mark
        )
    )
    if earlier and earlier.is_draft:
        raise AlreadyStarted(earlier)
    dossier = Dossier(
        organisation_id=user.organisation_id,
        created_by_id=user.id,
        started_as=None if earlier else mark,
    )
    db.session.add(dossier)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        earlier = started_as(user, mark)
        if earlier is None:
            raise
        raise AlreadyStarted(earlier) from None
    return dossier


class AlreadyStarted(Exception):
    """The same form, sent twice at once, started its draft by its other send: `dossier`."""

    def __init__(self, dossier: Dossier):
        super().__init__(dossier.id)
        self.dossier = dossier


def create_dossier(user: User, mark: str | None = None) -> Dossier:
    """A new, empty draft; the one the same form's other send started (`mark`, its one-time
    mark), if it did."""
    try:
        dossier = _new_draft(user, mark)
    except AlreadyStarted as started:
        return started.dossier
    db.session.commit()
    return dossier


class StepChanged(Exception):
    """The step was saved by someone else, or by the same person from another page (another
    tab), with other answers, after the page being sent was opened. Nothing was stored.
    `values`, `revision`: the step as stored now; `saved_at`, `saved_by_name`: the latest of
    those other saves; `by_you`: made by the person sending, from another page."""

    def __init__(
        self, answer: StepAnswer, saved_by: User | None, saved_at: datetime, *, by_you=False
    ):
        super().__init__(answer.step_id)
        self.values: dict[str, Any] = dict(answer.values)
        self.revision = answer.revision
        self.saved_at = saved_at
        self.saved_by_name = saved_by.name if saved_by else None
        self.by_you = by_you


# How many saves of a step `StepAnswer.recent_saves` remembers.
SAVES_REMEMBERED = 20


def save_step(
    dossier: Dossier,
    step_id: str,
    values: dict[str, Any],
    *,
    checked: bool = True,
    finished: bool = True,
    based_on: int | None = None,
    by: User | None = None,
    written_for: str | None = None,
    page: str | None = None,
) -> None:
    """Store a step's validated answers, saved `by` someone. `based_on`: the step's revision
    the filer's page showed (`Dossier.revision_of`); if someone else has saved the step since
    with other answers, or the same person from another page (`page`: the id of the page
    sent, another tab's differs), nothing is stored and `StepChanged` says what they are
    (without it, or for saves of the same page, the last save wins).
    `checked`: the filer saw the step through (not saved with a correction refused), so
    answers copied from a filed request are no longer only copied. `finished`: False when
    saved for later with answers still missing or wrong. `written_for`: for a step about the
    request's case, what its page showed it for, if the request has changed since (another
    tab, a colleague): recorded rather than the case named now (`Dossier.written_for_another`)."""
    claim_draft(dossier)  # saves of one request wait for each other from here
    row = _step_answer(dossier, step_id)
    if row is None:
        row = StepAnswer(dossier_id=dossier.id, step_id=step_id, revision=0)
        db.session.add(row)
    elif (changed := newer_save(row, based_on, by, page)) and row.values != values:
        db.session.rollback()
        raise changed
    # A save that changes no answer (a page sent again as it was opened) is no newer save:
    # it would otherwise turn a colleague's or another tab's real change away as made
    # "after you opened the page" (`newer_save`), showing them answers nobody wrote.
    if row.revision == 0 or row.values != values:
        row.values = values
        row.revision += 1
        row.saved_by_id = by.id if by else None
        row.saved_at = clock.now()
        saves = (row.recent_saves or []) + [[*_last_save(row), page]]
        row.recent_saves = saves[-SAVES_REMEMBERED:]
    row.finished = finished
    if checked:
        row.carried_from = None  # looked at and saved: no longer only copied
        if step_id in ABOUT_THE_CASE:  # looked at for the patient, or population, named now
            # (kept while none is named: the patient step saved for later without one)
            row.written_for = written_for or case_mark(dossier.answers()) or row.written_for
    _check_the_others_again(dossier, row)
    db.session.commit()
    db.session.refresh(dossier)


def letters_step_answered(dossier: Dossier) -> None:
    """The letters' step has no questions of its own: a letter added to the draft (uploaded,
    or received through an invitation) answers it, as if its page had been saved, so that it
    counts as done without its button pressed. Within the caller's transaction, the draft
    claimed (`claim_draft`): two letters at once add one row."""
    if "hcp-support" not in dossier.answers():
        db.session.add(
            StepAnswer(dossier_id=dossier.id, step_id="hcp-support", values={}, revision=1)
        )


def _check_the_others_again(dossier: Dossier, saved: StepAnswer) -> None:
    """Each other step saved: finished or not given this new answer (the patient's date
    moved outside the period already saved), as the summary and the submission judge it;
    what the list of steps shows. Done here, once per save, rather than at every page."""
    with db.session.no_autoflush:
        rows = list(dossier.step_answers)
    answers = {row.step_id: row.values for row in rows if row.values is not None}
    answers[saved.step_id] = saved.values
    for row in rows:
        step = FLOW.get(row.step_id)
        if row.step_id == saved.step_id or step is None or step.form is None:
            continue
        row.finished = step.form.from_answers(row.values or {}, context=answers).validate()


def newer_save(
    row: StepAnswer | None, based_on: int | None, by: User | None, page: str | None = None
):
    """Someone else's save of the step made after the page `based_on` its revision was
    opened, or `by`'s own from another page than `page` (another tab), as a `StepChanged`
    (the latest such save); None if all saves since were `by`'s own from this page (or from
    a page that did not say which), or if the page did not say what it showed."""
    if row is None or based_on is None or row.revision == based_on:
        return None
    since = row.revision - based_on
    saves = row.recent_saves or []
    if not 0 < since <= len(saves):  # older than what is remembered: the last save says
        saves, since = [_last_save(row)], 1

    def from_elsewhere(save: list) -> bool:
        if by is None or save[0] != by.id:
            return True
        saved_from = save[2] if len(save) > 2 else None
        return page is not None and saved_from is not None and saved_from != page

    others = [save for save in saves[-since:] if from_elsewhere(save)]
    if not others:
        return None
    user_id, at = others[-1][:2]
    saved_by = db.session.get(User, user_id) if user_id is not None else None
    by_you = by is not None and user_id == by.id
    return StepChanged(row, saved_by, datetime.fromisoformat(at), by_you=by_you)


def _last_save(row: StepAnswer) -> list:
    """The row's last save as `StepAnswer.recent_saves` keeps each: [user id or None, time]."""
    return [row.saved_by_id, row.saved_at.isoformat()]


def newer_save_of(
    dossier: Dossier,
    step_id: str,
    based_on: int | None,
    by: User | None,
    page: str | None = None,
):
    """`newer_save` of a step, read without changing anything (a page refused for another
    reason still says it)."""
    if based_on is None:
        return None
    return newer_save(_step_answer(dossier, step_id), based_on, by, page)


def last_saved_by(dossier_ids: list[int]) -> dict[int, User]:
    """Who saved a step of each request last (requests no one saved a step of are left out):
    colleagues see who is working on a draft."""
    rows = db.session.execute(
        select(StepAnswer.dossier_id, StepAnswer.saved_by_id, StepAnswer.saved_at).where(
            StepAnswer.dossier_id.in_(dossier_ids), StepAnswer.saved_by_id.is_not(None)
        )
    ).all()
    latest: dict[int, tuple[datetime, int]] = {}
    for dossier_id, user_id, at in rows:
        if dossier_id not in latest or clock.as_utc(at) > latest[dossier_id][0]:
            latest[dossier_id] = (clock.as_utc(at), user_id)
    wanted = {user_id for _at, user_id in latest.values()}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}
    return {dossier_id: users[user_id] for dossier_id, (_at, user_id) in latest.items()}


def _step_answer(dossier: Dossier, step_id: str) -> StepAnswer | None:
    return db.session.scalar(
        select(StepAnswer)
        .where(StepAnswer.dossier_id == dossier.id, StepAnswer.step_id == step_id)
        .execution_options(populate_existing=True)
    )


# What a request started from a filed one leaves out, being about that occasion only: the
# professionals' letters and the period, and for an individual request what is about its
# patient (who they are, their need, the benefit and risk for them, documents of no set kind).
NOT_CARRIED_OVER = {
    "individual": frozenset({"patient", "medical-need", "benefit-risk", "hcp-support", "period"}),
    "global": frozenset({"hcp-support", "period"}),
}
DOCUMENTS_NOT_CARRIED_OVER = {"individual": frozenset({"other"}), "global": frozenset()}


def start_from(source: Dossier, user: User, mark: str | None = None) -> Dossier:
    """A new draft with the answers and documents `source` was filed with (a renewal, another
    patient), but for what is about that occasion only (`NOT_CARRIED_OVER`). The documents'
    stored files are shared (they are stored by content); a file gone from the store is left
    for the filer to upload again. The one the same form's other send started (`mark`), if
    it did."""
    frozen = source.submitted_answers
    path = frozen["access_type"] if frozen["access_type"] in NOT_CARRIED_OVER else "individual"
    try:
        dossier = _new_draft(user, mark)
    except AlreadyStarted as started:
        return started.dossier
    carried = {
        step_id: copy.deepcopy(values)
        for step_id, values in frozen["answers"].items()
        if step_id not in NOT_CARRIED_OVER[path] and FLOW.get(step_id) is not None
    }
    # Each step stays to be looked at (`is_finished`) until the filer saves it.
    dossier.step_answers.extend(
        StepAnswer(step_id=step_id, values=values, carried_from=source.reference)
        for step_id, values in carried.items()
    )
    documents = [
        d
        for d in frozen["documents"]
        if d["kind"] not in DOCUMENTS_NOT_CARRIED_OVER[path]
        # Only the very file filed: one missing or damaged since is not carried over.
        and uploads.file_problem(d["sha256"], d["size"]) is None
    ]
    dossier.documents.extend(
        Document(
            kind=d["kind"],
            filename=d["filename"],
            sha256=d["sha256"],
            size=d["size"],
            uploaded_by_id=user.id,
            # (a document of no set kind is carried over for global access only: for it)
            written_for=case_mark(frozen["answers"]) if d["kind"] == DocumentKind.OTHER else None,
        )
        for d in documents
    )
    audit.record(
        dossier.id,
        audit.STARTED_FROM,
        audit.Actor.of(user),
        detail={
            "reference": source.reference,
            "steps": sorted(carried),
            "documents": [d["filename"] for d in documents],
        },
    )
    db.session.commit()
    return dossier


def discard(dossier: Dossier, user: User, *, as_shown: Callable[[Dossier], bool]) -> None:
    """Delete a draft for its manufacturer: its answers, files and letters go, and its open
    invitations are revoked (a professional's link then says it was cancelled). The request
    stays as an empty row marked "discarded", so that its audit events keep their place in
    the chain. `NotEditable` when it was submitted meanwhile; `DraftChanged` unless it still
    holds what the person was shown (`as_shown`, asked once the draft is locked)."""
    claim_draft(dossier)
    if not as_shown(dossier):  # a colleague saved a step, a letter came
        db.session.rollback()
        raise DraftChanged()
    from wizard.invites import service as invites  # (which imports this module)

    # Professionals whose link still works are told, once it is done, that no letter is
    # needed any more.
    notices = invites.draft_deleted_notices(dossier)
    revoked = db.session.execute(
        update(Invitation)
        .where(Invitation.dossier_id == dossier.id, Invitation.state.in_(OPEN_STATES))
        .values(state=InvitationState.REVOKED)
    ).rowcount
    # Nor is whom the manufacturer asked kept (the link's row stays, to say it was
    # cancelled): a professional's name, address and role, and the message to them.
    db.session.execute(
        update(Invitation)
        .where(Invitation.dossier_id == dossier.id)
        .values(letter_id=None, clinician_name="", email="", role="", message=None)
    )
    for rows in (dossier.step_answers, dossier.documents, dossier.hcp_letters):
        rows.clear()  # deleted (delete-orphan); stored files go with `flask uploads prune`
    # Nor are files removed before kept to be put back.
    db.session.execute(delete(RemovedFile).where(RemovedFile.dossier_id == dossier.id))
    dossier.status = Status.DISCARDED
    audit.record(
        dossier.id,
        audit.STATUS_CHANGED,
        audit.Actor.of(user),
        from_status=Status.DRAFT,
        to_status=Status.DISCARDED,
        detail={"invitations_revoked": revoked},
    )
    db.session.commit()
    for notice in notices:
        mail.send_after_response(**notice)


def claim_draft(dossier: Dossier) -> datetime:
    """Begin a change of a draft (answers, files, submission) by marking the request changed,
    on condition that it is still a draft: first in the transaction, so that a change and a
    submission never interleave. The row (PostgreSQL) or the database (SQLite) stays locked
    until the commit: a submission that started meanwhile waits, then freezes what the change
    wrote; a change that comes after a submission matches no row and raises `NotEditable`."""
    at = clock.now()
    if not Dossier.lock_if(dossier.id, Status.DRAFT, at):
        db.session.rollback()
        status = db.session.scalar(select(Dossier.status).where(Dossier.id == dossier.id))
        raise DraftDeleted(dossier.id) if status == Status.DISCARDED else NotEditable()
    # What was read of the request before the claim may predate a change committed since.
    db.session.expire(dossier)
    return at


def allocate_reference(year: int) -> str:
    """Next `DA-YYYY-NNNNNN`: an atomic increment of the year's counter (gaps are tolerated)."""
    for _attempt in range(5):
        value = db.session.execute(
            update(ReferenceCounter)
            .where(ReferenceCounter.year == year)
            .values(last_value=ReferenceCounter.last_value + 1)
            .returning(ReferenceCounter.last_value)
        ).scalar()
        if value is not None:
            return format_reference(year, value)
        try:
            with db.session.begin_nested():
                db.session.add(ReferenceCounter(year=year, last_value=1))
            return format_reference(year, 1)
        except IntegrityError:
            continue  # another submission created the year's counter: increment it
    raise RuntimeError("could not allocate a reference number")


def is_finished(step: Step, dossier: Dossier, answers, form=None) -> bool:
    """A question step ready to submit: answered with what it needs besides (files, a letter:
    `Flow.is_complete`), and its answers still valid (one may have been saved unfinished, or
    made inconsistent by a later answer). What the summary and the submission both go by;
    `form`: the step's form already made from its answers, if any."""
    if not FLOW.is_complete(step, dossier, answers):
        return False
    if step.id in dossier.carried_over():  # copied from a filed request, not looked at yet
        return False
    if step.id in dossier.written_for_another():  # another patient's, or type of access's
        return False
    if form is None:
        form = step.form.from_answers(answers[step.id], context=answers)
    return form.validate()


def _unfinished(dossier: Dossier, but: Collection[str] = ()) -> Iterator[Step]:
    """The question steps not finished, in order (`but` those named), each checked when
    reached."""
    answers = dossier.answers()
    for step in FLOW.questions(answers):
        if step.id not in but and not is_finished(step, dossier, answers):
            yield step


def first_incomplete(dossier: Dossier, *, but: Collection[str] = ()) -> Step | None:
    """The first question step not finished (`but` those named)."""
    return next(_unfinished(dossier, but), None)


def unfinished_steps(dossier: Dossier) -> set[str]:
    """The question steps not finished, by id."""
    return {step.id for step in _unfinished(dossier)}


def next_step(dossier: Dossier) -> Step:
    """Where a draft resumes: its first step not finished, checked (one may have been saved
    unfinished, or made inconsistent by a later answer), else the summary."""
    return first_incomplete(dossier) or FLOW.first_unfinished(dossier)


def submit(
    dossier: Dossier, user: User, declaration: dict[str, Any], *, checked: str | None = None
) -> Dossier:
    """Freeze the request and give it its reference; refused unless it is a complete draft,
    and, for a signature from the portal's pages (`checked`: the `signing.checked_version`
    they carried from the check-your-answers page), unless it changed since: nobody signs
    what they have not seen (`signing.NotChecked`, `signing.ChangedSinceChecked`)."""
    at = claim_draft(dossier)
    step = first_incomplete(dossier)
    if step is not None:
        db.session.rollback()
        raise Incomplete(step)
    content = signing.filing_content(dossier)
    if checked is not None:
        try:
            signing.confirm_checked(dossier, user, content, checked)
        except (signing.NotChecked, signing.ChangedSinceChecked):
            db.session.rollback()
            raise
    # The frozen filing: its content, the declaration, when, and by whom (the organisation's
    # name as it is now: the receipt and every decision state it).
    record = {
        **content,
        "declaration": declaration,
        "submitted_at": at.isoformat(timespec="seconds"),
        "organisation": dossier.organisation.name,
    }
    reference = allocate_reference(clock.day_in_paris(at).year)  # the filer's year
    answers_sha256 = canonical_sha256(record)
    # The status condition makes a concurrent second submit match no row instead of re-freezing.
    changed = db.session.execute(
        update(Dossier)
        .where(Dossier.id == dossier.id, Dossier.status == Status.DRAFT)
        .values(
            status=Status.SUBMITTED,
            reference=reference,
            submitted_at=at,
            submitted_by_id=user.id,
            submitted_answers=record,
            answers_sha256=answers_sha256,
            updated_at=at,
        )
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise NotEditable()
    audit.record(
        dossier.id,
        audit.STATUS_CHANGED,
        audit.Actor.of(user),
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
        detail={"reference": reference, "answers_sha256": answers_sha256},
    )
    db.session.commit()
    db.session.refresh(dossier)
    return dossier
