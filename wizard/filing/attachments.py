"""Files attached to a request: supporting documents (step 7) and HCP letters (step 9).

Every route checks the organisation; files are served only as attachments, never inline.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from wizard import audit, clock, kept, uploads
from wizard.extensions import db
from wizard.filing import bp, meanwhile, pages, service
from wizard.filing.access import editable_dossier, manufacturer_required, own_dossier
from wizard.flow.steps import FLOW
from wizard.forms.attachments import DocumentForm, HcpLetterForm
from wizard.forms.invitations import InvitationForm
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import ngettext
from wizard.models import Document, HcpLetter, RemovedFile
from wizard.models.dossier import DocumentKind, case_mark
from wizard.review import downloads
from wizard.web import flash_at, refused_status


def _back_to(dossier, step_id, anchor):
    """Back to the step, still on its way back to the summary if it was opened from there."""
    step = url_for(
        ".step", dossier_id=dossier.id, step_id=step_id, return_to=request.args.get("return_to")
    )
    return redirect(step + anchor, 303)


def _refused(dossier, step_id, form, prefix, extra_errors=()):
    """Re-show the step with the upload form's errors, and what was typed in place. Sent with
    the step's own buttons ("Save and continue", "Save and come back later"), the step was
    not saved either: said, for a person who would leave believing it was."""
    step = FLOW.get(step_id)
    typed = _typed(dossier, step)
    main_form = typed or step.form.from_answers(dossier.answers().get(step_id, {}), page=True)
    by_the_step = request.endpoint == "filing.step"
    unsaved = None
    if by_the_step and typed:
        # The file itself taken and kept (only its type missing, say): nothing to clear.
        file_kept = getattr(form, "kept_file", None) and not form.file.errors
        unsaved = NOT_SAVED_FILE_KEPT if file_kept else NOT_SAVED_WITH_THE_FILE
    if by_the_step and prefix == "letter" and started("invite"):
        # An invitation typed beside it, not sent either: said now, not on the next try.
        extra_errors = [*extra_errors, ("invite-clinician_name", unsent_invitation_message())]
    return pages.render_step(
        dossier,
        step,
        main_form,
        422,
        extra_errors=extra_errors,
        unsaved=unsaved,
        **{f"{prefix}_form": form},
    )


NOT_SAVED_WITH_THE_FILE = _l(
    "What you typed on this page is not saved yet: the file you chose could not be added "
    "(said below). Correct it, or clear the file chosen, then save the step again."
)


NOT_SAVED_FILE_KEPT = _l(
    "What you typed on this page is not saved yet: the file you chose is kept, but not added "
    "yet (said below). Correct what is said, then save the step again."
)


TYPED_NOT_SAVED = _l(
    "What you typed in this step’s questions is not saved yet: it is still on this page. "
    "Choose “Save and continue” once the step is finished, or “Save and come back later” to "
    "keep it as it is."
)


def unsent_invitation_message() -> str:
    return _(
        "You have filled in an invitation without sending it. Choose “Send the invitation”, "
        "or clear its fields to go on without it."
    )


def _typed(dossier, step):
    """The step's own questions as the page sent them along with the file (on the evidence
    step they share one form with the upload, so that nothing typed is lost), or None."""
    form = step.form()
    if not any(field.name in request.form for field in form.answer_fields()):
        return None
    form.context = dossier.answers()
    return form


def _back_with_typed(dossier, step_id, anchor):
    """Back to the step after a file was added or removed. What was typed in the step's
    questions came along (the buttons are part of the step's form): saved if it is valid;
    otherwise the page is shown again with it, unchecked, so that a half-written answer is
    neither lost nor called wrong (the upload form blank once its file is attached:
    `document_form`)."""
    step = FLOW.get(step_id)
    typed = _typed(dossier, step)
    if typed is not None and _blank(typed) and step_id not in dossier.answers():
        typed = None  # nothing typed, nothing saved to keep: back to the page (a GET)
    if typed is not None and not typed.validate():
        # Shown here rather than redirected to the anchor: the page says where to go on, and
        # that what is typed is not saved (without JavaScript, nothing else would say so).
        return pages.render_step(
            dossier, step, _typed(dossier, step), focus=anchor[1:], typed_not_saved=TYPED_NOT_SAVED
        )
    if typed is not None and (changed := meanwhile.save_answers(dossier, step, typed.to_answers())):
        return pages.render_step(dossier, step, typed, refused_status(409), changed)
    return _back_to(dossier, step_id, anchor)


def _blank(form) -> bool:
    """Whether the step's questions came back empty, as a page opened for the first time
    sends them."""
    return not any("".join(field.raw_data or ()).strip() for field in form.answer_fields())


def _claimed_without(form, dossier, files: str, slot: str) -> bool:
    """Claim the draft for the checked file (checking a large PDF takes a while: the request
    may have been submitted meanwhile), unless the request already has it (the same file twice
    would be listed twice on the receipt, so say which one it already is; the file is not
    kept to try again) or carries as many as it can (`MAX_FILES_PER_REQUEST`). The look is
    made after the claim, so that another tab adding a file is seen."""
    service.claim_draft(dossier)
    if said := _attached_already(form, dossier, files):
        form.file.errors.append(said)
        _let_go(form, slot)
    elif len(getattr(dossier, files)) >= current_app.config["MAX_FILES_PER_REQUEST"]:
        form.file.errors.append(_full(files, len(getattr(dossier, files))))
    else:
        return True
    db.session.rollback()
    return False


def _kept_for_next_try(form, dossier, files: str, slot: str) -> None:
    """A form refused for another answer keeps its file for the next try, unless the request
    has that very file already: said now, not once the rest is put right."""
    said = _attached_already(form, dossier, files)
    if said is None:
        kept.keep_file(slot, form)
        return
    if not form.file.errors:  # (a file refused for itself says that first)
        form.file.errors.append(said)
    _let_go(form, slot)


def _let_go(form, slot: str) -> None:
    """The file of `form` is not kept: nor is one kept from an earlier try."""
    kept.forget(slot)
    form.kept_file = None


def _attached_already(form, dossier, files: str) -> str | None:
    """What to say if the file `form` carries (chosen now, or kept from an earlier try) is
    attached to the request already; None if it is not (or there is none)."""
    earlier = getattr(form, "kept_file", None)
    content = form.file.content
    if not content and not earlier:
        return None
    digest = hashlib.sha256(content).hexdigest() if content else earlier.sha256
    same = next((item for item in getattr(dossier, files) if item.sha256 == digest), None)
    # A professional's letter is a file of its own, never one of the documents (nor the
    # reverse): the same PDF would support the request twice, under two names.
    other = dossier.hcp_letters if files == "documents" else dossier.documents
    same_other = next((item for item in other if item.sha256 == digest), None)
    if same is not None:
        return _("This file is already attached, as “%(name)s”.", name=same.filename)
    if same_other is None:
        return None
    if files == "documents":
        return _(
            "This file is already attached as a healthcare professional’s letter, "
            "“%(name)s”: a document is a file of its own.",
            name=same_other.filename,
        )
    return _(
        "This file is already attached as a document, “%(name)s”: a healthcare "
        "professional’s letter is a file of its own.",
        name=same_other.filename,
    )


def _already_full(form, dossier, files: str) -> bool:
    """A request that carries as many files of the kind as it can is said so before the file
    chosen is read: reading it costs a check of the hour's budget (`PDF_CHECK_RATE_LIMIT`),
    for nothing. (`_claimed_without` looks again once the draft is claimed.)"""
    held = dossier.documents if files == "documents" else dossier.hcp_letters
    if len(held) < current_app.config["MAX_FILES_PER_REQUEST"]:
        return False
    form.file.errors = [_full(files, len(held))]
    return True


def _full(files: str, count: int) -> str:
    """What one request can carry is bounded (`MAX_FILES_PER_REQUEST` of each kind)."""
    if files == "documents":
        return ngettext(
            "This request has %(num)d document, the most it can carry: remove it if it is no "
            "longer needed, then add this one.",
            "This request has %(num)d documents, the most it can carry: remove one it no "
            "longer needs, then add this one.",
            count,
        )
    return ngettext(
        "This request has %(num)d letter, the most it can carry: remove it if it is no "
        "longer needed, then add this one.",
        "This request has %(num)d letters, the most it can carry: remove one it no longer "
        "needs, then add this one.",
        count,
    )


# The address a refused upload leaves in the browser's address bar (the page is shown again
# there with its errors): opened again, it leads back to the step, where that form is.
@bp.route("/requests/<int:dossier_id>/documents", methods=["GET", "POST"])
@manufacturer_required
def add_document(dossier_id: int):
    if request.method != "POST":
        return _back_to(own_dossier(dossier_id), "clinical-evidence", "#documents")
    dossier = editable_dossier(dossier_id)
    return attach_chosen_document(dossier) or _back_with_typed(
        dossier, "clinical-evidence", "#documents"
    )


def attach_chosen_document(dossier):
    """Attach the document chosen on the evidence step (by its upload button, or along with
    "Save and continue"): None once attached, else the page saying why not (the file chosen
    is kept for the next try, as a letter is)."""
    form = document_form(dossier)
    if _already_full(form, dossier, "documents"):
        return _refused(dossier, "clinical-evidence", form, "document")
    if not form.validate():
        _kept_for_next_try(form, dossier, "documents", document_slot(dossier))
        return _refused(dossier, "clinical-evidence", form, "document")
    if not _claimed_without(form, dossier, "documents", document_slot(dossier)):
        return _refused(dossier, "clinical-evidence", form, "document")
    stored = kept.file_of(form)
    kept.forget(document_slot(dossier))
    db.session.add(
        Document(
            dossier_id=dossier.id,
            kind=form.kind.data,
            filename=stored.filename,
            sha256=stored.sha256,
            size=stored.size,
            uploaded_by_id=current_user.id,
            # Added from a page shown for another case (the request changed in another
            # tab, by a colleague): for that one.
            written_for=(meanwhile.sent_case() or case_mark(dossier.answers()))
            if form.kind.data == DocumentKind.OTHER
            else None,
        )
    )
    db.session.flush()
    _record(dossier, audit.DOCUMENT_UPLOADED, filename=stored.filename, sha256=stored.sha256)
    db.session.commit()
    g.document_attached = True
    flash_at("documents", _("“%(name)s” has been added.", name=stored.filename))
    return None


@bp.route("/requests/<int:dossier_id>/letters", methods=["GET", "POST"])
@manufacturer_required
def add_letter(dossier_id: int):
    if request.method != "POST":  # as for the documents
        return _back_to(own_dossier(dossier_id), "hcp-support", "#letters")
    dossier = editable_dossier(dossier_id)
    return attach_letter(dossier) or back_to_letters(dossier, "#letters", used="letter")


def attach_described_letter(dossier):
    """The letter described on step 9 when the step's own buttons were pressed instead of
    "Upload the letter": attached as that button would (None then), else the page saying what
    is missing. Nothing of a letter given: one kept from an earlier try is let go, as the
    person has emptied its form."""
    if not started("letter"):
        kept.forget(letter_slot(dossier))
        return None
    return attach_letter(dossier)


def started(prefix: str) -> bool:
    """Whether anything was typed or chosen in one of step 9's two forms ("letter", "invite"),
    which the step's form sends along with whatever button was pressed."""
    if prefix == "letter" and pages.file_chosen("letter-file"):
        return True
    return any(
        name.startswith(f"{prefix}-") and value.strip()
        for name, value in request.form.items(multi=True)
    )


def back_to_letters(dossier, anchor: str, *, used: str | None = None, refused=()):
    """Back to step 9 once one of its buttons has done its work (`used`: the form it emptied,
    "invite" or "letter", if any), or with what it `refused` (field id, message). What is
    typed in its forms came along (they belong to the step's form): if there is any, the page
    is shown again with it, unchecked, rather than lost to a redirect (a letter chosen there
    was kept: `keep_chosen_letter`)."""
    if not refused and not any(started(p) for p in ("invite", "letter") if p != used):
        return _back_to(dossier, "hcp-support", anchor)
    forms = {"invite_form": InvitationForm(prefix="invite"), "letter_form": letter_form(dossier)}
    if used is not None:
        blank = InvitationForm if used == "invite" else HcpLetterForm
        forms[f"{used}_form"] = blank(formdata=None, prefix=used)
    step = FLOW.get("hcp-support")
    page = step.form.from_answers(dossier.answers().get(step.id, {}), page=True)
    status = 422 if refused else 200
    return pages.render_step(
        dossier, step, page, status, extra_errors=refused, focus=anchor[1:], **forms
    )


def typed_on_step_nine() -> list[tuple[str, str]]:
    """What step 9's form carried of its letter and invitation being written, for a page on
    the way (a confirmation) to bring back to it (`back_to_letters`)."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name.startswith(("letter-", "invite-"))
    ]


def keep_chosen_letter(dossier) -> None:
    """A letter chosen on step 9 that came along with another of its buttons: kept for the
    letter form (a browser never sends a file twice), if it is a PDF it would accept."""
    if pages.file_chosen("letter-file"):
        form = letter_form(dossier)
        # (one attached already is not kept: its upload would only be refused)
        if form.file.validate(form) and _attached_already(form, dossier, "hcp_letters") is None:
            kept.keep_file(letter_slot(dossier), form)


def letter_form(dossier) -> HcpLetterForm:
    """The letter form as sent, with the file kept from an earlier try (if any)."""
    form = HcpLetterForm(prefix="letter")
    form.kept_file = kept.kept_file(letter_slot(dossier))
    return form


def attach_letter(dossier):
    """Attach the letter described on step 9: None once attached, else the page saying why
    not (the file chosen is kept for the next try)."""
    form = letter_form(dossier)
    if _already_full(form, dossier, "hcp_letters"):
        return _refused(dossier, "hcp-support", form, "letter")
    if not form.validate():
        _kept_for_next_try(form, dossier, "hcp_letters", letter_slot(dossier))
        return _refused(dossier, "hcp-support", form, "letter")
    if not _claimed_without(form, dossier, "hcp_letters", letter_slot(dossier)):
        return _refused(dossier, "hcp-support", form, "letter")
    stored = kept.file_of(form)
    kept.forget(letter_slot(dossier))
    db.session.add(
        HcpLetter(
            dossier_id=dossier.id,
            author_name=form.author_name.data,
            author_rpps=form.author_rpps.data,
            specialty=form.specialty.data,
            establishment=form.establishment.data,
            letter_date=form.letter_date.data.isoformat(),
            filename=stored.filename,
            sha256=stored.sha256,
            size=stored.size,
            source="upload",
            uploaded_by_id=current_user.id,
            **HcpLetter.written_for_now(dossier.answers()),
        )
    )
    service.letters_step_answered(dossier)
    db.session.flush()
    _record(
        dossier,
        audit.LETTER_UPLOADED,
        name=form.author_name.data,
        filename=stored.filename,
        sha256=stored.sha256,
    )
    db.session.commit()
    flash_at("letters", _("The letter from %(name)s has been added.", name=form.author_name.data))
    return None


def _record(dossier, action: str, **detail: str) -> None:
    """A file added to or removed from the draft, in the audit trail that reviewers read (who,
    when, which file by its hash). Written last, once the file's row is: the trail's lock is
    held until the commit."""
    audit.record(dossier.id, action, audit.Actor.of(current_user), detail=detail)


def document_form(dossier) -> DocumentForm:
    """The document form as sent, with the file kept from an earlier try (if any); blank once
    the document it sent is attached, as after a redirect: the next file is not filed under
    the last one's type unseen (the page may be shown again for the step's own answers)."""
    if g.get("document_attached"):
        return DocumentForm(formdata=None, prefix="document")
    form = DocumentForm(prefix="document")
    form.kept_file = kept.kept_file(document_slot(dossier))
    return form


def document_chosen(dossier) -> bool:
    """Whether a document was given along with the step's own buttons: a file chosen, or a
    type chosen for the file kept from a refused try (a type alone, with no file, is not a
    document). A kept file whose type is still not chosen stays kept when the step is saved
    for later; on "Save and continue" it is let go, and the next page says so."""
    held = kept.kept_file(document_slot(dossier))
    if pages.file_chosen("document-file"):
        return True
    if held is None:
        return False
    if request.form.get("document-kind", "").strip():
        return True
    if request.form.get("action") != "save_exit":
        g.document_let_go = held  # if the step is left (`pages.let_go_of_untyped_document`)
    return False


def document_slot(dossier) -> str:
    """Where this browser's session keeps the document chosen on a refused try."""
    return f"filing-document-{dossier.id}"


def letter_slot(dossier) -> str:
    """Where this browser's session keeps the letter chosen on a refused try (`wizard.kept`)."""
    return f"filing-letter-{dossier.id}"


def _attachment(model, dossier_id: int, item_id: int):
    dossier = own_dossier(dossier_id)
    item = db.session.get(model, item_id)
    if item is None or item.dossier_id != dossier.id:
        files = "documents" if model is Document else "hcp_letters"
        abort(_gone(dossier, files, _("This file is no longer part of the request")))
    return dossier, item


def _gone(dossier, files: str, title: str):
    """The page of a file, or of a removal to undo, that the organisation's own request no
    longer holds (removed or put back in another tab, or by a colleague; a removal
    forgotten after two days): said so, with the way back to the request's files, not
    "Page not found" and its advice to sign in with another organisation's account."""
    step_id, section = PLACES[files]
    if dossier.is_draft:
        back = url_for(".step", dossier_id=dossier.id, step_id=step_id, _anchor=section)
    else:
        back = url_for(".submitted", dossier_id=dossier.id)
    page = render_template(
        "error.html",
        title=title,
        detail=_(
            "It may have been removed, or put back, in another tab or by a colleague. The "
            "request's files are listed on its page."
        ),
        home=back,
        home_label=_("Back to the request"),
    )
    return current_app.make_response((page, 404))


@bp.get("/requests/<int:dossier_id>/documents/<int:item_id>")
@manufacturer_required
def download_document(dossier_id: int, item_id: int):
    dossier, item = _attachment(Document, dossier_id, item_id)
    return downloads.send_stored(dossier, "document", item)


@bp.get("/requests/<int:dossier_id>/letters/<int:item_id>")
@manufacturer_required
def download_letter(dossier_id: int, item_id: int):
    dossier, item = _attachment(HcpLetter, dossier_id, item_id)
    return downloads.send_stored(dossier, "hcp_letter", item)


# The address a removal leaves in the address bar when the step is shown again with what
# was typed: opened again (a reload, a change of language), it leads back to the step.
@bp.route("/requests/<int:dossier_id>/documents/<int:item_id>/delete", methods=["GET", "POST"])
@manufacturer_required
def delete_document(dossier_id: int, item_id: int):
    dossier = own_dossier(dossier_id)
    if request.method != "POST":
        return _back_to(dossier, "clinical-evidence", "#documents")
    item = db.session.get(Document, item_id)
    if item is not None and item.dossier_id == dossier.id:
        service.claim_draft(dossier)
        removal = _set_aside(dossier, item, "documents")
        _record(dossier, audit.DOCUMENT_REMOVED, filename=item.filename, sha256=item.sha256)
        db.session.commit()
        _say_removed(
            "documents",
            _("“%(name)s” has been removed.", name=item.filename),
            removal,
            _("Put the document back"),
        )
    elif item is not None:
        abort(404)
    else:
        _removed_already(dossier, "documents", item_id)
    # What was typed in the step came along (the button is part of its form): kept, also
    # when the document was removed already (the page sent again).
    return _back_with_typed(dossier, "clinical-evidence", "#documents")


@bp.route("/requests/<int:dossier_id>/letters/<int:item_id>/delete", methods=["GET", "POST"])
@manufacturer_required
def delete_letter(dossier_id: int, item_id: int):
    """Remove a letter. One a professional sent through an invitation is removed after a page
    that says so: it cannot be had again but by inviting them again."""
    dossier, item = _draft_letter(dossier_id, item_id)
    if item is None:
        return _letter_gone(dossier, item_id)
    received = item.invitation is not None
    if received and request.form.get("confirmed") == "no":  # "Keep it"
        return back_to_letters(dossier, "#letters")
    if received and request.form.get("confirmed") != "yes":
        keep_chosen_letter(dossier)  # sent along from step 9's form
        return render_template(
            "filing/remove_letter.html",
            dossier=dossier,
            letter=item,
            return_to=request.args.get("return_to"),
            carried=typed_on_step_nine(),
        )
    if request.method != "POST":
        return _back_to(dossier, "hcp-support", "#letters")
    keep_chosen_letter(dossier)  # sent along from step 9's form
    service.claim_draft(dossier)
    # One received through a link is not set aside: its removal's page said it cannot be
    # had again but by a new invitation.
    if received:
        removal = None
        db.session.delete(item)
        db.session.flush()
    else:
        removal = _set_aside(dossier, item, "hcp_letters")
    _record(
        dossier,
        audit.LETTER_REMOVED,
        name=item.author_name,
        filename=item.filename,
        sha256=item.sha256,
    )
    db.session.commit()
    said = _("The letter from %(name)s has been removed.", name=item.author_name)
    if removal is None:
        flash_at("letters", said)
    else:
        _say_removed("letters", said, removal, _("Put the letter back"))
    return back_to_letters(dossier, "#letters")


@bp.route("/requests/<int:dossier_id>/letters/<int:item_id>/checked", methods=["GET", "POST"])
@manufacturer_required
def letter_checked(dossier_id: int, item_id: int):
    """A letter written for another patient, or while the request had the other type of
    access, said by the manufacturer to support the request as it is now (the patient's
    initials corrected, say): it counts as written for it, no longer flagged to them or to
    ANSM, and the audit trail that ANSM reads says who said so. What is typed on step 9
    came along (the button is part of its form) and is kept."""
    if request.method != "POST":  # reloaded: the request's page, filed since or not
        return _back_to(own_dossier(dossier_id), "hcp-support", "#letters")
    dossier, item = _draft_letter(dossier_id, item_id)
    if item is None:
        return _letter_gone(dossier, item_id)
    keep_chosen_letter(dossier)  # sent along from step 9's form
    service.claim_draft(dossier)
    if item.case_now() != request.form.get("case_shown"):
        # The patient or the type of access changed since the page showed them (a colleague,
        # another tab): what the manufacturer checked the letter against is no longer so.
        db.session.rollback()
        flash_at(
            "letters",
            {
                "text": _(
                    "The request's patient or type of access changed since this page was "
                    "opened: check the letter from %(name)s against it again.",
                    name=item.author_name,
                ),
                "warning": "yes",
            },
        )
        return back_to_letters(dossier, "#letters")
    if item.written_for_another_case:
        other_patient = item.written_for_other_patient()
        for column, value in HcpLetter.written_for_now(dossier.answers_now()).items():
            setattr(item, column, value)
        detail = {"name": item.author_name, "filename": item.filename}
        if other_patient:
            detail |= {"initials": other_patient["initials"], "year": other_patient["birth_year"]}
        _record(dossier, audit.LETTER_CHECKED, **detail)
        db.session.commit()
    else:  # said so already (a colleague, the page sent twice): nothing to change
        db.session.rollback()
    flash_at(
        "letters",
        _(
            "The letter from %(name)s now counts for this request as it is: ANSM sees that "
            "you checked it.",
            name=item.author_name,
        ),
    )
    return back_to_letters(dossier, "#letters")


def _draft_letter(dossier_id: int, item_id: int) -> tuple:
    """The draft of one's own organisation, and its letter `item_id` (None: removed
    meanwhile); another request's letter is not found, a filed request's not changed."""
    dossier = own_dossier(dossier_id)
    item = db.session.get(HcpLetter, item_id)
    if item is not None and item.dossier_id != dossier.id:
        abort(404)
    if not dossier.is_draft:
        abort(409)
    return dossier, item


def _letter_gone(dossier, item_id: int):
    """A "Remove" on a letter removed meanwhile (in another tab, by a colleague, the page sent
    twice): said, and what was typed on step 9 kept, as after a removal."""
    if request.method != "POST":
        return _back_to(dossier, "hcp-support", "#letters")
    keep_chosen_letter(dossier)  # sent along from step 9's form
    _removed_already(dossier, "hcp_letters", item_id)
    return back_to_letters(dossier, "#letters")


def _removed_already(dossier, files: str, item_id: int) -> None:
    """Say that a file a "Remove" was sent for was removed already (a double click, another
    tab, a colleague): with its button to put it back while it can be, as its removal said."""
    removal = db.session.scalar(
        select(RemovedFile)
        .where(
            RemovedFile.dossier_id == dossier.id,
            RemovedFile.files == files,
            RemovedFile.item_id == item_id,
            RemovedFile.removed_at >= clock.now() - timedelta(hours=RemovedFile.KEPT_FOR_HOURS),
        )
        .order_by(RemovedFile.id.desc())
        .limit(1)
    )
    if removal is not None and any(
        item.sha256 == removal.item["sha256"] for item in getattr(dossier, files)
    ):
        removal = None  # put back since (a new row): nothing to offer
    section = PLACES[files][1]
    if files == "documents":
        said = _("This document was removed already, in another tab or by a colleague.")
        button = _("Put the document back")
    else:
        said = _("This letter was removed already, in another tab or by a colleague.")
        button = _("Put the letter back")
    if removal is None:
        flash_at(section, said)
    else:
        _say_removed(section, said, removal, button)


def _set_aside(dossier, item, files: str) -> RemovedFile:
    """Remove a file the manufacturer added (the draft claimed), keeping its row as it was
    for a while (`RemovedFile`), and its stored file from the next `uploads prune`, so that a
    removal made by mistake can be undone (`put_back`)."""
    columns = {
        column.key: getattr(item, column.key)
        for column in item.__table__.columns
        if column.key not in ("id", "dossier_id")
    }
    del columns["uploaded_at"]  # put back, it is added again (`_put_back`)
    uploads.keep(item.sha256)
    db.session.delete(item)
    removal = RemovedFile(dossier_id=dossier.id, files=files, item=columns, item_id=item.id)
    db.session.add(removal)
    db.session.flush()
    return removal


def _say_removed(section: str, said: str, removal: RemovedFile, button: str) -> None:
    """The removal confirmed in its section, with the button that undoes it (part of the
    step's form, as "Remove" is: what is typed goes along). Shown once, as the confirmation
    is: a mistaken "Remove" is put right at once, without finding the file again."""
    url = url_for(
        ".put_back",
        dossier_id=removal.dossier_id,
        removal_id=removal.id,
        # Its list of files, said back if the removal is forgotten (`put_back`).
        at=section,
        return_to=request.args.get("return_to"),
    )
    # Not said twice: the first of two sends (a double click) may have left it waiting.
    waiting = session.get("_flashes", [])
    if any(isinstance(message, dict) and message.get("undo") == url for _at, message in waiting):
        return
    flash_at(section, {"text": said, "undo": url, "button": button})


@bp.route("/requests/<int:dossier_id>/removals/<int:removal_id>", methods=["GET", "POST"])
@manufacturer_required
def put_back(dossier_id: int, removal_id: int):
    """Undo the removal of a document, or of a letter the manufacturer uploaded: the file back
    in the draft as it was (its type, the case it was added for), unless it is
    there again already, the removal is more than two days old (`RemovedFile`), or the
    request carries as many files as it can."""
    dossier = own_dossier(dossier_id)
    removal = db.session.get(RemovedFile, removal_id)
    if removal is None or removal.dossier_id != dossier.id:
        # The file's removal undone already, or forgotten once two days old: back to the list
        # its button was in, as its address says.
        files = "hcp_letters" if request.args.get("at") == "letters" else "documents"
        abort(_gone(dossier, files, _("This removal can no longer be undone")))
    step_id, section = PLACES[removal.files]
    if request.method != "POST":
        return _back_to(dossier, step_id, f"#{section}")
    if removal.files == "hcp_letters":
        keep_chosen_letter(dossier)  # sent along from step 9's form
    service.claim_draft(dossier)
    said = _put_back(dossier, removal)
    db.session.commit()
    flash_at(section, said)
    if removal.files == "documents":
        return _back_with_typed(dossier, step_id, "#documents")
    return back_to_letters(dossier, "#letters")


# Where each list of files is: its step, and its section there.
PLACES = {
    "documents": ("clinical-evidence", "documents"),
    "hcp_letters": ("hcp-support", "letters"),
}


def _put_back(dossier, removal: RemovedFile) -> dict[str, str]:
    """Put the file `removal` took out of the draft back in it (the draft claimed), if it
    can be; what to say."""
    removed, files = removal.item, removal.files
    name = removed["filename"]
    held = getattr(dossier, files)
    if any(item.sha256 == removed["sha256"] for item in held):
        return {"text": _("“%(name)s” is attached already.", name=name)}
    other = dossier.hcp_letters if files == "documents" else dossier.documents
    same_other = next((item for item in other if item.sha256 == removed["sha256"]), None)
    if same_other is not None:
        return {
            "text": _(
                "“%(name)s” cannot be put back: the same file is attached as “%(other)s”.",
                name=name,
                other=same_other.filename,
            ),
            "warning": "yes",
        }
    uploads.keep(removed["sha256"])  # kept from a clean-up about to run, if still there
    too_old = clock.as_utc(removal.removed_at) < clock.now() - timedelta(
        hours=RemovedFile.KEPT_FOR_HOURS
    )
    if too_old or uploads.file_problem(removed["sha256"], removed.get("size")) is not None:
        return {
            "text": _("“%(name)s” can no longer be put back: add it again.", name=name),
            "warning": "yes",
        }
    if len(held) >= current_app.config["MAX_FILES_PER_REQUEST"]:
        return {"text": _full(files, len(held)), "warning": "yes"}
    model = Document if files == "documents" else HcpLetter
    # Added again, now, by this person: a signer who checked the request before is shown it
    # among what changed since (`signing.changes_since`).
    again = {"uploaded_at": clock.now(), "uploaded_by_id": current_user.id}
    db.session.add(model(**{**removed, **again}, dossier_id=dossier.id))
    if files == "hcp_letters":
        service.letters_step_answered(dossier)
    db.session.flush()
    what = {"filename": name, "sha256": removed["sha256"]}
    if files == "documents":
        _record(dossier, audit.DOCUMENT_PUT_BACK, **what)
        return {"text": _("“%(name)s” has been put back.", name=name)}
    author = removed["author_name"]
    _record(dossier, audit.LETTER_PUT_BACK, name=author, **what)
    return {"text": _("The letter from %(name)s has been put back.", name=author)}
