"""The review queue: submitted requests filtered by status, type of access, device class,
submission date, reference or manufacturer (case and accents ignored); oldest first by
default; counts per status.
Statuses are the ones people read (an authorisation past its period counts as expired)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, case, func, or_, select

from wizard import clock
from wizard.domain.identifiers import as_typed
from wizard.domain.lifecycle import FILED_STATUSES, UNFILED_STATUSES, Status
from wizard.extensions import db
from wizard.i18n import folded
from wizard.models import (
    Decision,
    DecisionKind,
    Dossier,
    FollowUpReport,
    InformationRequest,
    Organisation,
    ReportDue,
    User,
)
from wizard.review.status import (
    authorisations_subquery,
    effective_status_column,
    need_passed,
)

PAGE_SIZE = 50

# "Withdrawn" is two things a reviewer looks for apart: a request its manufacturer withdrew
# before a decision, and an authorisation ANSM withdrew. The queue lists and counts them
# apart, as it labels them (`status_label`).
AUTHORISATION_WITHDRAWN = "authorisation_withdrawn"
QUEUE_STATES: tuple[str, ...] = tuple(
    state
    for status in FILED_STATUSES
    for state in (
        (status.value, AUTHORISATION_WITHDRAWN) if status == Status.WITHDRAWN else (status.value,)
    )
)


@dataclass(frozen=True)
class Filters:
    q: str = ""
    status: str = ""
    access_type: str = ""
    device_class: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    order: str = "oldest"  # "newest", or "needed": the individual requests needed soonest first
    unread: bool = False  # only those with a follow-up report no reviewer has marked read
    late_reports: bool = False  # only those whose manufacturer owes a report past its date
    handled_by: str = ""  # a reviewer's id: only theirs; "nobody": those no one handles yet
    page: int = 1


@dataclass
class Row:
    dossier: Dossier
    status: str
    authorised: bool  # ever: a withdrawn one was withdrawn by ANSM, not by its manufacturer
    # The latest follow-up report on its authorisation (`review.follow_up`): when, and whether
    # it counted more patients than allowed.
    last_report_at: datetime | None = None
    last_report_above: bool = False
    # An earlier report counted more patients than allowed (a later one counts fewer: a
    # correction, or a mistake, that the reviewer is to look at either way).
    earlier_report_above: bool = False
    asks_reports: bool = False  # its authorisation has follow-up conditions, or report dates
    unread_reports: int = 0  # its follow-up reports no reviewer has marked read
    # The first date its authorisation asked a report by that passed without one.
    report_late_since: date | None = None
    handler: str | None = None  # the reviewer handling it (`review.assignment`)
    handler_gone: bool = False  # who can no longer sign in: to give to someone else
    # Its questions still awaiting their answers: the soonest date one is needed by, and when
    # the oldest was asked (an overdue answer, or a question on an authorisation, said).
    answer_due: date | None = None
    asked_since: datetime | None = None
    # A CE marking obtained, or the certification given up, as the latest report saying
    # where the certification stands says it (a later one may say a certificate lost, or
    # the certification taken up again).
    certification: str | None = None
    # Its latest report asks ANSM to end the authorisation, since it was last put in force.
    end_asked: bool = False

    @property
    def need_passed(self) -> bool:
        return need_passed(self.dossier, Status(self.status))

    @property
    def answer_overdue(self) -> bool:
        return self.answer_due is not None and self.answer_due < clock.today()

    @property
    def answers(self) -> dict:
        return self.dossier.submitted_answers["answers"]


@dataclass
class Page:
    rows: list[Row]
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    # How many requests, under the filters other than that one, have a report not read, and
    # how many a report past its date.
    unread: int = 0
    late: int = 0
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _filtered(filters: Filters, named: list[int] | None, *, with_status: bool) -> Select:
    """Submitted requests matching the filters, with their effective status, whether they
    were ever authorised, and the state the queue counts them in (`QUEUE_STATES`).
    `named`: the requests whose manufacturer or device matches the search (`_names_matching`)."""
    authorisation = authorisations_subquery()
    status = effective_status_column(authorisation, clock.today())
    authorised = authorisation.c.dossier_id.is_not(None)
    state = case(
        (and_(status == Status.WITHDRAWN.value, authorised), AUTHORISATION_WITHDRAWN),
        else_=status,
    )
    query = (
        select(
            Dossier,
            status.label("effective_status"),
            authorised.label("authorised"),
            state.label("queue_state"),
            # Whether its authorisation asks for reports: in words, or at set dates.
            or_(
                func.coalesce(func.trim(authorisation.c.follow_up), "") != "",
                authorisation.c.report_every_months.is_not(None),
            ).label("asks_reports"),
        )
        .join(Organisation, Organisation.id == Dossier.organisation_id)
        .outerjoin(authorisation, authorisation.c.dossier_id == Dossier.id)
        .where(Dossier.status.not_in(UNFILED_STATUSES))
    )
    if named is not None:
        query = query.where(
            or_(
                # References are ASCII: lower() folds them on every database.
                func.lower(Dossier.reference).contains(
                    reference_searched(filters.q), autoescape=True
                ),
                Dossier.id.in_(named),
            )
        )
    if filters.access_type:
        query = query.where(
            Dossier.submitted_answers["access_type"].as_string() == filters.access_type
        )
    if filters.device_class:
        device_class = Dossier.submitted_answers[("answers", "device", "device_class")]
        query = query.where(device_class.as_string() == filters.device_class)
    if filters.submitted_from:
        day_before = filters.submitted_from - timedelta(days=1)
        query = query.where(Dossier.submitted_at >= clock.end_of_day_in_paris(day_before))
    if filters.submitted_to:
        query = query.where(Dossier.submitted_at < clock.end_of_day_in_paris(filters.submitted_to))
    if with_status and filters.status:
        query = query.where(state == filters.status)
    if filters.unread:
        query = query.where(_unread_reports().exists())
    if filters.late_reports:
        query = query.where(_late_dues().exists())
    if filters.handled_by == "nobody":
        query = query.where(Dossier.assigned_to_id.is_(None))
    elif filters.handled_by.isdecimal():
        query = query.where(Dossier.assigned_to_id == int(filters.handled_by))
    return query


def _unread_reports() -> Select:
    """A listed request's follow-up reports that no reviewer has marked read."""
    return (
        select(FollowUpReport.id)
        .where(FollowUpReport.dossier_id == Dossier.id, FollowUpReport.read_at.is_(None))
        .correlate(Dossier)
    )


def _late_dues() -> Select:
    """The dates a listed request's authorisation asked a report by that passed without one
    (`review.follow_up`): the day itself is still in time."""
    return (
        select(ReportDue.id)
        .where(
            ReportDue.dossier_id == Dossier.id,
            ReportDue.report_id.is_(None),
            ReportDue.due_on < clock.today(),
        )
        .correlate(Dossier)
    )


# What a search looks in, besides the reference and the filing organisation: the device as
# its label names it, and where its patients are treated (a request for the same device, or
# the same establishment, is found whatever its manufacturer wrote).
_SEARCHED = (
    ("manufacturer", "legal_name"),
    ("device", "trade_name"),
    ("device", "model"),
    ("device", "udi_di"),
    ("patient", "establishment_name"),
    ("scope", "establishments"),
)


def requests_naming(needle: str) -> list[int]:
    """The submitted requests whose manufacturer (as the request names it), filing
    organisation, device (trade name, model, UDI-DI) or establishment (the patient's, or
    those a global request names) contains `needle`, ignoring case and accents.

    This is done in Python, over a bounded set: a few short answers per submitted request.
    SQL cannot do it the same way on both databases: SQLite's lower() folds ASCII letters
    only and it has no unaccent, and PostgreSQL's `unaccent` is an extension that may not be
    installed. Stripping the accents from the needle alone would not do either:
    "biomedix" must find the stored "Biomédix", so it is the stored name that needs folding,
    and a folded copy of it would be one more column to keep in step."""
    key = folded(needle)
    answers = Dossier.submitted_answers
    searched = [answers[("answers", *path)].as_string() for path in _SEARCHED]
    rows = db.session.execute(
        select(Dossier.id, Organisation.name, *searched)
        .join(Organisation, Organisation.id == Dossier.organisation_id)
        .where(Dossier.status.not_in(UNFILED_STATUSES))
    )
    return [id_ for id_, *names in rows if any(key in folded(name or "") for name in names)]


def reference_searched(needle: str) -> str:
    """A reference as typed or pasted (from a word processor, an email: other dashes), as
    the references are stored: hyphens, lower case."""
    return as_typed(needle).strip().lower()


def _names_matching(filters: Filters) -> list[int] | None:
    """For a search, the requests whose manufacturer or device matches it (read once per
    page, for the list and for the counts); None without one."""
    needle = filters.q.strip()
    return requests_naming(needle) if needle else None


def _last_report() -> tuple:
    """The columns of a listed request's latest follow-up report: when, whether it counted
    more patients than allowed, and whether it asks the authorisation's end; the latest
    word of the latest report saying where the certification stands; whether any of
    its reports counted more; how many no reviewer has marked read; the first report date
    passed without one."""
    latest = (
        select(FollowUpReport)
        .where(FollowUpReport.dossier_id == Dossier.id)
        .order_by(FollowUpReport.id.desc())
        .limit(1)
        .correlate(Dossier)
    )
    above = FollowUpReport.patients_treated > FollowUpReport.max_patients
    any_above = (
        select(FollowUpReport.id)
        .where(FollowUpReport.dossier_id == Dossier.id, above)
        .correlate(Dossier)
        .exists()
    )
    return (
        latest.with_only_columns(FollowUpReport.sent_at).scalar_subquery(),
        latest.with_only_columns(above).scalar_subquery(),
        latest.where(FollowUpReport.certification.is_not(None))
        .with_only_columns(FollowUpReport.certification)
        .scalar_subquery(),
        # Its request to end the authorisation stands: the latest report asks it, and came
        # after the decision that last put the authorisation in force (`end_asked_since`).
        latest.with_only_columns(
            and_(FollowUpReport.end_asked, FollowUpReport.sent_at > _in_force_since())
        ).scalar_subquery(),
        any_above,
        _unread_reports().with_only_columns(func.count()).scalar_subquery(),
        _late_dues().with_only_columns(func.min(ReportDue.due_on)).scalar_subquery(),
    )


def _in_force_since():
    """When a listed request's authorisation was last put in force: signed, or reinstated."""
    return (
        select(func.max(Decision.decided_at))
        .where(
            Decision.dossier_id == Dossier.id,
            Decision.kind.in_((DecisionKind.AUTHORISATION, DecisionKind.REINSTATEMENT)),
        )
        .correlate(Dossier)
        .scalar_subquery()
    )


def _handler_name():
    """The column of a listed request's reviewer handling it: their name, said to be gone
    when they can no longer sign in."""
    handler = select(User).where(User.id == Dossier.assigned_to_id).correlate(Dossier)
    return (
        handler.with_only_columns(User.name).scalar_subquery(),
        handler.with_only_columns(User.removed_at.is_not(None)).scalar_subquery(),
    )


def _awaited_questions() -> tuple:
    """The columns of a listed request's questions still awaiting their answers: the soonest
    date one is needed by, and when the oldest was asked."""
    awaited = select(InformationRequest).where(InformationRequest.awaited_in(Dossier.id))
    return (
        awaited.with_only_columns(func.min(InformationRequest.due_date))
        .correlate(Dossier)
        .scalar_subquery(),
        awaited.with_only_columns(func.min(InformationRequest.asked_at))
        .correlate(Dossier)
        .scalar_subquery(),
    )


def search(filters: Filters) -> Page:
    named = _names_matching(filters)
    query = _filtered(filters, named, with_status=True)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    # A page past the last (an old link, a hand-typed number) shows the last one.
    page = min(max(filters.page, 1), Page(rows=[], total=total).pages)
    rows = db.session.execute(
        query.add_columns(*_last_report(), *_awaited_questions(), *_handler_name())
        .order_by(*_order(filters.order), Dossier.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return Page(
        rows=[
            Row(
                dossier,
                status,
                bool(authorised),
                last,
                bool(above),
                bool(any_above) and not above,
                bool(asks_reports),
                unread,
                late_since,
                handler,
                bool(gone),
                due,
                asked,
                certification if certification in ("certified", "stopped") else None,
                bool(end_asked),
            )
            for (
                dossier,
                status,
                authorised,
                _state,
                asks_reports,
                last,
                above,
                certification,
                end_asked,
                any_above,
                unread,
                late_since,
                due,
                asked,
                handler,
                gone,
            ) in rows
        ],
        total=total,
        counts=counts(filters, named),
        unread=with_unread_reports(filters, named),
        late=with_late_reports(filters, named),
        page=page,
    )


AWAITING_ANSM = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED)
# The date an individual request's device is needed by (ISO text, which sorts as dates do).
NEEDED_BY = Dossier.submitted_answers[("answers", "patient", "needed_by")].as_string()


def _order(order: str) -> tuple:
    if order == "newest":
        return (Dossier.submitted_at.desc(),)
    if order == "needed":
        # The most urgent of those still waiting for ANSM first, then the others waiting (for
        # global access: no date); the requests ANSM has decided on after them all.
        waiting = Dossier.status.in_(AWAITING_ANSM)
        return (
            case(
                (and_(waiting, NEEDED_BY.is_not(None)), 0),
                (waiting, 1),
                (NEEDED_BY.is_not(None), 2),
                else_=3,
            ),
            NEEDED_BY,
            Dossier.submitted_at,
        )
    return (Dossier.submitted_at,)


def counts(filters: Filters, named: list[int] | None) -> dict[str, int]:
    """How many requests in each state (`QUEUE_STATES`), under the other filters."""
    states = _filtered(filters, named, with_status=False).subquery()
    grouped = db.session.execute(
        select(states.c.queue_state, func.count()).group_by(states.c.queue_state)
    )
    found = dict(grouped.all())
    return {state: found.get(state, 0) for state in QUEUE_STATES}


def with_unread_reports(filters: Filters, named: list[int] | None) -> int:
    """How many requests have a follow-up report no reviewer has marked read, under the
    other filters (the status one included)."""
    query = _filtered(replace(filters, unread=True), named, with_status=True)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def with_late_reports(filters: Filters, named: list[int] | None) -> int:
    """How many requests owe a follow-up report past its date, under the other filters."""
    query = _filtered(replace(filters, late_reports=True), named, with_status=True)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))
