"""The reviewer's pages: the queue, a request's page, its actions and its files. Every route
is for reviewers only (403 for anyone else signed in); a draft is invisible (404)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from wizard.domain.lifecycle import LAPSING_STATUSES, Status
from wizard.extensions import db
from wizard.i18n import gettext as _
from wizard.i18n import switch_to_the_language_asked
from wizard.models import (
    DecisionKind,
    Document,
    FollowUpDocument,
    FollowUpReport,
    HcpLetter,
    InformationRequest,
    ReplyDocument,
    User,
)
from wizard.review import (
    assignment,
    awaited,
    before_signing,
    decisions,
    downloads,
    follow_up,
    information,
    notes,
    pages,
    queue,
    service,
)
from wizard.review.access import item_of, reviewer_required, submitted_dossier
from wizard.review.actions import REVIEWER_ACTIONS, Action, ActionRefused, refusal
from wizard.review.queue_forms import AssignForm, NoteForm, QueueForm
from wizard.review.status import authorisation_of, effective_status
from wizard.web import flash_at, human_date, mark_of, posted_number, status_label

bp = Blueprint("review", __name__, url_prefix="/review")

_ACTION_NAMES = ", ".join(f'"{name}"' for name in REVIEWER_ACTIONS)


@bp.get("")
@reviewer_required
def queue_page():
    args = request.args.copy()
    if args.get("handled_by") == str(current_user.id):  # a colleague's link to one's own
        args["handled_by"] = "me"
    reviewers = assignment.reviewers()
    form = QueueForm(args, reviewers=reviewers, me=current_user)
    form.validate()  # a filter with an error is left out, and says so
    return render_template(
        "review/queue.html",
        form=form,
        page=queue.search(_filters(form)),
        queue_url=_queue_url,
        # Said to every reviewer (an upgrade that added delegations, the first account made
        # without one): no request could be decided, found only when one is.
        nobody_signs=not any(person.signs_decisions for person in reviewers),
    )


def _queue_url(**changes) -> str:
    """The queue's address with the current filters, some of them changed (None removes)."""
    args = {**request.args.to_dict(), "page": None, **changes}
    return url_for(".queue_page", **{k: v for k, v in args.items() if v not in (None, "")})


def _filters(form: QueueForm) -> queue.Filters:
    def value(field):
        return None if field.errors else field.data

    return queue.Filters(
        q=value(form.q) or "",
        status=value(form.status) or "",
        access_type=value(form.access_type) or "",
        device_class=value(form.device_class) or "",
        submitted_from=value(form.submitted_from),
        submitted_to=value(form.submitted_to),
        order=form.order.data if form.order.data in ("newest", "needed") else "oldest",
        unread=bool(form.unread.data),
        late_reports=bool(form.late_reports.data),
        handled_by=_handled_by(value(form.handled_by) or ""),
        page=request.args.get("page", 1, type=int) or 1,
    )


def _handled_by(chosen: str) -> str:
    return str(current_user.id) if chosen == "me" else chosen


@bp.get("/requests/<int:dossier_id>")
@reviewer_required
def request_page(dossier_id: int):
    return pages.review_page(submitted_dossier(dossier_id))


@bp.route(f"/requests/<int:dossier_id>/<any({_ACTION_NAMES}):name>", methods=["GET", "POST"])
@reviewer_required
def act(dossier_id: int, name: str):
    dossier = submitted_dossier(dossier_id)
    if request.method != "POST":
        # The address a refused action leaves in the address bar: reloaded or opened again,
        # the request's page (where the action's form is), nothing sent twice.
        # Its form's place, if the page still has it (the request may have moved on).
        shown = REVIEWER_ACTIONS[name].permits(effective_status(dossier))
        anchor = f"#action-{name}" if shown else ""
        return redirect(url_for(".request_page", dossier_id=dossier.id) + anchor, 303)
    action = REVIEWER_ACTIONS[name]
    form = pages.action_form(action, dossier)
    current = effective_status(dossier)
    if not action.permits(current):  # a page opened before the request moved on
        if _sent_again(action, dossier, form, current):
            # Its first sending did it (a second click, without JavaScript): the page, with
            # the first sending's "Done".
            return redirect(url_for(".request_page", dossier_id=dossier.id), 303)
        refused = str(
            refusal(
                action,
                current,
                shown=request.form.get("shown"),
                authorised=authorisation_of(dossier) is not None,
            )
        )
        return pages.review_page(
            dossier,
            posted=(action, form),
            refused=refused,
            changed=pages.changes_since_seen(dossier),  # who moved it on, and when
            status=409,
        )
    if name == "request-information":
        if _sent_again(action, dossier, form, current):  # its first sending asked it
            return redirect(url_for(".request_page", dossier_id=dossier.id), 303)
        valid = information.validate(form, dossier)
    else:
        valid = form.validate()
    if (meanwhile := _changed_meanwhile(action, dossier, form, current)) is not None:
        return meanwhile
    if not valid:
        return pages.review_page(dossier, posted=(action, form), status=422)
    if action.decision is not None:
        if problem := decisions.unsigned_because(current_user):
            return pages.review_page(dossier, posted=(action, form), refused=problem, status=409)
        # A decision is signed and sent once issued, and cannot be corrected: the reviewer
        # reads it back first (Enter in a date field only brings this page).
        choice = request.form.get("decision")
        if "switch_language" in request.form:  # the read-back's language switch (base.html)
            switch_to_the_language_asked()
        if choice == "change":
            return pages.review_page(dossier, posted=(action, form))
        if choice != "sign":
            return before_signing.decision_check(dossier, action, form)
        if before_signing.read_otherwise(dossier, action, form):  # midnight came meanwhile
            return before_signing.decision_check(dossier, action, form, reworded=True)
    try:
        service.perform(action, dossier, current_user, form)
    except ActionRefused as refused:
        return pages.review_page(dossier, posted=(action, form), refused=str(refused), status=409)
    flash(_done(action, dossier, current))
    return redirect(url_for(".request_page", dossier_id=dossier.id), 303)


def _sent_again(action: Action, dossier, form, current: Status) -> bool:
    """Whether this is an action already done by its first sending (the same form sent twice,
    two clicks without JavaScript): since the page it was sent from was seen, only this
    reviewer acted, and the last thing done is this action, with the same words: a decision
    of this kind on the same terms (`_same_terms`; the request in the status it gave), the
    same question to the same person, or the review started or resumed with the same note.
    Another sending (other words or terms, from another tab) is refused as any late one is,
    with what was typed."""
    if posted_number("seen") is None:
        return False
    since = pages.changes_since_seen(dossier)
    if not since or any(event.actor_id != current_user.id for event in since):
        return False
    if action.target == Status.INFORMATION_REQUESTED:
        return information.asked_already(dossier, current_user, form, since[-1])
    if action.decision is None:
        last = since[-1]
        return (
            current == action.target
            and last.to_status == action.target
            and _words(last.detail.get("note")) == _words(form.reason.data)
        )
    if current != action.target:
        return False
    last = decisions.decisions_of(dossier)[-1:]
    return bool(last) and (
        last[0].kind == action.decision
        and last[0].decided_by_id == current_user.id
        and _same_terms(last[0], form)
    )


def _same_terms(decision, form) -> bool:
    """Whether `form` says all that `decision` says: its grounds, how the manufacturer was
    heard, and an authorisation's period, cap, indication, establishments, follow-up and
    report interval (a form filled otherwise in another tab is another decision, refused as
    late)."""
    if _words(decision.reason) != _words(form.reason.data):
        return False
    if "procedure" in form and decision.record.get("procedure") != form.procedure_record():
        return False
    if decision.kind != DecisionKind.AUTHORISATION:
        return True
    sent = decisions.authorisation_terms(form)
    made = {name: getattr(decision, name) for name in sent}
    made["indication"] = decision.authorised_indication  # in its record once signed
    made["establishments"] = decision.authorised_establishments
    return all(
        _words(made[name]) == _words(value) if isinstance(value, str) else made[name] == value
        for name, value in sent.items()
    )


def _words(text: str | None) -> str:
    return " ".join((text or "").split())


def _done(action: Action, dossier, previous: Status) -> str:
    """What the reviewer is told once the action is done: whom a question went to, or the
    request's status, as its tag names it."""
    if action.target == Status.INFORMATION_REQUESTED:
        question = information.questions_of(dossier)[-1]
        if question.hcp_email:
            return _(
                "Done: your question has been emailed to %(name)s (%(email)s).",
                name=question.hcp_name,
                email=question.hcp_email,
            )
        return _("Done: your question has been sent to the manufacturer.")
    authorised = (
        previous in LAPSING_STATUSES or None if dossier.status == Status.WITHDRAWN else None
    )
    return _(
        "Done: the request is now “%(status)s”.",
        status=status_label(dossier.status, authorised),
    )


def _changed_meanwhile(action: Action, dossier, form, current: Status):
    """The request's page again (409), what was typed kept, if it changed since it was shown
    in a way that matters to `action`; None otherwise."""
    if action.decision is not None and (changed := pages.changes_since_seen(dossier)):
        # Signed once read: what happened since the page was opened (an answer, a document)
        # is shown first.
        return pages.review_page(dossier, posted=(action, form), changed=changed, status=409)
    if action.target != Status.INFORMATION_REQUESTED and awaited.changed_since_shown(
        awaited.questions_awaited(dossier, current)
    ):
        # Leaving "information requested" closes the questions awaited: only those its form
        # warned of (a colleague may have asked someone since). The warning as it is now.
        return pages.review_page(
            dossier,
            posted=(action, form),
            refused=awaited.changed_message(),
            changed=pages.changes_since_seen(dossier),
            status=409,
        )
    return None


@bp.post("/requests/<int:dossier_id>/questions/<int:question_id>/cancel")
@reviewer_required
def cancel_question(dossier_id: int, question_id: int):
    """Take back a question that waits for its answer (`information.cancel`)."""
    dossier = submitted_dossier(dossier_id)
    question = item_of(dossier, InformationRequest, question_id)
    try:
        resumed = information.cancel(question, current_user)
    except information.QuestionClosed:
        if question.closed_reason == "cancelled":
            event = information.cancellation_of(question)
            if event is not None and event.actor_id != current_user.id:
                # A colleague did, from their page: said, with when (they may have asked
                # again since); one's own second click says nothing over its "Done".
                flash(
                    _(
                        "Nothing was done: %(name)s had already withdrawn this question, on "
                        "%(date)s. Check the page as it is now.",
                        name=event.actor_named,
                        date=human_date(question.closed_at),
                    ),
                    "warning",
                )
            return redirect(url_for(".request_page", dossier_id=dossier.id), 303)
        flash(
            _(
                "Nothing was done: the question to %(name)s is no longer waiting for its "
                "answer (answered, or closed, meanwhile).",
                name=question.hcp_name or dossier.manufacturer_name,
            ),
            "warning",
        )
        return redirect(url_for(".request_page", dossier_id=dossier.id), 303)
    if question.to_manufacturer:
        done = _(
            "Done: the question to the manufacturer is withdrawn, its page no longer takes an "
            "answer, and it has been told. You can ask it again."
        )
    else:
        done = _(
            "Done: the question to %(name)s is withdrawn, and its link no longer works. You "
            "can ask them again.",
            name=question.hcp_name,
        )
    if resumed:
        done += " " + _(
            "No other answer was awaited: the review resumes, and the manufacturer has been told."
        )
    flash(done)
    return redirect(url_for(".request_page", dossier_id=dossier.id), 303)


@bp.post("/requests/<int:dossier_id>/assignment")
@reviewer_required
def assign(dossier_id: int):
    """Who handles the request (`assignment.assign`): oneself, a colleague, or nobody. What
    the page showed (`handled_by_seen`) must still be so: a colleague's change meanwhile is
    said, and nothing is changed."""
    dossier = submitted_dossier(dossier_id)
    form = AssignForm(assignment.reviewers(), current_user, prefix="assign")
    if not form.validate():
        return pages.review_page(dossier, assign_form=form, status=422)
    to = db.session.get(User, int(form.reviewer.data)) if form.reviewer.data else None
    shown = posted_number("handled_by_seen")
    changed = assignment.assign(dossier, to, current_user, seen=shown)
    flash_at("assignment", assignment.outcome(dossier, to, current_user, changed=changed))
    return redirect(url_for(".request_page", dossier_id=dossier.id, _anchor="assignment"), 303)


@bp.post("/requests/<int:dossier_id>/notes")
@reviewer_required
def add_note(dossier_id: int):
    """Add a note for ANSM's reviewers (`notes.add`); refused, the page again with what was
    typed and why."""
    dossier = submitted_dossier(dossier_id)
    form = NoteForm(prefix="note")
    if not form.validate():
        return pages.review_page(dossier, note_form=form, status=422)
    notes.add(dossier, current_user, form.text.data, mark_of(form.sent_as.data))
    flash_at("notes", _("Done: your note is added. Only ANSM's reviewers see it."))
    return redirect(url_for(".request_page", dossier_id=dossier.id, _anchor="notes"), 303)


@bp.post("/requests/<int:dossier_id>/follow-up-reports/<int:report_id>/read")
@reviewer_required
def mark_report_read(dossier_id: int, report_id: int):
    """Mark a follow-up report read, for every reviewer (`follow_up.mark_read`). Back on the
    request's page at its reports, the confirmation said there (the report says who read it)."""
    dossier = submitted_dossier(dossier_id)
    report = item_of(dossier, FollowUpReport, report_id)
    number = follow_up.number_of(report)
    # A second click of one's own is done too; a colleague's mark stays, and is said.
    if follow_up.mark_read(report, current_user, number) or report.read_by_id == current_user.id:
        flash_at("reports", _("Done: report no. %(number)d is marked read.", number=number))
    else:
        said = _(
            "Report no. %(number)d was marked read already, by %(name)s on %(when)s.",
            number=number,
            name=report.read_by_name,
            when=human_date(report.read_at),
        )
        flash_at("reports", {"text": said, "warning": True})  # nothing done by this click
    return redirect(url_for(".request_page", dossier_id=dossier.id, _anchor="reports"), 303)


@bp.get("/requests/<int:dossier_id>/documents/<int:item_id>")
@reviewer_required
def download_document(dossier_id: int, item_id: int):
    dossier = submitted_dossier(dossier_id)
    return downloads.send_stored(dossier, "document", item_of(dossier, Document, item_id))


@bp.get("/requests/<int:dossier_id>/letters/<int:item_id>")
@reviewer_required
def download_letter(dossier_id: int, item_id: int):
    dossier = submitted_dossier(dossier_id)
    return downloads.send_stored(dossier, "hcp_letter", item_of(dossier, HcpLetter, item_id))


@bp.get("/requests/<int:dossier_id>/reply-documents/<int:item_id>")
@reviewer_required
def download_reply_document(dossier_id: int, item_id: int):
    dossier = submitted_dossier(dossier_id)
    item = item_of(dossier, ReplyDocument, item_id)
    return downloads.send_stored(dossier, "reply_document", item)


@bp.get("/requests/<int:dossier_id>/follow-up-documents/<int:item_id>")
@reviewer_required
def download_report_document(dossier_id: int, item_id: int):
    dossier = submitted_dossier(dossier_id)
    item = item_of(dossier, FollowUpDocument, item_id)
    return downloads.send_stored(dossier, "follow_up_document", item)


@bp.get("/requests/<int:dossier_id>/receipt.pdf")
@reviewer_required
def download_receipt(dossier_id: int):
    dossier = submitted_dossier(dossier_id)
    return downloads.send_receipt(dossier)


@bp.get("/requests/<int:dossier_id>/decisions/<int:number>.pdf")
@reviewer_required
def download_decision(dossier_id: int, number: int):
    dossier = submitted_dossier(dossier_id)
    return downloads.send_decision(dossier, number)
