"""A decision read back before it is signed: as the act will state it, with what to look at
twice (a patient cap far above the request's estimate, a period shorter than asked or missing
the need, no follow-up asked, another reviewer handling the request...)."""

from __future__ import annotations

import hashlib
from datetime import date

from flask import render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from wizard import clock
from wizard.extensions import db
from wizard.forms.base import quantity, read_back, summary_rows
from wizard.i18n import gettext as _
from wizard.i18n import long_date
from wizard.models import Dossier, FollowUpReport
from wizard.review import awaited, decisions, follow_up
from wizard.review.actions import Action
from wizard.review.decision_document import ACT_TEMPLATE, decision_context
from wizard.review.status import effective_status
from wizard.web import REPORT_INTERVAL_LABELS

# An authorisation's answers written in French, as its act states them.
FRENCH = ("indication", "establishments")


def decision_check(dossier: Dossier, action: Action, form: FlaskForm, *, reworded=False):
    """The decision as it will be signed, to read before signing it, or to change.
    `reworded`: the one read before no longer reads so (`read_otherwise`): said, nothing
    signed."""
    # An answer that does not apply (a date of invitation, for an urgent measure) is not part
    # of the decision signed: read back as the check-your-answers page reads a step.
    rows = summary_rows(form)
    # The act itself, as the PDF will word it (its own template's names, apart).
    record = decisions.drafted(dossier, action, current_user, form).record
    if said := _report_dates_said(record):
        schedule = read_back(form.report_every.label.text)
        rows = [(question, said if question == schedule else answer) for question, answer in rows]
    # Written in French, as the act states them: read so on any page.
    in_french = {read_back(form[name].label.text) for name in FRENCH if name in form}
    rows = [
        (question, Markup('<span lang="fr">%s</span>') % answer)
        if question in in_french
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
    act = _act_of(record)
    page = render_template(
        "review/check_decision.html",
        act_read=_digest(act),
        reworded=reworded,
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
    return (page, 409) if reworded else page


def read_otherwise(dossier: Dossier, action: Action, form: FlaskForm) -> bool:
    """Whether the act that would be signed now differs from the one read back (`act_read`,
    its digest, which the read-back's form sends): its date, and what follows from it (the
    period begun, the reports due), change at midnight, as the request may have. False for a
    form that does not say (not the read-back's)."""
    read = request.form.get("act_read")
    if read is None:
        return False
    record = decisions.drafted(dossier, action, current_user, form).record
    return read != _digest(_act_of(record))


def _act_of(record: dict) -> Markup:
    """The act as the PDF words it (its own template)."""
    return Markup(render_template(ACT_TEMPLATE, **decision_context(record)))


def _digest(act: Markup) -> str:
    return hashlib.sha256(str(act).encode()).hexdigest()[:32]


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


def estimated_patients(dossier: Dossier) -> int | None:
    """How many patients a global request's manufacturer expects (step 5, scope), as filed."""
    return dossier.submitted_answers["answers"].get("scope", {}).get("estimated_patients")


def _cap_warning(dossier: Dossier, form: FlaskForm) -> str | None:
    cap = form.max_patients.data if "max_patients" in form else None
    estimated = estimated_patients(dossier)
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
