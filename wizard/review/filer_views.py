"""The manufacturer's side of the review, on their request's page: answer ANSM's question with
a message and documents, withdraw the request before a decision, send follow-up reports once
authorised, download the decisions and their own answers' and reports' documents. The
organisation's requests only (404 otherwise)."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from wizard import audit, kept
from wizard.domain.lifecycle import LAPSING_STATUSES, Status, is_decided
from wizard.errors import typed_answers
from wizard.extensions import db
from wizard.filing.access import manufacturer_required, own_dossier
from wizard.forms.base import quantity
from wizard.i18n import gettext as _
from wizard.i18n import long_date, ngettext
from wizard.models import (
    Addressee,
    FollowUpDocument,
    FollowUpReport,
    InformationRequest,
    ReplyDocument,
)
from wizard.review import (
    awaited,
    downloads,
    follow_up,
    information,
    late_answers,
    notify,
    pages,
    service,
)
from wizard.review.access import item_of
from wizard.review.actions import MANUFACTURER_WITHDRAWAL, ActionRefused, refusal
from wizard.review.filer_forms import ReplyForm, WithdrawRequestForm
from wizard.review.status import authorisation_of, effective_status
from wizard.web import flash_once, mark_of

bp = Blueprint("review_filer", __name__)


def _submitted(dossier_id: int):
    dossier = own_dossier(dossier_id)
    if dossier.is_draft:
        abort(404)
    return dossier


def _back(dossier, anchor=""):
    return redirect(url_for("filing.submitted", dossier_id=dossier.id) + anchor, 303)


# Each form's address, opened (a refused form's page reloaded or restored by the browser, a
# bookmark), leads to the request's page, where the form is: not to "cannot be opened".
@bp.route("/requests/<int:dossier_id>/questions/<int:question_id>/reply", methods=["GET", "POST"])
@manufacturer_required
def reply(dossier_id: int, question_id: int):
    dossier = _submitted(dossier_id)
    if request.method != "POST":
        return _back(dossier)  # the question, if still awaited, is at the page's top
    question = item_of(dossier, InformationRequest, question_id)
    if question.addressee != Addressee.MANUFACTURER:
        abort(404)
    ticked = request.form.getlist("reply-keep")
    form = ReplyForm(prefix="reply")
    if not question.is_open:
        return _not_answered(dossier, question, form, ticked)
    slot = pages.reply_slot(question)
    valid = form.validate()
    # Said beside any other error: a copy is otherwise dropped from the files kept, unsaid.
    copies = pages.refuse_renamed_copies(form, slot, ticked)
    if not valid or copies:
        kept.keep(slot, form.documents.accepted)
        return pages.manufacturer_page(dossier, reply_form=form, status=422)
    files = kept.with_new(slot, ticked, form.documents.accepted)
    try:
        information.answer(
            question, audit.Actor.of(current_user), current_user.name, form.message.data, files
        )
    except information.QuestionClosed:
        return _not_answered(dossier, question, form, ticked)
    kept.forget(slot)
    return _answer_sent(dossier, question)


def _answer_sent(dossier, question: InformationRequest):
    """The request's page, saying the answer is sent (just now, or by the same form sent
    moments before) and what follows."""
    db.session.refresh(dossier)
    if is_decided(Status(dossier.status)):
        # Asked of an authorisation: nothing resumes, the authorisation stands as it was.
        said = _("Your answer has been sent to ANSM.")
    elif waiting := pages.review_state(dossier).professional_questions:  # their answers too
        said = ngettext(
            "Your answer has been sent to ANSM. ANSM resumes its review once %(names)s has "
            "answered too.",
            "Your answer has been sent to ANSM. ANSM resumes its review once %(names)s have "
            "answered too.",
            len(waiting),
            names=", ".join(question.hcp_name for question in waiting),
        )
    else:
        said = _("Your answer has been sent to ANSM, which resumes its review.")
    flash_once(said)  # the first of two sends may have said it already
    # The page's top, where this is said (and takes the focus); the answer is below.
    return _back(dossier)


def _not_answered(dossier, question: InformationRequest, form: ReplyForm, ticked: list[str]):
    """The request's page again, saying why the answer was not taken (the review went on
    without it, or it was answered meanwhile from another page), with what was typed to
    copy: there is no form left to send it with. The answer ANSM received, sent again (a
    double click, a send retried), is said sent."""
    if form.validate():
        carried = ticked + [
            hashlib.sha256(content).hexdigest() for _, content in form.documents.accepted
        ]
        if late_answers.sent_already(question, current_user.id, form.message.data, carried):
            kept.forget(pages.reply_slot(question))
            return _answer_sent(dossier, question)
    not_sent = late_answers.to_manufacturer(question, ticked)
    return pages.manufacturer_page(dossier, not_sent=not_sent, status=409)


@bp.route("/requests/<int:dossier_id>/withdraw", methods=["GET", "POST"])
@manufacturer_required
def withdraw(dossier_id: int):
    dossier = _submitted(dossier_id)
    if request.method != "POST":  # its form's place, if the page still has it
        shown = MANUFACTURER_WITHDRAWAL.permits(pages.review_state(dossier).status)
        return _back(dossier, "#withdraw-title" if shown else "")
    form = WithdrawRequestForm(prefix="withdraw")
    state = pages.review_state(dossier)
    if not MANUFACTURER_WITHDRAWAL.permits(state.status):  # decided, or withdrawn, meanwhile
        return _not_withdrawn(dossier, state)
    if awaited.changed_since_shown(state.professional_questions):
        # Its warning did not name a professional asked since (or named one who answered):
        # the page again, as it is now, the reason typed kept.
        refused = awaited.changed_message(withdrawal=True)
        return pages.manufacturer_page(dossier, withdraw_form=form, refused=refused, status=409)
    if not form.validate():
        return pages.manufacturer_page(dossier, withdraw_form=form, status=422)
    awaited_before = bool(state.question or state.professional_questions)
    try:
        service.perform(MANUFACTURER_WITHDRAWAL, dossier, current_user, form)
    except ActionRefused:  # the status changed between the page read and this change
        now = pages.review_state(dossier)
        if not MANUFACTURER_WITHDRAWAL.permits(now.status):
            return _not_withdrawn(dossier, now)
        refused = _(
            "Nothing was done: where the request stands changed as you sent this. Check "
            "the page, then withdraw the request if you still want to."
        )
        return pages.manufacturer_page(dossier, withdraw_form=form, refused=refused, status=409)
    reason = form.reason.data.replace("\r\n", "\n")  # as the record keeps it
    notify.to_review_team(dossier, withdrawn=reason, closed_questions=awaited_before)
    flash(_("Your request is withdrawn. ANSM has been told."))
    return _back(dossier)


@bp.route("/requests/<int:dossier_id>/follow-up-reports", methods=["GET", "POST"])
@manufacturer_required
def send_report(dossier_id: int):
    dossier = _submitted(dossier_id)
    if request.method != "POST":  # its form's place, if the page has it (authorised)
        shown = pages.review_state(dossier).authorisation is not None
        return _back(dossier, "#reports" if shown else "")
    authorisation = authorisation_of(dossier)  # in force or not: its patients are followed
    if authorisation is None:
        abort(404)  # the page offers no such form before an authorisation
    form = pages.new_report_form(dossier, effective_status(dossier))
    slot = follow_up.slot(dossier)
    ticked = request.form.getlist("report-keep")
    valid = form.validate()
    if valid and form.patients_treated.data and follow_up.starts_later(authorisation):
        form.patients_treated.errors.append(
            _(
                "The authorisation’s period starts on %(date)s: no patient can have received "
                "the device under it yet. Enter 0, or send your report once it has started.",
                date=long_date(authorisation.period_start),
            )
        )
        valid = False
    copies = pages.refuse_renamed_copies(form, slot, ticked)  # said beside any other error
    if not valid or copies:
        kept.keep(slot, form.documents.accepted)
        return pages.manufacturer_page(dossier, report_form=form, status=422)
    typed = (form.patients_treated.data, form.message.data, form.answers())
    # What the form itself carries, not what the session holds: the first of two sends of
    # the same form forgets its kept files.
    chosen = [hashlib.sha256(content).hexdigest() for _, content in form.documents.accepted]
    carried = ticked + chosen
    key = follow_up.sent_as(mark_of(form.sent_as.data), *typed, carried)
    # Ticked on a page opened while the authorisation was in force: it ended since.
    end_moot = "end_asked" not in form and bool(request.form.get("report-end_asked"))
    if (earlier := follow_up.sent_with(dossier, key)) is not None:
        kept.forget(slot)
        return _report_sent(dossier, earlier, end_moot)  # a double click, a send retried
    files = kept.with_new(slot, ticked, form.documents.accepted)
    try:
        report = follow_up.send(dossier, current_user, *typed, files, key)
    except follow_up.AlreadySent:  # the same form, sent twice at once
        report = follow_up.sent_with(dossier, key)
    else:
        notify.to_review_team(dossier, report=report)
    kept.forget(slot)
    return _report_sent(dossier, report, end_moot)


def _report_sent(dossier, report: FollowUpReport, end_moot: bool = False):
    """The request's page, saying the report is sent (just now, or by the same form sent
    moments before); `end_moot`: it was to ask the end of an authorisation ended since."""
    if report.above_maximum:
        said = ngettext(
            "Your report has been sent to ANSM. It counts more patients than the one the "
            "authorisation allows: ANSM may contact you about it.",
            "Your report has been sent to ANSM. It counts more patients than the %(num)s the "
            "authorisation allows: ANSM may contact you about it.",
            report.max_patients,
            num=quantity(report.max_patients),
        )
    else:
        said = _("Your report has been sent to ANSM.")
    in_force = effective_status(dossier) in LAPSING_STATUSES
    # Said of an authorisation in force or suspended: after it, there is nothing to end.
    if report.certification == "certified" and in_force:
        said += " " + _(
            "With its CE marking, the device may no longer need this authorisation: ANSM will "
            "tell you what follows."
        )
    elif report.certification == "stopped" and in_force:
        said += " " + _(
            "The authorisation rests on your commitment to pursue CE certification: ANSM may "
            "contact you about it."
        )
    if end_moot:
        said += " " + _(
            "The authorisation is no longer in force, so your report does not ask ANSM to end it."
        )
    flash(said)
    return _back(dossier)


def _not_withdrawn(dossier, state: pages.ReviewState):
    """The request's page, saying why it can no longer be withdrawn (withdrawn already, by a
    colleague or from another tab: ANSM withdraws only an authorisation; or decided on), with
    the reason typed to copy: there is no form left to send it with."""
    if state.status == Status.WITHDRAWN and state.authorisation is None:
        refused = _("Nothing was done: this request is already withdrawn.")
    else:
        authorised = state.authorisation is not None
        refused = str(refusal(MANUFACTURER_WITHDRAWAL, state.status, authorised=authorised))
    if state.status in LAPSING_STATUSES:  # in force or suspended: its end can be asked for
        refused += " " + _(
            "To ask ANSM to end the authorisation, send a follow-up report and tick “I ask "
            "ANSM to end this authorisation”."
        )
    typed = typed_answers()
    return pages.manufacturer_page(dossier, refused=refused, refused_typed=typed, status=409)


@bp.get("/requests/<int:dossier_id>/decisions/<int:number>.pdf")
@manufacturer_required
def download_decision(dossier_id: int, number: int):
    dossier = _submitted(dossier_id)
    return downloads.send_decision(dossier, number)


@bp.get("/requests/<int:dossier_id>/reply-documents/<int:item_id>")
@manufacturer_required
def download_reply_document(dossier_id: int, item_id: int):
    dossier = _submitted(dossier_id)
    item = item_of(dossier, ReplyDocument, item_id)
    # What a professional sent ANSM is between them.
    if item.reply.author_role != "manufacturer":
        abort(404)
    return downloads.send_stored(dossier, "reply_document", item)


@bp.get("/requests/<int:dossier_id>/follow-up-documents/<int:item_id>")
@manufacturer_required
def download_report_document(dossier_id: int, item_id: int):
    dossier = _submitted(dossier_id)
    item = item_of(dossier, FollowUpDocument, item_id)
    return downloads.send_stored(dossier, "follow_up_document", item)
