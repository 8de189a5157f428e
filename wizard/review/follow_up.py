"""Follow-up reports: what a manufacturer sends ANSM on its authorisation unasked, as the
authorisation's conditions ask (how many patients have received the device, how they are
followed, incidents), with PDF documents. Sent while it is in force, and after it too
(suspended, withdrawn or expired): the patients already treated go on being followed.

A report is added to the request (and its audit trail), never rewritten: a wrong one is put
right by the next. Questions ANSM asks are answered as before (`information`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from wizard import audit, clock
from wizard.domain.lifecycle import LAPSING_STATUSES
from wizard.domain.report_schedule import met_by
from wizard.extensions import db
from wizard.models import (
    Decision,
    DecisionKind,
    Dossier,
    FollowUpDocument,
    FollowUpReport,
    ReportDue,
    User,
)
from wizard.review.status import authorisation_of, effective_status, in_force_by
from wizard.uploads import StoredFile


class AlreadySent(Exception):
    """The same report was recorded meanwhile (the same form sent twice at once)."""


def sent_as(
    mark: str | None,
    patients_treated: int,
    message: str,
    answers: dict,
    files: list[str],
) -> str | None:
    """What a report is recorded as sent as (`FollowUpReport.sent_as`): the form's mark and
    what the form carries (`answers`: `FollowUpReportForm.answers`;
    `files`: the sha256 of the kept files it ticks and of the files it sends). The same form
    sent twice (a double click, a send retried) is one report, whatever the session holds by
    then; another report sent from the same page (a correction, a page brought back) is
    another."""
    if mark is None:
        return None
    stands = {key: str(value) for key, value in answers.items() if value is not None}
    carried = [patients_treated, message.replace("\r\n", "\n"), stands, sorted(set(files))]
    digest = hashlib.sha256(json.dumps(carried).encode()).hexdigest()[:16]
    return f"{mark}.{digest}"


def sent_with(dossier: Dossier, sent: str | None) -> FollowUpReport | None:
    """The report recorded as `sent` already, if any."""
    if sent is None:
        return None
    return db.session.scalar(
        select(FollowUpReport).where(
            FollowUpReport.dossier_id == dossier.id, FollowUpReport.sent_as == sent
        )
    )


def cap_of(dossier: Dossier, authorisation: Decision | None) -> int | None:
    """How many patients the request's `authorisation` allows: its maximum, or the one patient
    of an individual authorisation; None for a global one without a maximum."""
    if authorisation is None:
        return None
    if authorisation.max_patients is not None:
        return authorisation.max_patients
    return 1 if dossier.submitted_answers.get("access_type") == "individual" else None


def starts_later(authorisation: Decision) -> bool:
    """Whether the authorisation's period has not started: no patient can have received the
    device under it yet."""
    return clock.today() < authorisation.period_start


def slot(dossier: Dossier) -> str:
    """Where the files of a refused report are remembered (see `kept`)."""
    return f"follow-up-{dossier.id}"


def reports_of(dossier: Dossier) -> list[FollowUpReport]:
    """The request's reports, the latest first, each with its documents (two queries)."""
    return list(
        db.session.scalars(
            select(FollowUpReport)
            .where(FollowUpReport.dossier_id == dossier.id)
            .options(selectinload(FollowUpReport.documents))
            .order_by(FollowUpReport.id.desc())
        )
    )


def send(
    dossier: Dossier,
    author: User,
    patients_treated: int,
    message: str,
    answers: dict,
    files: list[StoredFile],
    sent: str | None = None,
) -> FollowUpReport:
    """Record the report and its documents, each an audit event. The authorised maximum is
    kept with it, so that the report says whether it was above it as it was sent.
    `answers`: where the CE certification stands, whether the authorisation's end is asked
    (`FollowUpReport`'s columns of them).
    Recorded `sent` as (`sent_as`) by another send meanwhile (two at once): `AlreadySent`."""
    at = clock.now()
    report = FollowUpReport(
        dossier_id=dossier.id,
        author_id=author.id,
        author_name=author.name,
        patients_treated=patients_treated,
        max_patients=cap_of(dossier, authorisation_of(dossier)),
        message=message.replace("\r\n", "\n"),
        **answers,
        sent_at=at,
        sent_as=sent,
        documents=[
            FollowUpDocument.of_stored(item, dossier_id=dossier.id, at=at) for item in files
        ],
    )
    db.session.add(report)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if sent_with(dossier, sent) is None:
            raise
        raise AlreadySent() from None  # the same form, sent twice at once
    met = _meet_dues(dossier, report)
    actor = audit.Actor.of(author)
    uploads = audit.uploads_of(report.documents, report_id=report.id)
    sent = {**report.audit_detail(), **({"meets": [day.isoformat() for day in met]} if met else {})}
    for action, detail in ((audit.FOLLOW_UP_SENT, sent), *uploads):
        audit.record(dossier.id, action, actor, detail=detail)
    db.session.commit()
    return report


def _sent_from(report: FollowUpReport, mark: str | None) -> bool:
    """Whether `report` was sent from the form of one-time `mark` (None: no form left out)."""
    return mark is not None and (report.sent_as or "").startswith(f"{mark}.")


def expected_ce(
    dossier: Dossier, reports: list[FollowUpReport], mark: str | None = None
) -> tuple[date | None, int | None]:
    """The date CE marking is expected by so far, and the number of the report that gave it
    (None: the request's, on its path to certification). `reports`: the latest first; those
    sent from the form of one-time `mark` are left out (the same form sent again is checked
    as it was the first time, then found sent: `sent_with`)."""
    for index, report in enumerate(reports):
        if _sent_from(report, mark):
            continue
        if report.ce_expected_on is not None:
            return report.ce_expected_on, len(reports) - index
    filed = dossier.submitted_answers["answers"].get("certification", {}).get("expected_ce_date")
    return (date.fromisoformat(filed) if filed else None), None


def certified_by(
    reports: list[FollowUpReport], mark: str | None = None
) -> tuple[FollowUpReport, int] | None:
    """The report that said the device has its CE marking, and its number, if the latest
    report saying where its certification stands says so (a later one may say it lost it:
    its certificate suspended or withdrawn). `reports`, `mark`: as `expected_ce`'s."""
    return _last_said(reports, mark, "certified")


def stopped_by(
    reports: list[FollowUpReport], mark: str | None = None
) -> tuple[FollowUpReport, int] | None:
    """The report that said CE certification is no longer pursued, and its number, if that
    is the last word on it (a later report saying it is under way takes it up again)."""
    return _last_said(reports, mark, "stopped")


def _last_said(
    reports: list[FollowUpReport], mark: str | None, certification: str
) -> tuple[FollowUpReport, int] | None:
    for index, report in enumerate(reports):
        if _sent_from(report, mark):
            continue
        if report.certification is not None:
            if report.certification != certification:
                return None
            return report, len(reports) - index
    return None


def end_asked_since(dossier: Dossier, decision: Decision) -> FollowUpReport | None:
    """The report asking ANSM to end the authorisation, if the manufacturer's latest report
    since `decision` (the one that last put it in force) asks it: a withdrawal may be decided
    on that request. A later report that does not ask it any more takes it back."""
    latest = db.session.scalar(
        select(FollowUpReport)
        .where(
            FollowUpReport.dossier_id == dossier.id,
            FollowUpReport.sent_at > decision.decided_at,
        )
        .order_by(FollowUpReport.id.desc())
        .limit(1)
    )
    return latest if latest is not None and latest.end_asked else None


def end_request_ended_by(reinstatement: Decision) -> FollowUpReport | None:
    """The report whose request to end the authorisation stood until `reinstatement` put it
    in force again (the manufacturer heard on it): that request no longer stands, which the
    manufacturer is told (a report may ask it again)."""
    before = db.session.scalar(
        select(Decision)
        .where(
            Decision.dossier_id == reinstatement.dossier_id,
            Decision.kind.in_((DecisionKind.AUTHORISATION, DecisionKind.REINSTATEMENT)),
            Decision.number < reinstatement.number,
        )
        .order_by(Decision.number.desc())
        .limit(1)
    )
    if before is None:
        return None
    latest = db.session.scalar(
        select(FollowUpReport)
        .where(
            FollowUpReport.dossier_id == reinstatement.dossier_id,
            FollowUpReport.sent_at > before.decided_at,
            FollowUpReport.sent_at <= reinstatement.decided_at,
        )
        .order_by(FollowUpReport.id.desc())
        .limit(1)
    )
    return latest if latest is not None and latest.end_asked else None


def reinstatement_ending(report: FollowUpReport) -> Decision | None:
    """The reinstatement after which `report`'s request to end the authorisation no longer
    stood (`end_request_ended_by`), if one did."""
    if not report.end_asked:
        return None
    reinstatement = db.session.scalar(
        select(Decision)
        .where(
            Decision.dossier_id == report.dossier_id,
            Decision.kind == DecisionKind.REINSTATEMENT,
            Decision.decided_at >= report.sent_at,
        )
        .order_by(Decision.number)
        .limit(1)
    )
    if reinstatement is None or end_request_ended_by(reinstatement) != report:
        return None
    return reinstatement


def end_request_open(dossier: Dossier) -> int | None:
    """The id of the report whose request to end the authorisation still stands (the
    authorisation in force or suspended, its latest report since it was put in force asks
    it), if any: pages speak of that request in the present, of others as past."""
    if effective_status(dossier) not in LAPSING_STATUSES:
        return None
    in_force = in_force_by(dossier)
    report = end_asked_since(dossier, in_force) if in_force is not None else None
    return report.id if report is not None else None


def number_of(report: FollowUpReport) -> int:
    """The report's number on its request, from 1 for the first sent (as its page shows it)."""
    return db.session.scalar(
        select(func.count()).where(
            FollowUpReport.dossier_id == report.dossier_id, FollowUpReport.id <= report.id
        )
    )


def mark_read(report: FollowUpReport, reviewer: User, number: int) -> bool:
    """Mark `report` (its `number_of`) read by `reviewer`, for every reviewer, in the audit
    trail too. False, and nothing changed, if it was read already (by a colleague, or by a
    second click): the first mark stays, whoever's it is."""
    at = clock.now()
    marked = db.session.execute(
        update(FollowUpReport)
        .where(FollowUpReport.id == report.id, FollowUpReport.read_at.is_(None))
        .values(read_at=at, read_by_id=reviewer.id, read_by_name=reviewer.name)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not marked:
        db.session.rollback()
        db.session.refresh(report)
        return False
    detail = {
        "report_id": report.id,
        "number": number,
        "sent_at": report.sent_at.isoformat(),
    }
    audit.record(report.dossier_id, audit.FOLLOW_UP_READ, audit.Actor.of(reviewer), detail=detail)
    db.session.commit()
    db.session.refresh(report)
    return True


def dues_for(authorisation: Decision) -> list[ReportDue]:
    """The dates `authorisation` asks its reports by, as its record states them
    (`decisions.decision_record`), to be recorded with it."""
    return [
        ReportDue(
            dossier_id=authorisation.dossier_id,
            decision=authorisation,
            due_on=date.fromisoformat(day),
        )
        for day in authorisation.record["authorisation"]["reports_due"]
    ]


def dues_of(dossier: Dossier) -> list[ReportDue]:
    """The dates the request's authorisation asks its reports by, the soonest first."""
    return list(
        db.session.scalars(
            select(ReportDue).where(ReportDue.dossier_id == dossier.id).order_by(ReportDue.due_on)
        )
    )


def first_unmet(dossier: Dossier) -> date | None:
    """The soonest date the request's authorisation asks a report by that none has met."""
    return db.session.scalar(
        select(func.min(ReportDue.due_on)).where(
            ReportDue.dossier_id == dossier.id, ReportDue.report_id.is_(None)
        )
    )


def overdue_count(dossier: Dossier) -> int:
    """How many dates before today the request's authorisation asked a report by that none
    has met (its manufacturer's list of requests says how many, not only the first)."""
    return db.session.scalar(
        select(func.count()).where(
            ReportDue.dossier_id == dossier.id,
            ReportDue.report_id.is_(None),
            ReportDue.due_on < clock.today(),
        )
    )


def drop_dues_after(dossier: Dossier, day: date) -> None:
    """An authorisation withdrawn on `day` asks no report after it: its dates after that day
    go, a date a report sent early met included (the report stays, among the reports; listed
    as met, the date would read as still asked)."""
    db.session.execute(
        delete(ReportDue).where(ReportDue.dossier_id == dossier.id, ReportDue.due_on > day)
    )


def restore_dues_from(dossier: Dossier, authorisation: Decision, day: date) -> None:
    """An authorisation reinstated on `day` asks again the reports its act set from that
    day on (its last day's among them) which a suspension before its period dropped
    (`drop_dues_after`). Read without writing what is pending (`decisions.decide`). One
    that sets no dates (none, or signed before dates could be set) has none to ask."""
    if authorisation is None or authorisation.report_every_months is None:
        return
    kept = set(
        db.session.scalars(select(ReportDue.due_on).where(ReportDue.dossier_id == dossier.id))
    )
    db.session.add_all(
        due for due in dues_for(authorisation) if due.due_on >= day and due.due_on not in kept
    )


def _meet_dues(dossier: Dossier, report: FollowUpReport) -> list[date]:
    """Record the dates `report` meets (`report_schedule.met_by`), and return them. Two
    reports sent at once cannot both meet one date: the first recorded does."""
    dues = dues_of(dossier)
    if not dues:
        return []
    met = met_by(
        [(due.due_on, due.report and clock.day_in_paris(due.report.sent_at)) for due in dues],
        clock.day_in_paris(report.sent_at),
        dues[0].decision.period_start,
    )
    if not met:
        return []
    return sorted(
        db.session.scalars(
            update(ReportDue)
            .where(
                ReportDue.id.in_([dues[index].id for index in met]), ReportDue.report_id.is_(None)
            )
            .values(report_id=report.id)
            .returning(ReportDue.due_on)
            .execution_options(synchronize_session=False)
        )
    )


@dataclass(frozen=True)
class DueState:
    """A date a report is due by, as both sides read it."""

    due_on: date
    report_number: int | None  # the report that met it (numbered as the page numbers them)
    sent_on: date | None
    late: bool  # met by a report sent after the date, or not met and the date has passed
    next: bool  # the soonest not met yet, not past


def schedule_of(dossier: Dossier, reports: list[FollowUpReport]) -> list[DueState]:
    """The request's report dates and where each stands; `reports` as `reports_of` lists them."""
    numbers = {report.id: len(reports) - index for index, report in enumerate(reports)}
    sent = {report.id: clock.day_in_paris(report.sent_at) for report in reports}
    today = clock.today()
    states, upcoming = [], True
    for due in dues_of(dossier):
        sent_on = sent.get(due.report_id)
        is_next = upcoming and sent_on is None and due.due_on >= today
        upcoming = upcoming and not is_next
        states.append(
            DueState(
                due_on=due.due_on,
                report_number=numbers.get(due.report_id),
                sent_on=sent_on,
                late=(sent_on or today) > due.due_on,
                next=is_next,
            )
        )
    return states


def without_notified_body(dossier: Dossier) -> bool:
    """Whether the request was filed for a class I device needing no notified body (its
    path to certification): its CE marking is the manufacturer's EU declaration of
    conformity, with no body's certificate."""
    answers = dossier.submitted_answers["answers"]
    return answers.get("certification", {}).get("nb_application") == "not_needed"
