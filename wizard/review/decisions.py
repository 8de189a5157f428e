"""Decisions on a request: authorisation with its conditions, refusal, suspension,
reinstatement, withdrawal. Each is numbered within its request, states a canonical record,
and gets a signed PDF (`decision_document`) that either side downloads and anyone verifies."""

from __future__ import annotations

import hashlib

from flask import current_app
from sqlalchemy import func, select, update

from wizard import audit, clock, integrity
from wizard.domain.canonical import canonical_sha256
from wizard.domain.report_schedule import due_dates
from wizard.extensions import db
from wizard.i18n import gettext as _
from wizard.models import Decision, DecisionKind, Dossier, User
from wizard.receipts.service import signing_identity
from wizard.review import follow_up
from wizard.review.actions import Action, ActionRefused
from wizard.review.decision_document import build_decision_pdf
from wizard.review.status import authorisation_of, period_begun, suspended_before_period
from wizard.review.transitions import change_status


def unsigned_because(user: User) -> str | None:
    """Why `user` cannot sign a decision of ANSM yet: a decision states its author's name and
    function (CRPA L. 212-1), and a reviewer's function is on their account; a reviewer signs
    for the Director General only by a delegation of signature, which the decision cites."""
    if user.is_reviewer and not user.job_title:
        return _(
            "Nothing was decided: a decision states the job title of who signs it, and your "
            "account has none. Ask the portal's administrators to record it, then decide again."
        )
    if user.is_reviewer and not user.signing_delegation:
        return _(
            "Nothing was decided: you hold no delegation to sign ANSM's decisions on these "
            "requests. Give the request to a colleague who does (“Handled by”), or ask the "
            "portal's administrators to record yours."
        )
    return None


def decide(dossier: Dossier, action: Action, user: User, form) -> Decision:
    """Record the decision with the change of status it makes, then sign its PDF."""
    if problem := unsigned_because(user):
        raise ActionRefused(problem)
    if user.is_reviewer and integrity.filed_record_altered(dossier):
        # Its record would state answers the manufacturer never signed.
        current_app.logger.error("request %s: filed answers altered", dossier.reference)
        raise ActionRefused(
            _(
                "Nothing was decided: the portal's copy of this request no longer matches what "
                "was filed. Tell the portal's administrators."
            )
        )
    decision = drafted(dossier, action, user, form)
    decision.record_sha256 = canonical_sha256(decision.record)
    # Read before the decision is added: a query after it would write it before
    # `change_status` has locked the request (see below).
    authorisation = authorisation_of(dossier)
    db.session.add(decision)
    day = clock.day_in_paris(decision.decided_at)
    if decision.kind == DecisionKind.AUTHORISATION:
        db.session.add_all(follow_up.dues_for(decision))
    elif (decision.kind == DecisionKind.WITHDRAWAL and user.is_reviewer) or (
        decision.kind == DecisionKind.SUSPENSION
        and not period_begun(authorisation, decision.decided_at)
    ):
        # Withdrawn, no report is asked after it; suspended before its period began, nobody
        # has received the device under it, and none is asked while it stays so (its act
        # says there is nothing to follow): a reinstatement asks them again.
        # Not flushed: the decision is written once `change_status` has locked the request
        # (two decisions at once would otherwise meet on its number, and deadlock).
        with db.session.no_autoflush:
            follow_up.drop_dues_after(dossier, day)
    elif decision.kind == DecisionKind.REINSTATEMENT:
        with db.session.no_autoflush:
            follow_up.restore_dues_from(dossier, authorisation, day)
    change_status(
        dossier, action.target, audit.Actor.of(user), note=decision.reason, about=decision
    )
    procedure = decision.record.get("procedure") or {}
    if procedure.get("kind") == "requested":
        # Decided on the request a report made: that report was read, for every reviewer.
        follow_up.mark_read(form.asked_in, user, procedure["report_number"])
    try:
        ensure_pdf(decision)
    except Exception:  # the decision stands; its PDF is produced again on first download
        current_app.logger.exception("PDF of decision %s not produced", decision.id)
    return decision


def drafted(dossier: Dossier, action: Action, user: User, form) -> Decision:
    """The decision `form` makes, with the record its PDF states, not recorded: what
    `decide` records, and what the reviewer reads back before signing. (A reinstatement
    once the period has ended is refused before: the request is "expired" then.)"""
    kind = DecisionKind(action.decision)
    authorisation = authorisation_of(dossier)
    decision = Decision(
        dossier_id=dossier.id,
        number=_next_number(dossier),
        kind=kind,
        reason=form.reason.data.replace("\r\n", "\n"),
        decided_by_id=user.id,
        decided_at=clock.now(),
    )
    if kind == DecisionKind.AUTHORISATION:
        for name, value in authorisation_terms(form).items():
            setattr(decision, name, value)
        authorisation = decision
    decision.record = decision_record(dossier, decision, user, authorisation)
    if "procedure" in form:  # a measure against the manufacturer: how it was heard
        decision.record["procedure"] = form.procedure_record()
    if kind == DecisionKind.REINSTATEMENT:  # the act cites the suspension it lifts
        decision.record["suspension"] = {"decision_number": _last_suspension(dossier)}
    if kind in _MEASURES and authorisation is not None:
        decision.record["measures"] = _measures_since(dossier, authorisation)
    if kind in (DecisionKind.REINSTATEMENT, DecisionKind.WITHDRAWAL) and authorisation:
        # Suspended before its period began, and not in force since: nobody received the
        # device under it, whatever the day now (the act says so, as its emails do).
        decision.record["never_in_force"] = suspended_before_period(
            authorisation, lifted=kind == DecisionKind.REINSTATEMENT
        )
    return decision


def authorisation_terms(form) -> dict:
    """What an authorisation's form sets, as its decision records it: the period, the cap,
    the follow-up, the report interval and (global access) the indication and the health
    establishments, which the act states (its record), not columns: nothing else reads them."""
    return {
        "period_start": form.period_start.data,
        "period_end": form.period_end.data,
        "max_patients": form.max_patients.data if "max_patients" in form else None,
        "follow_up": (form.follow_up.data or "").replace("\r\n", "\n") or None,
        "report_every_months": form.report_every_months,
        # (Not sent at all, a form of an earlier version: None, compared as empty.)
        "indication": (
            (form.indication.data or "").replace("\r\n", "\n") if "indication" in form else None
        ),
        "establishments": (
            (form.establishments.data or "").replace("\r\n", "\n")
            if "establishments" in form
            else None
        ),
    }


# The measures taken on an authorisation, which an act taken on it later cites.
_MEASURES = (DecisionKind.SUSPENSION, DecisionKind.REINSTATEMENT, DecisionKind.WITHDRAWAL)


def _measures_since(dossier: Dossier, authorisation: Decision) -> list[dict]:
    """The suspensions and reinstatements of the authorisation so far, oldest first."""
    rows = db.session.execute(
        select(Decision.number, Decision.kind, Decision.decided_at)
        .where(
            Decision.dossier_id == dossier.id,
            Decision.number > authorisation.number,
            Decision.kind.in_([DecisionKind.SUSPENSION, DecisionKind.REINSTATEMENT]),
        )
        .order_by(Decision.number)
    )
    return [
        {"decision_number": number, "kind": str(kind), "decided_on": _day(decided_at)}
        for number, kind, decided_at in rows
    ]


def _day(moment) -> str:
    """The day of a decision, in France, as a record states it (a citation dates it)."""
    return clock.day_in_paris(moment).isoformat()


def _last_suspension(dossier: Dossier) -> int | None:
    return db.session.scalar(
        select(func.max(Decision.number)).where(
            Decision.dossier_id == dossier.id, Decision.kind == DecisionKind.SUSPENSION
        )
    )


def _next_number(dossier: Dossier) -> int:
    # Two decisions racing on one request: the status change lets one through only, and
    # (dossier, number) is unique besides.
    last = db.session.scalar(
        select(func.max(Decision.number)).where(Decision.dossier_id == dossier.id)
    )
    return (last or 0) + 1


def decision_record(
    dossier: Dossier, decision: Decision, user: User, authorisation: Decision | None
) -> dict:
    """What the signed PDF states, from the decision and the frozen filing."""
    frozen = dossier.submitted_answers
    device = frozen["answers"].get("device", {})
    return {
        "document": "decision",
        "reference": dossier.reference,
        "decision_number": decision.number,
        "kind": str(decision.kind),
        "status_after": str(decision.status_after),
        "decided_at": clock.as_utc(decision.decided_at).isoformat(timespec="seconds"),
        "decided_by": {
            "name": user.name,
            "role": "reviewer" if user.is_reviewer else "manufacturer",
            # The act that delegates them the signature, which the decision cites.
            **(
                {"title": user.job_title, "delegation": user.signing_delegation}
                if user.is_reviewer
                else {}
            ),
        },
        "reason": decision.reason,
        "authorisation": None
        if authorisation is None
        else {
            "decision_number": authorisation.number,
            "decided_on": _day(authorisation.decided_at),
            "period_start": authorisation.period_start.isoformat(),
            "period_end": authorisation.period_end.isoformat(),
            "max_patients": authorisation.max_patients,
            "follow_up": authorisation.follow_up,
            "report_every_months": authorisation.report_every_months,
            "reports_due": [
                day.isoformat()
                for day in due_dates(
                    authorisation.period_start,
                    authorisation.period_end,
                    authorisation.report_every_months,
                )
            ],
            "indication": authorisation.authorised_indication,
            "establishments": authorisation.authorised_establishments,
        },
        "request": {
            "manufacturer": dossier.manufacturer_name,
            "organisation": dossier.filing_organisation,
            "access_type": frozen["access_type"],
            "device": {
                key: device.get(key, "")
                for key in ("trade_name", "model", "udi_di", "device_class")
            },
            "submitted_at": clock.as_utc(dossier.submitted_at).isoformat(timespec="seconds"),
            "answers_sha256": dossier.answers_sha256,
            "scope": _scope(frozen["access_type"], frozen["answers"]),
        },
        "portal_name": current_app.config["PORTAL_NAME"],
    }


# What a decision covers, as the filing states it: for one patient, who (pseudonymised), where
# and by whom they are treated; for a device, for what, whom and where.
_SCOPE_FIELDS = {
    "individual": (
        "patient",
        (
            "patient_initials",
            "patient_birth_year",
            "establishment_name",
            "establishment_finess",
            "physician_name",
            "physician_rpps",
        ),
    ),
    "global": (
        "scope",
        ("indication", "target_population", "estimated_patients", "establishments"),
    ),
}


def _scope(access_type: str, answers: dict) -> dict:
    step_id, keys = _SCOPE_FIELDS[access_type]
    values = answers.get(step_id, {})
    return {key: values.get(key) for key in keys}


def ensure_pdf(decision: Decision) -> bytes:
    """The decision's signed PDF, produced (once) if it is not stored yet. A concurrent
    producer that stored first wins; ours is discarded, so there is only ever one. Commits
    what the session holds before it renders: call it with nothing half done."""
    if decision.pdf is not None:
        return decision.pdf
    record, decision_id = decision.record, decision.id
    identity = signing_identity()
    # Rendering and signing take a while: the pooled connection goes back first, as for a
    # receipt (`receipts.service.ensure_receipt`).
    db.session.commit()
    pdf = build_decision_pdf(
        record,
        signer=identity.signer,
        env=current_app.jinja_env,
        timestamp_url=current_app.config["RECEIPT_TIMESTAMP_URL"] or None,
    )
    stored = db.session.execute(
        update(Decision)
        .where(Decision.id == decision_id, Decision.pdf.is_(None))
        .values(pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest())
    ).rowcount
    db.session.commit()
    return pdf if stored else decision.pdf


def decisions_of(dossier: Dossier) -> list[Decision]:
    return list(
        db.session.scalars(
            select(Decision).where(Decision.dossier_id == dossier.id).order_by(Decision.number)
        )
    )


def decision_of(dossier: Dossier, number: int) -> Decision | None:
    return db.session.scalar(
        select(Decision).where(Decision.dossier_id == dossier.id, Decision.number == number)
    )


def pdf_name(decision: Decision) -> str:
    if decision.by_manufacturer:  # no decision of ANSM: the request's withdrawal
        return f"withdrawal-{decision.dossier.reference}.pdf"
    return f"decision-{decision.dossier.reference}-{decision.number}.pdf"
