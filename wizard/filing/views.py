"""The wizard's pages. Views are thin: the flow engine decides where a filer goes next."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from wizard import clock, unsent
from wizard.domain.lifecycle import Status
from wizard.extensions import db
from wizard.filing import bp, drafts, pages, service, submission
from wizard.filing.access import (
    manufacturer_required,
    manufacturer_session_required,
    own_dossier,
)
from wizard.flow.engine import StepKind
from wizard.flow.steps import FLOW
from wizard.forms.attachments import HcpLetterForm
from wizard.forms.invitations import InvitationForm
from wizard.i18n import gettext as _
from wizard.models import Dossier
from wizard.review import pages as review_pages
from wizard.web import flash_once, live_field, mark_of

# Requests listed per page of the dashboard: a manufacturer filing for years has hundreds, each
# filed one read for its review state.
PAGE_SIZE = 50


@bp.get("/dashboard")
@manufacturer_required
def dashboard():
    listed = (
        Dossier.organisation_id == current_user.organisation_id,
        Dossier.status != Status.DISCARDED,
    )
    total = db.session.scalar(select(func.count()).select_from(Dossier).where(*listed))
    pages_count = max(1, -(-total // PAGE_SIZE))
    # A page past the last (an old link, a hand-typed number) shows the last one.
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages_count)
    dossiers = db.session.scalars(
        select(Dossier)
        .where(*listed)
        .order_by(Dossier.updated_at.desc(), Dossier.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .options(selectinload(Dossier.created_by))  # "Started by" a colleague
    ).all()
    # Where each draft resumes, and who saved it last: its answers and documents read for all
    # the drafts at once (onto the same objects), not a query or two per draft.
    drafts = [d.id for d in dossiers if d.is_draft]
    if drafts:
        db.session.scalars(
            select(Dossier)
            .where(Dossier.id.in_(drafts))
            .options(
                selectinload(Dossier.step_answers),
                selectinload(Dossier.documents),
                selectinload(Dossier.hcp_letters),
            )
        ).all()
    next_steps = {d.id: service.next_step(d) for d in dossiers if d.is_draft}
    saved_by = service.last_saved_by(list(next_steps))
    named = {d.id: _named(d) for d in dossiers}
    return render_template(
        "filing/dashboard.html",
        dossiers=dossiers,
        page=page,
        pages=pages_count,
        total=total,
        named=named,
        kept=_kept_answers(),
        next_steps=next_steps,
        saved_by=saved_by,
        twins=_twins([d for d in dossiers if d.is_draft], named),
        today=clock.today(),  # an authorisation whose period has not started yet says so
    )


def _kept_answers() -> list[tuple[Dossier, object]]:
    """Answers sent once signed out, kept for this browser: where they wait (signed in from
    the sign-in page rather than the link that leads back to them), on any page's draft."""
    waiting = [(d, s) for d, s in unsent.waiting() if FLOW.get(s) is not None]
    if not waiting:
        return []
    drafts = {
        d.id: d
        for d in db.session.scalars(
            select(Dossier).where(
                Dossier.id.in_([dossier_id for dossier_id, _step in waiting]),
                Dossier.organisation_id == current_user.organisation_id,
                Dossier.status == Status.DRAFT,
            )
        )
    }
    return [
        (drafts[dossier_id], FLOW.get(step_id))
        for dossier_id, step_id in waiting
        if dossier_id in drafts
    ]


def _named(dossier: Dossier) -> tuple[dict, str | None, str | None]:
    """A request's answers as its row shows them (submitted, or as saved), its device, and
    its patient's initials if it is for one patient: what its links are told apart by."""
    answers = (
        dossier.submitted_answers["answers"] if dossier.submitted_answers else dossier.answers()
    )
    individual = answers.get("access-type", {}).get("access_type") == "individual"
    patient = answers.get("patient", {}).get("patient_initials") if individual else None
    return answers, answers.get("device", {}).get("trade_name"), patient


def _twins(drafts: list[Dossier], named: dict) -> dict[int, tuple[int, int]]:
    """Drafts whose links would read the same (one device, one patient, started within the
    same minute): each one's place among them and how many, to tell their links apart."""
    alike: dict[tuple, list[int]] = {}
    for draft in drafts:
        _answers, device, patient = named[draft.id]
        started = clock.as_utc(draft.created_at).replace(second=0, microsecond=0)
        alike.setdefault((device, patient, started), []).append(draft.id)
    return {
        draft_id: (place, len(ids))
        for ids in alike.values()
        if len(ids) > 1
        for place, draft_id in enumerate(sorted(ids), start=1)
    }


@bp.post("/requests")
@manufacturer_required
def new_request():
    """Start an empty draft; the same form sent twice (its one-time mark) starts one."""
    mark = mark_of(request.form.get("started_as"))
    dossier = service.started_as(current_user, mark)
    if dossier is None:
        if refused := _too_many_drafts():
            return refused
        dossier = service.create_dossier(current_user, mark)
    return redirect(url_for(".step", dossier_id=dossier.id, step_id=FLOW.steps[0].id), 303)


@bp.route("/requests/<int:dossier_id>/discard", methods=["GET", "POST"])
@manufacturer_required
def discard(dossier_id: int):
    """Delete a draft, after a page that says what goes with it."""
    dossier = own_dossier(dossier_id)
    if not dossier.is_draft:
        if request.method == "POST":
            abort(409)  # submitted: it cannot be deleted
        return redirect(url_for(".submitted", dossier_id=dossier.id))
    if request.method != "POST":
        return drafts.discard_page(dossier)
    shown = request.form.get("shown", "")
    try:
        service.discard(dossier, current_user, as_shown=lambda d: drafts.draft_seal(d) == shown)
    except service.DraftChanged:
        return drafts.discard_page(dossier, changed=True)
    flash(_("The draft is deleted."))
    return redirect(url_for(".dashboard"), code=303)


@bp.post("/requests/<int:dossier_id>/start-from")
@manufacturer_required
def start_from(dossier_id: int):
    """A new request with what this filed one said (a renewal, another patient)."""
    source = own_dossier(dossier_id)
    if not source.is_filed:
        abort(409)  # a draft is changed, not copied
    mark = mark_of(request.form.get("started_as"))
    dossier = service.started_as(current_user, mark)
    if dossier is None:
        if refused := _too_many_drafts():
            return refused
        dossier = service.start_from(source, current_user, mark)
    if source.submitted_answers["access_type"] == "global":
        again = _(
            "Check every step; the letters from healthcare professionals and the period are to "
            "be given again."
        )
    else:
        again = _(
            "Check every step; the patient, their medical need, the benefit and risk for them, "
            "the letters from healthcare professionals and the period are to be given again."
        )
    # (said once: the first of the same form's two sends may have left it waiting already)
    flash_once(
        _(
            "A new request is started with what you filed in %(reference)s.",
            reference=source.reference,
        )
        + " "
        + again
    )
    return redirect(url_for(".resume", dossier_id=dossier.id), code=303)


def _too_many_drafts():
    """Back to the list, saying why, when the organisation holds as many drafts as it may
    (`MAX_DRAFTS_PER_ORGANISATION`); None when another may be started."""
    most = current_app.config["MAX_DRAFTS_PER_ORGANISATION"]
    if service.draft_count(current_user.organisation_id) < most:
        return None
    flash(
        _(
            "Your organisation already has %(count)d requests not yet submitted, the most the "
            "portal keeps at once. Delete the drafts you no longer need, then start a new one.",
            count=most,
        ),
        "error",
    )
    return redirect(url_for(".dashboard"), code=303)


@bp.get("/requests/<int:dossier_id>")
@manufacturer_required
def resume(dossier_id: int):
    dossier = own_dossier(dossier_id)
    if not dossier.is_draft:
        return redirect(url_for(".submitted", dossier_id=dossier.id))
    step = service.next_step(dossier)
    return redirect(url_for(".step", dossier_id=dossier.id, step_id=step.id))


@bp.route("/requests/<int:dossier_id>/steps/<step_id>", methods=["GET", "POST"])
@manufacturer_required
def step(dossier_id: int, step_id: str):
    dossier = own_dossier(dossier_id)
    current = FLOW.get(step_id)
    if current is None:
        abort(404)
    if not current.condition(dossier.answers()):
        if request.method == "GET":
            return drafts.step_off_the_path(dossier, current)
        if dossier.is_draft:
            return drafts.step_no_longer_applies(dossier, current)
        abort(404)
    if current.kind == StepKind.CONFIRMATION:
        return submission.confirmation(dossier)
    if not dossier.is_draft:
        if request.method == "POST" and current.kind == StepKind.DECLARATION:
            if dossier.submitted_by_id == current_user.id:  # sent twice: the first was taken
                return submission.already_submitted(dossier)
            # A colleague submitted it since this page was opened: this signature was not
            # taken, and the page says so with what was typed, as when both sign at once.
            raise service.NotEditable()
        if request.method == "POST":
            abort(409)
        return redirect(url_for(".submitted", dossier_id=dossier.id))
    handler = {
        StepKind.QUESTION: pages.question,
        StepKind.SUMMARY: submission.check_answers,
        StepKind.DECLARATION: submission.declaration,
    }[current.kind]
    return handler(dossier, current)


@bp.post("/requests/<int:dossier_id>/steps/<step_id>/validate")
@manufacturer_required
def validate_field(dossier_id: int, step_id: str):
    """htmx live validation: the changed field's fragment, rendered by the page's own macro."""
    dossier = own_dossier(dossier_id)
    current = FLOW.get(step_id)
    if current is None or current.form is None:
        abort(404)
    if not dossier.is_draft:  # submitted meanwhile: the page says it can no longer be saved
        return "", 409, {"X-Request-Submitted": "true"}
    return pages.field_fragment(dossier, current, request.headers.get("HX-Trigger-Name") or "")


@bp.post("/steps/<step_id>/validate")
@manufacturer_session_required
def check_field(step_id: str):
    """htmx live check of a step whose rules read only the form sent (all but one): the
    changed field's fragment, from the signed session and the form alone. It reads no request
    and no account, so it needs no query: it is the portal's most frequent request, sent at
    every change of a field. A step whose rules read other steps' answers is checked by
    `validate_field`, which reads the request once it is known to be the person's."""
    current = FLOW.get(step_id)
    if current is None or current.form is None or current.form.reads_other_steps:
        abort(404)
    return pages.field_checked_alone(current, request.headers.get("HX-Trigger-Name") or "")


# The parts of step 9 beside its form, each checked live as the step's own questions are.
_ATTACHED_FORMS = {"invite": InvitationForm, "letter": HcpLetterForm}


@bp.post("/steps/hcp-support/<part>/check")
@manufacturer_session_required
def check_attached_field(part: str):
    """htmx live check of a field of step 9's invitation or letter (sent with the step's
    form: `pages.owned_by_the_step`), from the form alone, as `check_field`: no query. The
    letter's file is checked once sent, not at each change."""
    form_class = _ATTACHED_FORMS.get(part)
    if form_class is None:
        abort(404)
    form = pages.owned_by_the_step(form_class(prefix=part, meta={"csrf": False}))
    name = (request.headers.get("HX-Trigger-Name") or "").removeprefix(f"{part}-")
    return live_field(form, name, request.script_root + request.path, skip=("file",))


@bp.get("/requests/<int:dossier_id>/submitted")
@manufacturer_required
def submitted(dossier_id: int):
    dossier = own_dossier(dossier_id)
    if dossier.is_draft:
        return redirect(url_for(".resume", dossier_id=dossier.id))
    # With ANSM's questions, decisions and the history (the agency's side, wizard/review).
    return review_pages.manufacturer_page(dossier)
