"""The review queue: submitted requests filtered by status, type of access, device class,
submission date, reference or manufacturer; oldest first by default; counts per status.
Statuses are the ones people read (an authorisation past its period counts as expired)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, func, or_, select

from wizard import clock
from wizard.domain.lifecycle import Status
from wizard.extensions import db
from wizard.models import Dossier, Organisation
from wizard.review.status import authorisations_subquery, effective_status_column

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    q: str = ""
    status: str = ""
    access_type: str = ""
    device_class: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    newest_first: bool = False
    page: int = 1


@dataclass
class Row:
    dossier: Dossier
    status: str

    @property
    def answers(self) -> dict:
        return self.dossier.submitted_answers["answers"]


@dataclass
class Page:
    rows: list[Row]
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _filtered(filters: Filters, *, with_status: bool) -> tuple[Select, object]:
    """Submitted requests matching the filters, and the column of their effective status."""
    authorisation = authorisations_subquery()
    status = effective_status_column(authorisation, clock.today())
    query = (
        select(Dossier, status.label("effective_status"))
        .join(Organisation, Organisation.id == Dossier.organisation_id)
        .outerjoin(authorisation, authorisation.c.dossier_id == Dossier.id)
        .where(Dossier.status != Status.DRAFT)
    )
    if filters.q:
        needle = filters.q.strip().lower()
        query = query.where(
            or_(
                func.lower(Dossier.reference).contains(needle, autoescape=True),
                func.lower(Organisation.name).contains(needle, autoescape=True),
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
        query = query.where(status == filters.status)
    return query, status


def search(filters: Filters) -> Page:
    query, _status = _filtered(filters, with_status=True)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    # A page past the last (an old link, a hand-typed number) shows the last one.
    page = min(max(filters.page, 1), Page(rows=[], total=total).pages)
    order = Dossier.submitted_at.desc() if filters.newest_first else Dossier.submitted_at
    rows = db.session.execute(
        query.order_by(order, Dossier.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return Page(
        rows=[Row(dossier, status) for dossier, status in rows],
        total=total,
        counts=counts(filters),
        page=page,
    )


def counts(filters: Filters) -> dict[str, int]:
    """How many requests in each status, under the other filters."""
    query, _status = _filtered(filters, with_status=False)
    statuses = query.subquery()
    grouped = db.session.execute(
        select(statuses.c.effective_status, func.count()).group_by(statuses.c.effective_status)
    )
    found = dict(grouped.all())
    return {s.value: found.get(s.value, 0) for s in Status if s != Status.DRAFT}
