"""What the review's pages show: the reviewer's page of a request, the manufacturer's page of
their submitted request, and the state a dashboard row needs. Views call these to render; the
decision read back before signing is `before_signing`'s, the trail's wording `history`'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from wizard import audit, clock, integrity, kept
from wizard.domain.lifecycle import LAPSING_STATUSES, Status
from wizard.extensions import db
from wizard.filing.legacy import legacy_notice
from wizard.filing.summary import submitted_sections
from wizard.forms.base import quantity, typed_rows
from wizard.i18n import gettext as _
from wizard.i18n import long_date
from wizard.models import (
    Addressee,
    AuditEvent,
    Decision,
    Dossier,
    FollowUpReport,
    InformationRequest,
)
from wizard.review import assignment, awaited, follow_up, information, notes
from wizard.review.actions import MANUFACTURER_WITHDRAWAL, Action, available
from wizard.review.before_signing import estimated_patients
from wizard.review.decisions import decisions_of
from wizard.review.filer_forms import FollowUpReportForm, ReplyForm, WithdrawRequestForm
from wizard.review.forms import action_form_class
from wizard.review.history import in_history
from wizard.review.queue_forms import AssignForm, NoteForm
from wizard.review.status import authorisation_of, effective_status, in_force_by, need_passed
from wizard.web import mark_of, new_mark, posted_number


@dataclass(frozen=True)
class ReviewState:
    """Where a request stands, as its manufacturer reads it."""

    status: Status
    question: InformationRequest | None  # a question waiting for the manufacturer
    professional_questions: list[InformationRequest]  # those waiting for professionals
    authorisation: Decision | None
    # The soonest date its authorisation asks a report by that no report has met yet.
    report_due: date | None = None

    @property
    def report_overdue(self) -> bool:
        return self.report_due is not None and self.report_due < clock.today()


def review_state(dossier: Dossier) -> ReviewState:
    status = effective_status(dossier)
    waiting = awaited.questions_awaited(dossier, status)  # none unless information requested
    authorisation = authorisation_of(dossier)
    return ReviewState(
        status=status,
        question=next((q for q in waiting if q.to_manufacturer), None),
        professional_questions=[q for q in waiting if not q.to_manufacturer],
        authorisation=authorisation,
        report_due=follow_up.first_unmet(dossier) if authorisation else None,
    )


def reply_slot(question: InformationRequest) -> str:
    """Where the files of a refused reply to `question` are remembered (see `kept`)."""
    return f"question-{question.id}"


def refuse_renamed_copies(
    form: ReplyForm | FollowUpReportForm, slot: str, ticked: list[str]
) -> bool:
    """A file of the answer (or report) that is another of its files under another name is
    probably not the document meant: said next to the documents (the files stay kept, once
    each), so that the person sends again or chooses the right one."""
    copies = kept.renamed_copies(slot, ticked, form.documents.accepted)
    for name, first in copies:
        if isinstance(form, FollowUpReportForm):
            said = _(
                "“%(name)s” is the same file as “%(first)s”: it would be sent once. Choose the "
                "document you meant, or send your report again.",
                name=name,
                first=first,
            )
        else:
            said = _(
                "“%(name)s” is the same file as “%(first)s”: it would be sent once. Choose the "
                "document you meant, or send your answer again.",
                name=name,
                first=first,
            )
        form.documents.errors.append(said)
    return bool(copies)


def action_form(action: Action, dossier: Dossier, **kwargs) -> FlaskForm:
    """An action's form with what it needs to know of the request: who may be asked a
    question, the period the manufacturer asked for. `kwargs` go to the form (`formdata`)."""
    frozen = dossier.submitted_answers
    form = action_form_class(action.name, frozen["access_type"])(prefix=action.name, **kwargs)
    if action.name == "authorise":
        form.within_requested(*requested_period(frozen))
        if dossier.needed_by and not form.asked_period_over:
            # Said as the period is chosen, not only on the read-back (`_misses_the_need`).
            form.period_start.description = " ".join(
                filter(None, [str(form.period_start.description or ""), _needed_by(dossier)])
            )
        estimated = estimated_patients(dossier)
        if "max_patients" in form and estimated:
            # Said, not filled in: a cap is ANSM's choice, never the estimate by default.
            form.max_patients.description = _(
                "How many patients may be treated with the device during the period. The "
                "manufacturer estimated %(count)s.",
                count=quantity(estimated),
            )
    if action.name == "request-information":
        information.prepare(form, dossier)
    if "procedure" in form:  # a measure: the manufacturer heard after the decision in force
        in_force = in_force_by(dossier)
        form.heard_after(in_force)
        if action.name == "withdraw" and in_force is not None:
            form.asked_by(follow_up.end_asked_since(dossier, in_force))
    return form


def _needed_by(dossier: Dossier) -> str:
    return _(
        "The patient needs the device by %(date)s.",
        date=long_date(date.fromisoformat(dossier.needed_by)),
    )


def requested_period(frozen: dict) -> tuple[date | None, date | None]:
    """The first and last days the manufacturer asked for (step 11 of the filing)."""
    period = frozen["answers"].get("period", {})
    return _date(period.get("start_date")), _date(period.get("end_date"))


def fresh_form(action: Action, dossier: Dossier) -> FlaskForm:
    """An action's form as the page first shows it, filled in where the filing says."""
    form = action_form(action, dossier, formdata=None)
    if action.name == "authorise":
        start, end = form.requested_start, form.requested_end
        # A period asked to start on a day now past is offered from today.
        form.period_start.data = max(start, clock.today()) if start else None
        form.period_end.data = end
        if "establishments" in form:  # the request's list, which ANSM may narrow
            scope = dossier.submitted_answers["answers"].get("scope", {})
            form.establishments.data = scope.get("establishments")
    if action.name == "request-information":
        offered = [value for value, _label in form.addressee.choices]
        # The manufacturer, unless they have a question waiting already; else whoever is
        # the only one left to ask.
        if Addressee.MANUFACTURER.value in offered:
            form.addressee.data = Addressee.MANUFACTURER.value
        elif len(offered) == 1:
            form.addressee.data = offered[0]
    return form


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def review_page(
    dossier: Dossier,
    *,
    posted: tuple[Action, FlaskForm] | None = None,
    refused: str | None = None,
    changed: list[AuditEvent] = (),
    note_form: NoteForm | None = None,
    assign_form: AssignForm | None = None,
    status: int = 200,
):
    """The reviewer's page; `posted` is the action whose form comes back with its errors,
    `refused` why an action was refused (what was typed is shown again), `changed` what
    happened to the request since the reviewer's page showed it (`changes_since`),
    `note_form` a note refused, `assign_form` a choice of who handles it refused, with their
    errors."""
    current = effective_status(dossier)
    frozen = dossier.submitted_answers
    trail = audit.trail(dossier.id)
    # Answers an action leaving "information requested" would stop: its form says whose.
    waiting = awaited.questions_awaited(dossier, current)
    forms = []
    for action in available(current):
        posted_here = posted is not None and posted[0] == action
        form = posted[1] if posted_here else fresh_form(action, dossier)
        if (
            not posted_here
            and action.name == "request-information"
            and not information.anyone_to_ask(form)
        ):
            continue  # everyone who could answer has a question waiting already
        forms.append((action, form))
    reports = follow_up.reports_of(dossier)
    return render_template(
        "review/request.html",
        dossier=dossier,
        status=current,
        frozen=frozen,
        record_altered=integrity.filed_record_altered(dossier),
        sections=submitted_sections(dossier),
        legacy=legacy_notice(frozen["answers"], today=clock.day_in_paris(dossier.submitted_at)),
        actions=forms,
        posted=posted,
        # Everything typed in a form the page no longer offers, to copy.
        posted_typed=typed_rows(posted[1]) if posted else [],
        refused=refused,
        questions=information.questions_of(dossier),
        reports=reports,
        report_dues=follow_up.schedule_of(dossier, reports),
        notes=notes.notes_of(dossier),
        note_form=note_form or _fresh_note_form(),
        assign_form=assign_form or _fresh_assign_form(dossier),
        nothing_awaited=information.nothing_awaited(dossier),
        need_passed=need_passed(dossier, current),
        awaited=waiting,
        awaited_named=awaited.named(waiting),
        decisions=decisions_of(dossier),
        authorisation=authorisation_of(dossier),
        trail=trail,
        source=source_of(trail),
        # What the page shows: a decision is signed only if nothing happened since.
        seen=audit.last_change(trail),
        changed=changed,
    ), status


def _fresh_assign_form(dossier: Dossier) -> AssignForm:
    form = AssignForm(assignment.reviewers(), current_user, prefix="assign", formdata=None)
    form.reviewer.data = str(dossier.assigned_to_id or "")
    return form


def _fresh_note_form() -> NoteForm:
    form = NoteForm(prefix="note", formdata=None)
    form.sent_as.data = new_mark()
    return form


def source_of(trail: list[AuditEvent]) -> dict | None:
    """The filed request this one was started from, its answers and documents copied (a
    renewal, or a request filed again after a refusal or a withdrawal), as its reviewer reads
    it beside this one: the request and its status now."""
    started = next((event for event in trail if event.action == audit.STARTED_FROM), None)
    if started is None:
        return None
    source = db.session.scalar(
        select(Dossier).where(Dossier.reference == started.detail["reference"])
    )
    if source is None:
        return None
    return {
        "dossier": source,
        "status": effective_status(source),
        "authorised": authorisation_of(source) is not None,
    }


def changes_since_seen(dossier: Dossier) -> list[AuditEvent]:
    """What happened to the request since the reviewer's page showed it (its form says up
    to which event of the trail: `seen`); everything, if the form does not say (or says
    something no event is numbered)."""
    return audit.changes_since(dossier.id, posted_number("seen") or 0)


def manufacturer_page(
    dossier: Dossier,
    *,
    reply_form: ReplyForm | None = None,
    withdraw_form: WithdrawRequestForm | None = None,
    report_form: FollowUpReportForm | None = None,
    refused: str | None = None,
    refused_typed: list[tuple[str, str]] | None = None,
    not_sent=None,
    status: int = 200,
):
    """The manufacturer's page of a submitted request: where it stands, ANSM's questions and
    their answers, the decisions, the follow-up reports, and what was filed. `not_sent`: an
    answer it did not take (`late_answers.NotSent`), said with what was typed;
    `refused_typed`: what a withdrawal no longer possible carried, to copy."""
    state = review_state(dossier)
    if state.question is not None and reply_form is None:
        reply_form = ReplyForm(prefix="reply", formdata=None)
    reports = follow_up.reports_of(dossier)
    if state.authorisation is not None and report_form is None:
        report_form = new_report_form(dossier, state.status, reports, formdata=None)
    if report_form is not None:
        if mark_of(report_form.sent_as.data) is None:  # kept from a refused send
            report_form.sent_as.data = new_mark()
        _say_the_cap(report_form, dossier, state.authorisation)
    can_withdraw = MANUFACTURER_WITHDRAWAL.permits(state.status)
    if can_withdraw and withdraw_form is None:
        withdraw_form = WithdrawRequestForm(prefix="withdraw", formdata=None)
    history = [e for e in audit.trail(dossier.id) if in_history(e)]
    # Professionals whose answers a withdrawal stops: its form names them, and says it did.
    waiting = state.professional_questions if can_withdraw else []
    return render_template(
        "filing/submitted.html",
        dossier=dossier,
        today=clock.today(),  # a question's date passed is said
        sections=submitted_sections(dossier),
        state=state,
        reply_form=reply_form,
        kept_files=kept.kept(reply_slot(state.question)) if state.question else [],
        withdraw_form=withdraw_form if can_withdraw else None,
        report_form=report_form,
        report_kept_files=kept.kept(follow_up.slot(dossier)) if report_form else [],
        reports=reports,
        report_dues=follow_up.schedule_of(dossier, reports),
        awaited=waiting,
        awaited_named=awaited.named(waiting),
        refused=refused,
        refused_typed=refused_typed or [],
        not_sent=not_sent,
        # The question waiting for an answer is shown above, with its form.
        thread=[
            q
            for q in information.questions_of(dossier)
            if q.to_manufacturer and q != state.question
        ],
        decisions=decisions_of(dossier),
        history=history,
        # The files filed, to download from the list of what was submitted (by their sha256:
        # the filing lists each once).
        filed_documents={d.sha256: d.id for d in dossier.documents},
        filed_letters={letter.sha256: letter.id for letter in dossier.hcp_letters},
    ), status


def new_report_form(
    dossier: Dossier,
    status: Status,
    reports: list[FollowUpReport] | None = None,
    **kwargs,
) -> FollowUpReportForm:
    """The follow-up report's form, which checks where the certification stands against the
    date CE marking was expected by so far, and asks the authorisation's end while it is in
    force or suspended (`status`). `reports`: the request's, if read already."""
    form = FollowUpReportForm(prefix="report", **kwargs)
    form.in_force(status in LAPSING_STATUSES)
    if follow_up.without_notified_body(dossier):
        form.without_notified_body()
    form.filed_on = clock.day_in_paris(dossier.submitted_at)
    mark = mark_of(form.sent_as.data)
    if reports is None:
        reports = follow_up.reports_of(dossier)
    form.expecting(*follow_up.expected_ce(dossier, reports, mark))
    if (certified := follow_up.certified_by(reports, mark)) is not None:
        form.certified_by(*certified)
    if (stopped := follow_up.stopped_by(reports, mark)) is not None:
        form.stopped_by(stopped[1])
    return form


def _say_the_cap(form: FollowUpReportForm, dossier: Dossier, authorisation: Decision) -> None:
    """Beside the number of patients asked, how many the authorisation allows."""
    if dossier.submitted_answers.get("access_type") == "individual":
        form.patients_treated.description = _(
            "This authorisation is for one patient: 0 until they have received the device, then 1."
        )
    elif (cap := follow_up.cap_of(dossier, authorisation)) is not None:
        form.patients_treated.description = _(
            "Every patient since the authorisation, not only since your last report. The "
            "authorisation allows at most %(count)s.",
            count=quantity(cap),
        )
