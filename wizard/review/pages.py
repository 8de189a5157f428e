"""What the review's pages show: the reviewer's page of a request, the manufacturer's page of
their submitted request, and the state a dashboard row needs. Views call these to render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select

from wizard import audit, clock, integrity, kept
from wizard.domain.lifecycle import LAPSING_STATUSES, Status
from wizard.extensions import db
from wizard.filing.pages import legacy_notice, submitted_sections
from wizard.forms.base import quantity, read_back, summary_rows, typed_rows
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import listed, long_date, ngettext
from wizard.models import (
    Addressee,
    AuditEvent,
    Decision,
    DecisionKind,
    Dossier,
    FollowUpReport,
    InformationRequest,
)
from wizard.review import assignment, awaited, decisions, follow_up, information, notes
from wizard.review.actions import MANUFACTURER_WITHDRAWAL, Action, available
from wizard.review.decision_document import ACT_TEMPLATE, decision_context
from wizard.review.decisions import decisions_of
from wizard.review.forms import (
    AssignForm,
    FollowUpReportForm,
    NoteForm,
    ReplyForm,
    WithdrawRequestForm,
    action_form_class,
)
from wizard.review.status import authorisation_of, effective_status, in_force_by, need_passed
from wizard.web import REPORT_INTERVAL_LABELS, STATUS_LABELS, posted_number, status_label


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
        estimated = _estimated_patients(dossier)
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
    form.sent_as.data = follow_up.new_mark()
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


def decision_check(dossier: Dossier, action: Action, form: FlaskForm):
    """The decision as it will be signed, to read before signing it, or to change."""
    # An answer that does not apply (a date of invitation, for an urgent measure) is not part
    # of the decision signed: read back as the check-your-answers page reads a step.
    rows = summary_rows(form)
    # The act itself, as the PDF will word it (its own template's names, apart).
    record = decisions.drafted(dossier, action, current_user, form).record
    if said := _report_dates_said(record):
        schedule = read_back(form.report_every.label.text)
        rows = [(question, said if question == schedule else answer) for question, answer in rows]
    if "indication" in form:  # written in French, as the act states it: read so on any page
        indication = read_back(form.indication.label.text)
        rows = [
            (question, Markup('<span lang="fr">%s</span>') % answer)
            if question == indication
            else (question, answer)
            for question, answer in rows
        ]
    # Who signs, as the PDF will state it (name and function, CRPA L. 212-1).
    rows.append(
        (
            _("Signed by"),
            _(
                "%(name)s, %(title)s, for the Director General, by delegation",
                name=current_user.name,
                title=current_user.job_title,
            ),
        )
    )
    act = Markup(render_template(ACT_TEMPLATE, **decision_context(record)))
    return render_template(
        "review/check_decision.html",
        dossier=dossier,
        action=action,
        heading=action.heading(effective_status(dossier)),
        form=form,
        rows=rows,
        act=act,
        warnings=[
            w
            for w in (
                _handled_by_another(dossier),
                _end_asked_left(dossier, action.name),
                _cap_warning(dossier, form),
                _sooner_than_asked(form),
                _misses_the_need(dossier, form),
                _beyond_expected_ce_marking(dossier, form),
                _no_follow_up(form),
            )
            if w
        ],
        # What the reviewer's page showed, nothing having happened since: signed on that.
        seen=request.form.get("seen", ""),
        awaited_named=request.form.get(awaited.FIELD, ""),
    )


def _report_dates_said(record: dict) -> str | None:
    """The reports at set dates an authorisation asks, read back from the act's record (the
    dates it states): the interval chosen, and the dates it gives over the period (one only,
    on its last day, when the period is too short for the interval: "Every 6 months" alone
    would say otherwise)."""
    authorisation = record["authorisation"] if record["kind"] == "authorisation" else None
    if not authorisation or authorisation["report_every_months"] is None:
        return None
    due = [date.fromisoformat(day) for day in authorisation["reports_due"]]
    every = str(REPORT_INTERVAL_LABELS[authorisation["report_every_months"]])
    if len(due) == 1:
        return _(
            "%(every)s chosen: over this period, one report only, by %(date)s, its last day.",
            every=every,
            date=long_date(due[0]),
        )
    return _(
        "%(every)s: by %(dates)s (the last on the period's last day).",
        every=every,
        dates=", ".join(long_date(day) for day in due),
    )


# A cap on patients more than this many times the manufacturer's estimate is likely a slip
# (a zero too many): said before it is signed, as the reviewer may mean it all the same.
CAP_FAR_ABOVE_ESTIMATE = 2


def _estimated_patients(dossier: Dossier) -> int | None:
    """How many patients a global request's manufacturer expects (step 5, scope), as filed."""
    return dossier.submitted_answers["answers"].get("scope", {}).get("estimated_patients")


def _cap_warning(dossier: Dossier, form: FlaskForm) -> str | None:
    cap = form.max_patients.data if "max_patients" in form else None
    estimated = _estimated_patients(dossier)
    if not cap or not estimated or cap <= CAP_FAR_ABOVE_ESTIMATE * estimated:
        return None
    return _(
        "The maximum number of patients, %(cap)s, is more than %(times)d times the "
        "manufacturer's estimate of %(estimated)s. Check it before you sign.",
        cap=quantity(cap),
        times=CAP_FAR_ABOVE_ESTIMATE,
        estimated=quantity(estimated),
    )


def _handled_by_another(dossier: Dossier) -> str | None:
    """A colleague handles the request: said before signing in their stead (they are told
    by email once it is signed)."""
    handler = dossier.assigned_to
    if handler is None or handler.id == current_user.id or not handler.is_active:
        return None  # (one who can no longer sign in is pointed out on the request's page)
    return _(
        "%(name)s handles this request: once you sign, they are told by email that you decided.",
        name=handler.name,
    )


def _end_asked_left(dossier: Dossier, action: str) -> str | None:
    """Reinstating an authorisation whose manufacturer's last report asks ANSM to end it:
    that request then no longer stands (`follow_up.end_request_ended_by`), said before
    signing, as ending it as asked is a withdrawal."""
    if action != "reinstate" or (report_id := follow_up.end_request_open(dossier)) is None:
        return None
    report = db.session.get(FollowUpReport, report_id)
    return _(
        "The manufacturer's report of %(date)s asks ANSM to end this authorisation. "
        "Reinstated, it stands again and that request no longer does: the manufacturer is "
        "told, and may ask again. To end it as they ask, withdraw it instead.",
        date=long_date(clock.day_in_paris(report.sent_at)),
    )


def _sooner_than_asked(form: FlaskForm) -> str | None:
    """An authorisation starting before the first day the manufacturer asked for: allowed
    (a patient's procedure brought forward), but the period is then longer than asked, which
    may be a slip."""
    start = form.period_start.data if "period_start" in form else None
    asked = getattr(form, "requested_start", None)
    if not start or not asked or start >= asked:
        return None
    return _(
        "The authorisation would start on %(start)s, before %(asked)s, the first day the "
        "manufacturer asked for: the period would be longer than asked. Check it before you "
        "sign.",
        start=long_date(start),
        asked=long_date(asked),
    )


def _misses_the_need(dossier: Dossier, form: FlaskForm) -> str | None:
    """An individual authorisation whose period leaves out the day its patient needs the
    device by (the request's own period had to include it): starting after it, or ending
    before it, of no use to them, unless the reviewer means it (the need may have moved)."""
    needed_by = dossier.needed_by
    if not needed_by or "period_start" not in form:
        return None
    start, end, needed = form.period_start.data, form.period_end.data, date.fromisoformat(needed_by)
    if start and start > needed:
        return _(
            "The authorisation would start on %(start)s, after the date the patient needs the "
            "device by, %(needed_by)s. Check it before you sign.",
            start=long_date(start),
            needed_by=long_date(needed),
        )
    if end and end < needed:
        return _(
            "The authorisation would end on %(end)s, before the date the patient needs the "
            "device by, %(needed_by)s. Check it before you sign.",
            end=long_date(end),
            needed_by=long_date(needed),
        )
    return None


def _no_follow_up(form: FlaskForm) -> str | None:
    """An authorisation asking no follow-up at all (no conditions, no report dates): the
    manufacturer then reports only of its own accord, which may be meant, or a slip."""
    if "follow_up" not in form or (form.follow_up.data or "").strip():
        return None
    if form.report_every_months is not None:
        return None
    return _(
        "This authorisation sets no follow-up conditions and asks no report at set dates: the "
        "manufacturer will report only of its own accord. Check it before you sign."
    )


def _beyond_expected_ce_marking(dossier: Dossier, form: FlaskForm) -> str | None:
    """An authorisation running past the date its manufacturer expects CE marking (path to
    certification): once marked, the device needs no derogation, so the end may be a slip
    (the manufacturer's own period step says the same to them)."""
    expected = dossier.submitted_answers["answers"].get("certification", {}).get("expected_ce_date")
    end = form.period_end.data if "period_end" in form else None
    if not expected or not isinstance(end, date) or end <= date.fromisoformat(expected):
        return None
    return _(
        "The authorisation would end on %(end)s, after %(expected)s, the date the manufacturer "
        "expects CE marking (path to certification). Once CE marked, the device needs no "
        "derogation. Check the end before you sign.",
        end=long_date(end),
        expected=long_date(date.fromisoformat(expected)),
    )


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
        if follow_up.mark_of(report_form.sent_as.data) is None:  # kept from a refused send
            report_form.sent_as.data = follow_up.new_mark()
        _say_the_cap(report_form, dossier, state.authorisation)
    can_withdraw = MANUFACTURER_WITHDRAWAL.permits(state.status)
    if can_withdraw and withdraw_form is None:
        withdraw_form = WithdrawRequestForm(prefix="withdraw", formdata=None)
    history = [e for e in audit.trail(dossier.id) if _in_history(e)]
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
    mark = follow_up.mark_of(form.sent_as.data)
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


DECISION_TITLES = {
    DecisionKind.AUTHORISATION: _l("Authorisation"),
    DecisionKind.REFUSAL: _l("Refusal"),
    DecisionKind.SUSPENSION: _l("Suspension of the authorisation"),
    DecisionKind.REINSTATEMENT: _l("Reinstatement of the authorisation"),
    DecisionKind.WITHDRAWAL: _l("Withdrawal of the authorisation"),
}

DOWNLOADED = {
    "document": _l("supporting document"),
    "hcp_letter": _l("healthcare professional's letter"),
    "reply_document": _l("document of an answer"),
    "follow_up_document": _l("document of a follow-up report"),
    "receipt": _l("receipt"),
    "decision": _l("decision"),
    "withdrawal": _l("withdrawal of the request"),
}


ACTOR_ROLES = {
    "manufacturer": _l("Manufacturer"),
    "reviewer": _l("ANSM reviewer"),
    "hcp": _l("Healthcare professional, through their link"),
    "system": _l("Portal, scheduled job"),
}


def actor_role(role: str) -> str:
    return str(ACTOR_ROLES.get(role, role))


def decision_title(decision: Decision) -> str:
    if decision.kind == DecisionKind.WITHDRAWAL and decision.by_manufacturer:
        return _("Withdrawal of the request by the manufacturer")
    return str(DECISION_TITLES[DecisionKind(decision.kind)])


def _certification_said(stands: dict | None) -> str:
    """Where a report said the CE certification stands, as the audit trail lists it."""
    if not stands:
        return ""
    if stands["status"] == "delayed":
        return _(
            "CE marking now expected by %(date)s",
            date=long_date(date.fromisoformat(stands["ce_expected_on"])),
        )
    if stands["status"] == "certified" and not stands.get("certificate_body"):
        return _(
            "CE marking obtained: EU declaration of conformity %(number)s, %(date)s",
            number=stands["certificate_number"],
            date=long_date(date.fromisoformat(stands["certificate_issued_on"])),
        )
    if stands["status"] == "certified":
        return _(
            "CE marking obtained: certificate %(number)s, notified body %(body)s, %(date)s",
            number=stands["certificate_number"],
            body=stands["certificate_body"],
            date=long_date(date.fromisoformat(stands["certificate_issued_on"])),
        )
    if stands["status"] == "stopped":
        return _("CE certification no longer pursued")
    return _("CE certification under way as planned")


def procedure_text(decision: Decision) -> str:
    """How the manufacturer was heard before a suspension or withdrawal, as its signed PDF
    states it; empty for other decisions (and those made before it was recorded)."""
    procedure = (decision.record or {}).get("procedure")
    if procedure is None:
        return ""
    if procedure["kind"] == "urgency":
        return _("Taken urgently, without first inviting the manufacturer's observations.")
    if procedure["kind"] == "requested":
        return _(
            "Taken at the manufacturer's request, made in its follow-up report no. %(number)d "
            "of %(date)s: no observations to invite.",
            number=procedure["report_number"],
            date=long_date(date.fromisoformat(procedure["asked_on"])),
        )
    invited_on = long_date(date.fromisoformat(procedure["invited_on"]))
    if procedure["observations_received"]:
        return _(
            "The manufacturer was invited on %(date)s to present its observations, and did.",
            date=invited_on,
        )
    return _(
        "The manufacturer was invited on %(date)s to present its observations, and presented "
        "none in the time given.",
        date=invited_on,
    )


# A request withdrawn from one of these had an authorisation: ANSM withdrew it.
_AUTHORISED_STATUSES = frozenset({Status.AUTHORISED, Status.SUSPENDED})


def event_text(event: AuditEvent) -> str:
    """One line of the audit trail, as a reviewer reads it."""
    detail = event.detail
    if event.action == audit.STATUS_CHANGED:
        # Withdrawn after an authorisation (or its suspension): ANSM's, not the request's.
        by_ansm = event.from_status in _AUTHORISED_STATUSES
        moved = _(
            "Status: %(before)s → %(after)s",
            before=STATUS_LABELS[event.from_status],
            after=status_label(event.to_status, authorised=by_ansm),
        )
        # The question that moved it is named, as those asked beside it are.
        if detail.get("hcp_name"):
            return _(
                "%(moved)s: question to %(name)s, who wrote a letter",
                moved=moved,
                name=detail["hcp_name"],
            )
        if detail.get("addressee") == Addressee.MANUFACTURER:
            return _("%(moved)s: question to the manufacturer", moved=moved)
        # A decision, by the number its PDF, its email and the acts after it cite it by (not
        # the manufacturer's withdrawal of its request, recorded as one).
        withdrawn_by_manufacturer = event.to_status == Status.WITHDRAWN and not by_ansm
        if detail.get("decision_number") and not withdrawn_by_manufacturer:
            return _(
                "%(moved)s: decision no. %(number)d", moved=moved, number=detail["decision_number"]
            )
        return moved
    if event.action == audit.QUESTION_ADDED:
        if detail.get("status"):  # asked of an authorisation in force or suspended
            return _("Asked the manufacturer for more information on the authorisation")
        if detail.get("hcp_name"):
            return _(
                "Also asked %(name)s, who wrote a letter, for more information",
                name=detail["hcp_name"],
            )
        return _("Also asked the manufacturer for more information")
    if event.action == audit.QUESTION_CANCELLED:
        if detail.get("hcp_name") is None:
            return _("Question to the manufacturer withdrawn, unanswered")
        return _("Question to %(name)s withdrawn, unanswered", name=detail["hcp_name"])
    if event.action == audit.REPLY_SENT:
        return _("Answer to ANSM's question sent")
    if event.action == audit.FOLLOW_UP_SENT:
        sent = ngettext(
            "Follow-up report sent: %(num)s patient treated so far",
            "Follow-up report sent: %(num)s patients treated so far",
            detail["patients_treated"],
            num=quantity(detail["patients_treated"]),
        )
        if met := detail.get("meets"):  # the dates its authorisation asked it by
            dates = listed([long_date(date.fromisoformat(day)) for day in met])
            sent = ngettext(
                "%(sent)s; the report due by %(dates)s",
                "%(sent)s; the reports due by %(dates)s",
                len(met),
                sent=sent,
                dates=dates,
            )
        if stands := _certification_said(detail.get("certification")):
            sent = f"{sent}; {stands}"
        if detail.get("end_asked"):
            sent = _("%(sent)s; asks ANSM to end the authorisation", sent=sent)
        return sent
    if event.action == audit.ASSIGNED:
        if detail["to"] is None:
            return _("Handled by nobody now")
        return _("Given to %(name)s to handle", name=detail["to"])
    if event.action == audit.NOTE_ADDED:
        return _("Note for ANSM added")
    if event.action == audit.FOLLOW_UP_READ:
        return _("Follow-up report no. %(number)d marked read", number=detail["number"])
    if event.action == audit.PERIOD_END_REMINDED:
        return _(
            "Manufacturer reminded that the authorised period ends on %(date)s",
            date=long_date(date.fromisoformat(detail["period_end"])),
        )
    if event.action == audit.REPORT_DUE_REMINDED:
        return _(
            "Manufacturer reminded of the follow-up report due by %(date)s",
            date=long_date(date.fromisoformat(detail["due_on"])),
        )
    if event.action == audit.DOCUMENT_UPLOADED:
        if detail.get("report_id"):
            return _("Document of a follow-up report: %(name)s", name=detail.get("filename"))
        return _("Document uploaded: %(name)s", name=detail.get("filename"))
    if event.action == audit.DOCUMENT_REMOVED:
        return _("Document removed from the draft: %(name)s", name=detail.get("filename"))
    if event.action == audit.DOCUMENT_PUT_BACK:
        return _("Document put back in the draft: %(name)s", name=detail.get("filename"))
    if event.action == audit.LETTER_UPLOADED:
        return _("Letter from %(name)s uploaded: %(filename)s", **detail)
    if event.action == audit.PROFESSIONAL_INVITED:
        return _("Professional invited to send a letter: %(name)s (%(email)s)", **detail)
    if event.action == audit.INVITATION_RENEWED:
        return _("New invitation link made for %(name)s (%(email)s)", **detail)
    if event.action == audit.INVITATION_REVOKED:
        return _("Invitation of %(name)s (%(email)s) cancelled", **detail)
    if event.action == audit.LETTER_RECEIVED:
        return _("Letter received through the invitation link: %(filename)s", **detail)
    if event.action == audit.LETTER_REMOVED:
        return _("Letter from %(name)s removed from the draft: %(filename)s", **detail)
    if event.action == audit.LETTER_PUT_BACK:
        return _("Letter from %(name)s put back in the draft: %(filename)s", **detail)
    if event.action == audit.LETTER_CHECKED:
        if detail.get("initials"):
            return _(
                "Letter from %(name)s, written for the patient %(initials)s born in %(year)s, "
                "said by the manufacturer to be about the patient the request now names: "
                "%(filename)s",
                **detail,
            )
        return _(
            "Letter from %(name)s, written while the request had the other type of access, "
            "said by the manufacturer to support it as it is: %(filename)s",
            **detail,
        )
    if event.action == audit.STARTED_FROM:
        return _("Started from request %(reference)s, with its answers and documents", **detail)
    if event.action == audit.DOCUMENT_DOWNLOADED:
        kind = DOWNLOADED.get(detail.get("kind"), detail.get("kind"))
        return _("Downloaded: %(name)s (%(kind)s)", name=detail.get("filename"), kind=kind)
    return event.action


# What the manufacturer's history lists: each change of status, each question ANSM asked
# while others waited (it changes no status), and each answer ANSM received (a professional's
# said to have come, not what it says).
_HISTORY = (audit.STATUS_CHANGED, audit.QUESTION_ADDED, audit.REPLY_SENT, audit.FOLLOW_UP_SENT)


def _in_history(event: AuditEvent) -> bool:
    """Whether the manufacturer's history lists the event: a question withdrawn by ANSM too,
    its own or a professional's (the history said ANSM asked them: a manufacturer prompting
    the professional would otherwise send them to a link that no longer works)."""
    return event.action in _HISTORY or event.action == audit.QUESTION_CANCELLED


def history_text(event: AuditEvent) -> str:
    """What the manufacturer reads in their request's history beside an event of it."""
    detail = event.detail
    if event.action == audit.QUESTION_CANCELLED:
        if detail.get("hcp_name"):
            return _(
                "ANSM withdrew its question to %(name)s: it no longer waits for their answer.",
                name=detail["hcp_name"],
            )
        return _("ANSM withdrew its question to you: it no longer waits for your answer.")
    if event.action in (audit.REPLY_SENT, audit.FOLLOW_UP_SENT):
        name = event.actor_named
        if event.action == audit.REPLY_SENT:
            return _("%(name)s answered ANSM's question.", name=name)
        return _("%(name)s sent a follow-up report.", name=name)
    if event.to_status == Status.AUTHORISED and event.from_status == Status.SUSPENDED:
        # Its tag reads "Authorised", as the first decision's: the grounds alone would not
        # say the authorisation was reinstated.
        said = _("ANSM reinstated the authorisation.")
        return f"{said}\n{detail['note']}" if detail.get("note") else said
    if detail.get("note"):
        return detail["note"]
    if event.to_status == Status.SUBMITTED:
        return _("The request was submitted.")
    if event.to_status == Status.INFORMATION_REQUESTED or event.action == audit.QUESTION_ADDED:
        if detail.get("hcp_name"):
            return _(
                "ANSM asked %(name)s, who wrote a letter, for more information.",
                name=detail["hcp_name"],
            )
        return _("ANSM asked you for more information.")
    if detail.get("reply_id"):  # the answer itself is the event before
        return _("Every answer awaited has come: ANSM resumes its review.")
    if event.to_status == Status.EXPIRED:
        return _("The authorised period has ended.")
    return ""
