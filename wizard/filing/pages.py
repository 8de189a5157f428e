"""The question pages of the wizard: one handler serves every step that asks questions (its
page, its live checks, its save), with what each step's page shows besides its form. The last
pages (check your answers, declaration, confirmation) are `submission`'s."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from flask import (
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm

from wizard import kept, unsent, uploads
from wizard.filing import meanwhile, service
from wizard.filing.legacy import legacy_notice, legacy_until, warn_of_legacy_certificate
from wizard.filing.suggested import suggested_answers
from wizard.filing.summary import written_for
from wizard.flow.engine import Step, StepKind
from wizard.flow.steps import FLOW, access_type, has_hcp_letter
from wizard.forms.base import StepForm
from wizard.forms.invitations import InvitationForm
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.i18n import switch_to_the_language_asked
from wizard.models import Dossier
from wizard.models.dossier import ABOUT_THE_CASE, case_mark, patient_mark
from wizard.web import flash_at, labelled_message, live_field, posted_number, refused_status

_ANY_STEP = "any-step"


def render_step(
    dossier: Dossier,
    step: Step,
    form,
    status: int = 200,
    changed: service.StepChanged | None = None,
    unfinished: set[str] | None = None,
    sent_revision: str | None = None,
    **extra,
):
    """A step's page; `unfinished`: `FLOW.unfinished`, if the caller has it already;
    `sent_revision`: the step's revision its answers were typed on, if not the one saved."""
    answers = dossier.answers()
    if unfinished is None:
        unfinished = FLOW.unfinished(dossier, answers)
    # One address built, the others from it (the side list of steps has fourteen).
    step_url = url_for(".step", dossier_id=dossier.id, step_id=_ANY_STEP)
    position, total = FLOW.progress(step, answers)
    previous = FLOW.previous(step, answers)
    extras = _owned({**step_extras(dossier, step, answers), **extra})
    if extras.get("extra_errors"):
        extras["extra_errors"] = _beside_their_fields(extras["extra_errors"], extras)
    shown = changed and meanwhile.described(changed, step, form, answers)  # a save refused
    if changed is None and request.method == "POST" and step.is_question:
        # Refused for another reason (a mistyped answer, a file): a colleague's save made
        # since the page was opened is said now, before the next try overwrites it.
        changed = service.newer_save_of(
            dossier, step.id, meanwhile.sent_revision(), current_user, meanwhile.sent_page()
        )
        shown = changed and meanwhile.described(changed, step, form, answers)
        if shown and not shown["differing"]:
            changed = shown = None  # nothing of theirs would be lost
    carried, written_for_another = dossier.carried_over(), dossier.written_for_another()
    return (
        render_template(
            step.template,
            dossier=dossier,
            step=step,
            form=form,
            position=position,
            total=total,
            previous=previous,
            outline=[
                # The declaration's own address carries the version checked: kept.
                (
                    other,
                    state,
                    request.full_path.rstrip("?")
                    if other is step and step.kind == StepKind.DECLARATION
                    else step_url.replace(_ANY_STEP, other.id),
                )
                for other, state in FLOW.outline(
                    step, answers, {*carried, *written_for_another}, unfinished
                )
            ],
            written_for_another=written_for_another,
            return_to=request.args.get("return_to"),
            unfinished=request.args.get("unfinished"),  # before a change (after_save_target)
            validate_url=live_check_url(dossier, step),
            carried_from=carried.get(step.id),
            written_for=written_for(written_for_another.get(step.id), answers),
            shown_for=_shown_for(step, answers),
            # Sent back with the answers: a save made since by someone else, or from another
            # page (another tab), is not overwritten.
            page_id=meanwhile.page_id(),
            saved_revision=changed.revision
            if changed
            else sent_revision or dossier.revision_of(step.id),
            # An upload or an invitation refused on the page: its title says "Error" too.
            side_errors=any(isinstance(v, FlaskForm) and v.errors for v in extras.values()),
            changed=shown,
            # The revision the page was first opened at, while it says a colleague's save
            # stopped its own: sent back by its language switch (`in_the_other_language`).
            opened_revision=(request.form.get("opened_revision") or meanwhile.sent_revision())
            if shown and request.method == "POST"
            else None,
            **extras,
        ),
        status,
    )


def _beside_their_fields(errors, extras: dict) -> list[tuple[str, str]]:
    """What blocks the step, said next to the field it is about when that field is one of
    the page's other forms (the document to upload, the invitation typed), as a refused
    answer is, and so in the error summary through that form; the rest (a field elsewhere,
    a whole section) stays in the summary only."""
    fields = {
        field.id: field for form in extras.values() if isinstance(form, FlaskForm) for field in form
    }
    rest = []
    for target, message in errors:
        field = fields.get(target)
        if field is None:
            rest.append((target, message))
        elif message not in field.errors:
            field.errors = [*field.errors, message]
    return rest


def step_extras(dossier: Dossier, step: Step, answers) -> dict:
    """What a particular step's page shows besides its form, named by step id."""
    extras: dict = {}
    if step.id == "situation":
        extras["legacy_notice"] = legacy_notice(answers)
        extras["legacy_until"] = legacy_until(answers, extras["legacy_notice"])
    # Their forms with a file kept from a refused try, said wherever they show (it is used).
    if step.id == "clinical-evidence":
        from wizard.filing.attachments import document_form

        extras["document_form"] = document_form(dossier)
    if step.id == "access-type":
        # What a change of type would leave behind, said before it is made.
        chosen = access_type(answers)
        own_step = {"individual": "patient", "global": "scope"}.get(chosen or "")
        if own_step in answers:
            other_step = "scope" if chosen == "individual" else "patient"
            other = "global" if chosen == "individual" else "individual"
            # The case the request would then be for: the device, or the patient named before
            # (unknown until one is named).
            then = case_mark({**answers, "access-type": {"access_type": other}})
            extras["changing_type"] = {
                "from": chosen,
                # The other type's own step answered before: used again, not asked.
                "other_answered": other_step in answers,
                # Marked after the change: those not written for the other type already.
                "letters": any(
                    letter.written_for and letter.written_for != other
                    for letter in dossier.hcp_letters
                ),
                # Looked at again after a change (`written_for`): those not written for the
                # case the request would be for (all of them, while that is unknown), named.
                "case_steps": _quoted_titles(
                    dossier.written_for_other_than(then)
                    if then
                    else [step for step in ABOUT_THE_CASE if step in answers]
                ),
            }
    if step.id == "hcp-support":
        from wizard.filing.attachments import letter_form, started

        extras["letter_form"] = letter_form(dossier)
        extras["letter_typed"] = request.method == "POST" and started("letter")
        extras["invite_form"] = InvitationForm(prefix="invite")
        # A letter that counts (one more than a year old does not): else the step asks for one.
        extras["counting_letters"] = has_hcp_letter(dossier)
        # Said in place of the invitation form until the letter's case is named.
        extras["invite_first"] = not_invitable_yet(answers)
        extras["not_invitable_yet"] = NOT_INVITABLE_YET
        extras["kind"] = access_type(answers)  # the lead speaks of one patient or of several
    return extras


def not_invitable_yet(answers) -> list[tuple[Step, str]]:
    """What the request must name before a professional is invited, since their email and
    page say what their letter supports: the device, the type of access and, for one patient,
    that patient (a letter received before would support whichever patient came next); for
    the device as a whole, its indication and the patients it is for. Each
    missing one at once, with its step; empty once invitations can be sent."""
    missing = []
    if not answers.get("device", {}).get("trade_name"):
        missing.append((FLOW.get("device"), _("Name the device")))
    kind = access_type(answers)
    if kind is None:
        missing.append(
            (
                FLOW.get("access-type"),
                _("Choose the type of access: for one patient, or for the device as a whole"),
            )
        )
    if kind != "global" and patient_mark(answers) is None:
        name_the_patient = _("Name the patient: their initials and year of birth")
        if kind is None:
            name_the_patient = _(
                "For one patient, name the patient: their initials and year of birth"
            )
        missing.append((FLOW.get("patient"), name_the_patient))
    if kind == "global" and not answers.get("scope", {}).get("indication"):
        # Their page shows the indication and the patients the device is for.
        missing.append(
            (
                FLOW.get("scope"),
                _("Describe the indication and the patients the device is for"),
            )
        )
    return missing


NOT_INVITABLE_YET = _l(
    "Before you invite a healthcare professional, the request must say what their letter "
    "supports: their email and page name it."
)


def _owned(extras: dict) -> dict:
    """The upload and invitation fields of steps 7 and 9 sit beside the step's form and belong
    to it (`form="step-form"`), whether new or come back refused: one form sends them with
    what else is typed on the page, so that no button leaves the rest behind."""
    for name in ("document_form", "invite_form", "letter_form"):
        if (owned := extras.get(name)) is not None:
            owned_by_the_step(owned)
    return extras


def owned_by_the_step(form):
    """`form`'s fields, written as belonging to the step's form (`_owned`)."""
    for field in form:
        field.render_kw = {**(field.render_kw or {}), "form": "step-form"}
    return form


def question(dossier: Dossier, step: Step):
    if request.method == "POST" and "switch_language" in request.form:
        return in_the_other_language(dossier, step)
    answers = dossier.answers()
    # Given back to a page a person opens (GET): a HEAD, whose page is not shown, takes none.
    if request.method == "GET" and (sent := unsent.take(dossier.id, step.id)) is not None:
        # Sent once signed out, and kept for this browser: filled in again, not saved.
        values, revision = sent
        form = step.form(formdata=values)
        form.context = answers
        return render_step(dossier, step, form, sent_revision=revision, unsent_answers=True)
    if request.method != "POST":
        offered = suggested_answers(step.id, dossier, answers, current_user)
        values = answers.get(step.id) or offered
        form = step.form.from_answers(values, context=answers, page=True)
        unfinished = FLOW.unfinished(dossier, answers)
        check, stricter = None, False
        if step.id in answers and step.id not in unfinished:
            check = step.form.from_answers(values, context=answers)
            if not check.validate():
                # Saved finished, and wrong since for a reason no save noted nor the list
                # of steps checks (a rule made stricter since, a question added since): said
                # as below, a question left blank too, which the person answered none of.
                unfinished, stricter = {*unfinished, step.id}, True
        if step.id not in unfinished:
            if check is not None:
                _show_warnings(form, check)
            return render_step(dossier, step, form, unfinished=unfinished, suggested=bool(offered))
        # Saved but not finished (saved for later, or made wrong since by another answer or
        # by time): what is given but wrong is said, as a save would say it, where the list
        # of steps only says "not finished"; a question left blank is plain to see, and not
        # called wrong before the step is sent. Not an alert: nothing was sent.
        if check is None:
            check = step.form.from_answers(values, context=answers)
            check.validate()
        _show_errors(form, check, blank_too=stricter)
        return render_step(
            dossier,
            step,
            form,
            unfinished=unfinished,
            extra_errors=step.missing(dossier),
            reopened=True,
            # Its answers saved unfinished (for later, or made wrong by another step's), not
            # only a document or letter it needs missing (one removed since).
            saved_unfinished=step.id in dossier.saved_unfinished(),
        )
    if step.id == "clinical-evidence":
        # A document chosen, then "Save and continue" rather than its upload button: both.
        from wizard.filing.attachments import attach_chosen_document, document_chosen

        if document_chosen(dossier) and (refused := attach_chosen_document(dossier)):
            return refused
    if step.id == "hcp-support":
        # A letter described, or an invitation typed, then "Save and continue" rather than
        # their own buttons: the letter is attached; the invitation is not sent unasked.
        from wizard.filing.attachments import attach_described_letter, started
        from wizard.filing.invitations import unsent_invitation

        attached = started("letter")
        if refused := attach_described_letter(dossier):
            return refused
        if refused := unsent_invitation(dossier, letter_attached=attached):
            return refused
    form: StepForm = step.form()
    form.context = answers
    valid = form.validate()
    if not valid and request.form.get("action") == "save_exit":
        return save_unfinished(dossier, step, form, answers)
    blocking = step.missing(dossier) if request.form.get("action") != "save_exit" else []
    if valid and not blocking:
        from_the_summary = request.args.get("return_to") == "check"
        unfinished_before = _unfinished_before_the_change(dossier) if from_the_summary else set()
        if changed := meanwhile.save_answers(dossier, step, form.to_answers()):
            return render_step(dossier, step, form, refused_status(409), changed)
        target = after_save_target(dossier, step, unfinished_before)
        # Accepted, worth a second look: said on the next page, but on the summary, which
        # says it beside the answer.
        if target.partition("#")[0] != url_for(".step", dossier_id=dossier.id, step_id="check"):
            for field in form.answer_fields():
                if getattr(field, "warning", None):
                    flash(labelled_message(field.label.text, field.warning), "warning")
        if step.id == "situation":
            warn_of_legacy_certificate(dossier.answers())
        if step.id == "hcp-support":
            say_no_letter_yet(dossier)
        let_go_of_untyped_document(dossier)
        return redirect(target, code=303)
    changed = None
    if valid and request.form.get("action") != "save_exit":
        # The answers are fine: keep them, then say what else the step needs.
        changed = meanwhile.save_answers(dossier, step, form.to_answers())
    status = refused_status(409 if changed else 422)
    # A page refused keeps what was typed, but only in the page: said, for a person who would
    # leave it believing the portal's "your answers are saved on each step".
    return render_step(
        dossier,
        step,
        form,
        status,
        changed,
        extra_errors=blocking,
        unsaved=_not_saved_note(step, form) if not valid else None,
    )


def _not_saved_note(step: Step, form: StepForm) -> str:
    """What the error summary says of a step refused: its answers not saved yet; of the
    first step answered so that the portal is not the way ("No, not the manufacturer", "Yes,
    custom-made"), that it is not (nothing to correct, unless an answer was a slip)."""
    if step.id == "before-you-start" and any(
        field.data in ("yes", "no") and field.errors for field in form.answer_fields()
    ):
        return _(
            "From your answers, this request cannot be filed here: the reason is said below. "
            "If an answer was a slip, change it to go on."
        )
    return str(NOT_SAVED_YET)


def say_no_letter_yet(dossier: Dossier) -> None:
    """The letters' step left with no letter and no professional invited: it does not stop
    the filer (a letter may come by other ways, later), but the next page says what the
    request still needs, as the evidence step says it of its report."""
    if has_hcp_letter(dossier) or any(invitation.is_open for invitation in dossier.invitations):
        return
    flash(
        _(
            "The request has no healthcare professional's letter yet: it can be submitted only "
            "with one. Come back to the step “Healthcare professionals' letters” to invite a "
            "professional or to upload a letter you hold."
        ),
        "warning",
    )


def let_go_of_untyped_document(dossier: Dossier) -> None:
    """The file kept from a refused upload whose type "Save and continue" still did not
    choose (`attachments.document_chosen`): let go as the step is left, and said on the next
    page. Shown again (other answers to correct), the step keeps it and asks for its type."""
    held = g.pop("document_let_go", None)
    if held is None:
        return
    from wizard.filing.attachments import document_slot

    kept.forget(document_slot(dossier))
    flash(
        _(
            "“%(name)s” was not added: its type was not chosen. Choose the file again on "
            "the step “Clinical evidence” to add it.",
            name=held.filename,
        ),
        "warning",
    )


NOT_SAVED_YET = _l(
    "What you typed on this page is not saved yet. Correct the answers listed, or choose "
    "“Save and come back later” to keep the others."
)


def in_the_other_language(dossier: Dossier, step: Step):
    """A step's page in the language its switch asks for, with what was typed in it: the
    switch is a button of the step's form (base.html), so that changing language loses
    nothing typed, JavaScript off too, where a link would. Nothing is saved, no file is
    added (one chosen is asked for again), no invitation sent."""
    switch_to_the_language_asked()
    answers = dossier.answers()
    form = step.form()
    form.context = answers
    # What was wrong is said again, in this language: all of it if the page said it (a save
    # refused), else what is typed and wrong, not a question left blank before the step is
    # sent (as a step saved unfinished shows when opened).
    check = step.form()
    check.context = answers
    check.validate()
    said = request.form.get("errors_shown") == "y"
    _show_errors(form, check, blank_too=said)
    # A page saying that a colleague's save stopped this one (409) says it again: it sends
    # back the revision it was first opened at (`opened_revision`), until the next save.
    opened = posted_number("opened_revision")
    changed = None
    if opened is not None:
        changed = service.newer_save_of(
            dossier, step.id, opened, current_user, meanwhile.sent_page()
        )
    # A file chosen is not sent (app.js empties it and says so: `file_not_sent`).
    chosen = "file_not_sent" in request.form or any(f.filename for f in request.files.values())
    return render_step(
        dossier,
        step,
        form,
        changed=changed,
        reopened=True,  # errors said, not alerted: nothing was sent to be checked
        language_errors=said and bool(form.errors),
        language_switched=True,
        file_not_kept=chosen,
    )


def save_unfinished(dossier: Dossier, step: Step, form: StepForm, answers):
    """ "Save and come back later" on a step not finished: each answer that is right on its
    own is kept, and the step stays to be finished (resuming leads back to it). An answer typed
    wrong is shown again with its error rather than dropped without a word; what was saved
    for it before stays until it is corrected."""
    before = answers.get(step.id, {})
    mistyped = [field for field in form.answer_fields() if field.errors and _typed(field)]
    kept = _consistent(step, form.to_answers(skip_errors=True), answers)
    for field in mistyped:  # the earlier answer stays, if it fits with the new ones
        if field.name in before:
            trial = {**kept, field.name: before[field.name]}
            # …or if it is wrong on its own, saved before a rule made stricter since: kept
            # as it was (the step is unfinished), not deleted for a rule it never met.
            if _consistent(step, trial, answers) == trial or _wrong_alone(
                step, field.name, before[field.name], answers
            ):
                kept = trial
    if kept or before:
        # Not finished, unless what is kept is whole and right (a mistyped answer that kept
        # the earlier one, every other answer given): `finished` says what the summary, the
        # submission and the next save of another step (`_check_the_others_again`) find.
        whole = step.form.from_answers(kept, context={**answers, step.id: kept}).validate()
        if changed := meanwhile.save_answers(
            dossier, step, kept, checked=not mistyped, finished=whole
        ):
            _only_mistyped_called_wrong(form)
            return render_step(dossier, step, form, refused_status(409), changed)
    if not mistyped:
        flash(
            _(
                "Your answers are saved. This step is not finished: you can come back to it at "
                "any time."
            )
        )
        return redirect(url_for(".dashboard"), code=303)
    if kept or before:
        said = _(
            "Your other answers on this page are saved. Correct the answers shown below, or "
            "clear them, to save them too."
        )
    else:  # only mistyped answers: nothing to save
        said = _(
            "Nothing on this page is saved yet. Correct the answers shown below, or clear "
            "them, to save the step."
        )
    flash(said, "warning")
    _only_mistyped_called_wrong(form)
    return render_step(dossier, step, form, refused_status())


def _wrong_alone(step: Step, name: str, value, answers) -> bool:
    """Whether the answer `value` to `name` breaks a rule of its own, whatever the others."""
    check = step.form.from_answers({name: value}, context=answers)
    check.validate()
    return bool(check[name].errors)


def _only_mistyped_called_wrong(form: StepForm) -> None:
    """Saving for later leaves blanks blank: only what blocks saving is called wrong."""
    for field in form.answer_fields():
        if not _typed(field):
            field.errors = []


def _consistent(step: Step, values: dict, answers) -> dict:
    """`values` without the answers that do not hold together with the others (an end before
    its start); each answer alone was already right."""
    for _pass in range(3):
        check = step.form.from_answers(values, context=answers)
        consistent = values if check.validate() else check.to_answers(skip_errors=True)
        if consistent == values:
            break
        values = consistent
    return values


def _show_errors(form: StepForm, check: StepForm, *, blank_too: bool = False) -> None:
    """The errors `check` (the same answers, validated) found, shown on `form`'s questions:
    those of a question answered; of a blank one too with `blank_too` (the page had said it)."""
    for field in form.answer_fields():
        checked = check[field.name]
        field.errors = checked.errors if blank_too or _typed(checked) else []


def _show_warnings(form: StepForm, check: StepForm) -> None:
    """What `check` (the same answers, validated) warns of, shown on `form`'s questions as its
    save said it: an answer another step has since contradicted (the MDR application's date
    changed on the situation step) is pointed out where it is, not only on the summary."""
    for field in form.answer_fields():
        if warning := getattr(check[field.name], "warning", None):
            field.warning = warning


def _typed(field) -> bool:
    return any(str(value).strip() for value in field.raw_data or ())


def file_chosen(name: str) -> bool:
    """Whether a file was chosen in the field `name`: sent, or kept back by the page's
    script for its size (to be refused for it)."""
    chosen = request.files.get(name)
    return bool(chosen and chosen.filename) or bool(uploads.too_big_in_browser(name))


def _unfinished_before_the_change(dossier: Dossier) -> set[str]:
    """The steps not finished before the change the person began from the summary: as its
    first step found them, carried from step to step in the address (`unfinished`), else now.
    Found again at each step, those the change itself made to check (the type of access
    changed: the medical need, written for the other) would count as left before it."""
    carried = request.args.get("unfinished")
    if carried is None:
        return service.unfinished_steps(dossier)
    return {name for name in carried.split(",") if FLOW.get(name) is not None}


def after_save_target(
    dossier: Dossier, step: Step, unfinished_before: set[str] = frozenset()
) -> str:
    """Save and continue: the next step, or back to the summary after a Change link.
    `unfinished_before`: the steps not finished before this save (from a Change link)."""
    if request.form.get("action") == "save_exit":
        flash(_("Your answers are saved. You can come back to this request at any time."))
        return url_for(".dashboard")
    if request.args.get("return_to") == "check":
        # A change can open steps not answered yet (another type of access), or make one
        # wrong: those first, each returning to the summary in turn. Not a step that was
        # not finished before (the summary says which are still to do).
        missing = service.first_incomplete(dossier, but={step.id, *unfinished_before})
        if missing is not None:
            return url_for(
                ".step",
                dossier_id=dossier.id,
                step_id=missing.id,
                return_to="check",
                unfinished=",".join(sorted(unfinished_before)),
            )
        # Back where the change was asked, saying it is saved (the page is long).
        flash_at(step.id, _("Your changes to “%(title)s” are saved.", title=step.title))
        return url_for(
            ".step", dossier_id=dossier.id, step_id="check", _anchor=f"summary-{step.id}"
        )
    following = FLOW.next(step, dossier.answers())
    return url_for(".step", dossier_id=dossier.id, step_id=following.id)


class SavedAnswers(Mapping):
    """The other steps' answers, read from the database only if a rule asks for them: most
    live checks concern one field alone, and they run at every change."""

    def __init__(self, dossier: Dossier):
        self._dossier = dossier

    @cached_property
    def _answers(self):
        return self._dossier.answers()

    def __getitem__(self, key):
        return self._answers[key]

    def __iter__(self):
        return iter(self._answers)

    def __len__(self):
        return len(self._answers)


class NoOtherSteps(Mapping):
    """The other steps' answers of a form checked alone (`field_checked_alone`): none are
    read. A rule that reads them belongs to a form that says so (`reads_other_steps`); one
    that does not say so fails here rather than finding no answers and passing."""

    def __getitem__(self, key):
        raise LookupError(f"{key!r} read by a form checked alone: set reads_other_steps")

    def __iter__(self):
        raise LookupError("other steps read by a form checked alone: set reads_other_steps")

    def __len__(self):
        raise LookupError("other steps read by a form checked alone: set reads_other_steps")


def field_fragment(dossier: Dossier, step: Step, name: str):
    return _fragment(step, name, SavedAnswers(dossier))


def field_checked_alone(step: Step, name: str):
    return _fragment(step, name, NoOtherSteps())


def _fragment(step: Step, name: str, context: Mapping):
    # CSRFProtect has checked the request's token; the fragment carries none. Only the
    # questions the check reads are built (`StepForm.checking`).
    form: StepForm = step.form.checking(name)(meta={"csrf": False})
    form.context = context
    # The fragment's own checks come back here: to the address this one came to.
    return live_field(form, name, request.script_root + request.path)


def live_check_url(dossier: Dossier, step: Step) -> str | None:
    """Where a step page's fields are checked as they change: with the request if the
    step's rules read other steps' answers, otherwise from the form alone (no query)."""
    if step.form is None:  # the summary, the declaration: nothing checked live
        return None
    if step.form.reads_other_steps:
        return url_for(".validate_field", dossier_id=dossier.id, step_id=step.id)
    return url_for(".check_field", step_id=step.id)


# The pages whose answers or documents are written for the request's case: the steps about
# it, and the evidence step, whose documents of no set kind are (`Document.written_for`).
SHOWN_FOR_A_CASE = ABOUT_THE_CASE | {"clinical-evidence"}


def _shown_for(step: Step, answers) -> str | None:
    """For a page written for the request's case (`SHOWN_FOR_A_CASE`), what it is shown for
    (`case_mark`), sent back with its answers and files (`meanwhile.sent_case`); a page shown
    again in answer to its form keeps what the page sent said."""
    if step.id not in SHOWN_FOR_A_CASE:
        return None
    sent = meanwhile.sent_case() if request.method == "POST" else None
    return sent or case_mark(answers)


def _quoted_titles(step_ids) -> list[str]:
    """The steps named as a sentence names them (“Medical need”), in the flow's order."""
    return [_("“%(name)s”", name=step.title) for step in FLOW.steps if step.id in set(step_ids)]
