"""A healthcare professional answers ANSM's question through the personal link of their email:
no account, the link's token is the only key (stored hashed, single use, expiring), and
guessing it is rate-limited per address like the invitations."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from wizard import audit, kept
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import switch_to_the_language_asked
from wizard.invites.service import patient_of, population_of
from wizard.models import InformationRequest
from wizard.review import information, late_answers, pages
from wizard.review.filer_forms import ReplyForm
from wizard.review.notify import device_name
from wizard.token_links import (
    answered_through,
    keep_token_private,
    remember_sent,
    sent_again,
    sent_lately,
    unavailable_page,
)

bp = Blueprint("review_hcp", __name__)

# Links that cannot be used: (status, title, what happened, what to do).
UNAVAILABLE = {
    "unknown": (
        404,
        _l("This link does not work"),
        _l("The address may be incomplete: check that you opened or copied the whole link."),
        _l("If it still does not work, reply to ANSM's email: your message reaches them."),
    ),
    "expired": (
        410,
        _l("This link has expired"),
        _l("For security, the links to answer ANSM work for a limited time only."),
        _l("If ANSM still needs your answer, reply to their email: your message reaches them."),
    ),
    "replaced": (
        410,
        _l("This link has been replaced"),
        _l("ANSM has asked you again, in a newer email whose link replaces this one."),
        _l(
            "Use the link in ANSM's most recent email about this request. If you cannot find "
            "it, reply to ANSM's email: your message reaches them."
        ),
    ),
    "used": (
        410,
        _l("This link has already been used"),
        _l("An answer has already been sent with this link, and each link works once only."),
        _l("To add something, reply to ANSM's email: your message reaches them."),
    ),
    # The thank-you page opened again once it no longer shows what was sent.
    "thanks_gone": (
        200,
        _l("This confirmation is no longer shown"),
        _l(
            "The page confirming an answer shows what was sent for an hour, and only in the "
            "browser that sent it."
        ),
        _l(
            "If you sent your answer, ANSM has it. To add something, reply to ANSM's email: "
            "your message reaches them."
        ),
    ),
    "closed": (
        410,
        _l("ANSM no longer waits for this answer"),
        _l("The review of the request has moved on without it."),
        _l(
            "If you still want to send your answer, reply to ANSM's email: your message "
            "reaches them."
        ),
    ),
}
_ANSWERED = "review_answered"


bp.after_request(keep_token_private)


@bp.errorhandler(information.LinkUnavailable)
def unavailable(error: information.LinkUnavailable):
    """Why the link does not open; and an answer sent to it (the question closed while it
    was typed) is shown to copy, as nothing of it was taken."""
    question, explanations = error.question, UNAVAILABLE
    token = (request.view_args or {}).get("token", "")
    sent = request.endpoint == "review_hcp.answer" and request.method == "POST"
    if error.reason == "used" and sent and sent_again(_ANSWERED, token):
        return redirect(url_for(".answered"), 303)  # sent twice from this browser: answered
    opened = request.endpoint == "review_hcp.answer" and request.method in ("GET", "HEAD")
    if error.reason == "used" and opened and answered_through(_ANSWERED, token):
        return redirect(url_for(".answered"), 303)  # opened again by who sent it, lately
    if error.reason == "closed" and question is not None:
        status, title, _detail, _advice = UNAVAILABLE["closed"]
        explanations = {
            **UNAVAILABLE,
            "closed": (status, title, *late_answers.to_professional(question)),
        }
    sent = request.method == "POST"
    return unavailable_page(
        explanations,
        error.reason,
        typed=late_answers.typed(question, request.form.getlist("answer-keep")) if sent else (),
        reference=question.dossier.reference if question is not None else None,
    )


@bp.route("/questions/<token>", methods=["GET", "POST"])
def answer(token: str):
    question = information.find_by_token(token)
    if request.method != "POST":
        return _page(question, ReplyForm(prefix="answer", formdata=None))
    form = ReplyForm(prefix="answer")
    if "switch_language" in request.form:
        # The page in the other language with what was typed (base.html): nothing sent, a
        # file chosen asked for again; what was wrong said again if the page said it.
        switch_to_the_language_asked()
        if request.form.get("errors_shown") == "y":
            form.validate()
            form.documents.errors = []  # not sent with the switch: not wrong
        chosen = "file_not_sent" in request.form or any(f.filename for f in request.files.values())
        return _page(question, form, switched=True, file_not_kept=chosen)
    slot, ticked = pages.reply_slot(question), request.form.getlist("answer-keep")
    valid = form.validate()
    # Said beside any other error: a copy is otherwise dropped from the files kept, unsaid.
    copies = pages.refuse_renamed_copies(form, slot, ticked)
    if not valid or copies:
        kept.keep(slot, form.documents.accepted)
        return _page(question, form, 422)
    files = kept.with_new(slot, ticked, form.documents.accepted)
    actor = audit.Actor.professional(question.hcp_name)
    try:
        reply = information.answer(question, actor, question.hcp_name, form.message.data, files)
    except information.QuestionClosed:
        # Closed while it was typed: why, as the question now says (answered from another
        # tab, withdrawn by ANSM), else the review moved on (a measure, the period's end).
        information.refuse_if_closed(question)
        raise information.LinkUnavailable("closed", question) from None
    kept.forget(slot)
    remember_sent(
        _ANSWERED,
        {
            "reference": question.dossier.reference,
            "files": [document.filename for document in reply.documents],
        },
        token,
    )
    return redirect(url_for(".answered"), 303)


@bp.get("/questions/answered")
def answered():
    sent = sent_lately(_ANSWERED)
    if sent is None:
        return unavailable_page(UNAVAILABLE, "thanks_gone")
    return render_template("review/hcp_answered.html", sent=sent)


def _page(
    question: InformationRequest,
    form: ReplyForm,
    status: int = 200,
    *,
    switched: bool = False,
    file_not_kept: bool = False,
):
    # Which patient, for an individual request (the professional may have written for
    # several with this device: the email never says), or which patients, for a global one.
    # Not to one whose letter was for another patient, or the other type of access: they may
    # never have treated them.
    filed = question.dossier.submitted_answers
    shown = None if _written_for_another_case(question) else filed.get("access_type")
    return render_template(
        "review/hcp_answer.html",
        question=question,
        dossier=question.dossier,
        device=device_name(question.dossier),
        patient=patient_of(filed["answers"]) if shown == "individual" else None,
        population=population_of(filed["answers"]) if shown == "global" else None,
        form=form,
        kept_files=kept.kept(pages.reply_slot(question)),
        switched=switched,  # the language changed: what was typed is kept, a file not
        file_not_kept=file_not_kept,
        action=request.path,
    ), status


def _written_for_another_case(question: InformationRequest) -> bool:
    letter = question.hcp_letter
    return letter is not None and bool(
        letter.written_for_other_access() or letter.written_for_other_patient()
    )
