"""Who at ANSM handles a filed request: a reviewer takes it, or is given it by a colleague
(who is emailed), or it is handled by nobody again. The queue lists each reviewer's own. A
change is in the audit trail; it changes nothing a decision weighs (`audit.NOT_CHANGES`)."""

from __future__ import annotations

from sqlalchemy import select, update

from wizard import audit, clock, mail
from wizard.extensions import db
from wizard.i18n import gettext as _
from wizard.models import Dossier, Role, User
from wizard.review.notify import device_name
from wizard.web import external_url


def reviewers() -> list[User]:
    """The reviewers who can be given a request: those who can sign in, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.REVIEWER, User.removed_at.is_(None))
            .order_by(User.name, User.id)
        )
    )


def assign(dossier: Dossier, to: User | None, by: User, *, seen: int | None) -> bool:
    """Give `dossier` to the reviewer `to` (None: to nobody), as `by` asks, if whoever the
    page `by` sent it from showed as handling it (`seen`: their id, 0 for nobody) still is:
    False, nothing changed, if a colleague changed it meanwhile (or it is already so)."""
    current = dossier.assigned_to_id or 0
    previous = dossier.assigned_to
    wanted = to.id if to is not None else None
    if seen is not None and seen != current or (wanted or 0) == current:
        return False
    changed = db.session.execute(
        update(Dossier)
        .where(
            Dossier.id == dossier.id,
            Dossier.assigned_to_id.is_(None) if not current else Dossier.assigned_to_id == current,
        )
        .values(
            assigned_to_id=wanted,
            assigned_at=clock.now() if wanted else None,
            # ANSM's own affair: the manufacturer's "last change" of its request stays.
            updated_at=Dossier.updated_at,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:  # a colleague's change came first
        db.session.rollback()
        db.session.refresh(dossier)
        return False
    detail = {"to": to.name if to is not None else None}
    audit.record(dossier.id, audit.ASSIGNED, audit.Actor.of(by), detail=detail)
    db.session.commit()
    db.session.refresh(dossier)
    if to is not None and to.id != by.id:
        _tell(dossier, to, by, given=True)
    # Whoever handled it hears that it is no longer theirs (not from themselves).
    if previous is not None and previous.id != by.id and previous.is_active:
        _tell(dossier, previous, by, given=False, now=to)
    return True


def outcome(dossier: Dossier, to: User | None, by: User, *, changed: bool) -> str | dict:
    """What `by` is told after asking that `to` handle the request (`flash_at`): done (or
    done already: a second click), or, changed meanwhile by a colleague, who handles it now."""
    if changed or dossier.assigned_to_id == (to.id if to else None):
        if to is None:
            return _("Done: nobody handles this request now.")
        if to == by:
            return _("Done: you handle this request.")
        return _("Done: %(name)s handles this request, and has been told by email.", name=to.name)
    if dossier.assigned_to is None:
        said = _(
            "Nothing was changed: who handles this request changed since you opened the "
            "page. Nobody handles it now."
        )
    else:
        said = _(
            "Nothing was changed: who handles this request changed since you opened the "
            "page. It is now handled by %(name)s.",
            name=dossier.assigned_to.name,
        )
    return {"text": said, "warning": True}


def _tell(
    dossier: Dossier, person: User, by: User, *, given: bool, now: User | None = None
) -> None:
    """Email the reviewer given the request (`given`), or the one who handled it until now,
    in French then English as every email to ANSM."""
    context = {
        "dossier": dossier,
        "device": device_name(dossier),
        "by": by.name,
        "given": given,
        "now": now.name if now is not None else None,
        "taken": now is not None and now.id == by.id,  # by the one who took it over
        "needed_by": dossier.needed_by,
        "link": external_url("review.request_page", dossier_id=dossier.id),
    }

    def subject() -> str:
        if given:
            return _("Request %(reference)s is yours to handle", reference=dossier.reference)
        return _("Request %(reference)s is no longer yours to handle", reference=dossier.reference)

    mail.send_after_response(
        person.email,
        mail.bilingual(subject, " / "),
        mail.bilingual_text("review/email/assigned.txt", **context),
        about=f"assignment of request {dossier.id}",
    )


def tell_handler_of_decision(dossier: Dossier, decision, by: User) -> None:
    """A colleague signed a decision on a request another reviewer handles: the handler
    hears it (not from themselves, not when they can no longer sign in)."""
    handler = dossier.assigned_to
    if not by.is_reviewer:  # the manufacturer withdrawing its request: told as such already
        return
    if handler is None or handler.id == by.id or not handler.is_active:
        return
    context = {
        "dossier": dossier,
        "decision": decision,
        "device": device_name(dossier),
        "by": by.name,
        "link": external_url("review.request_page", dossier_id=dossier.id),
    }
    mail.send_after_response(
        handler.email,
        mail.bilingual(
            lambda: _(
                "Decision signed on request %(reference)s, which you handle",
                reference=dossier.reference,
            ),
            " / ",
        ),
        mail.bilingual_text("review/email/decided_by_colleague.txt", **context),
        about=f"decision {decision.id} told to the handler of request {dossier.id}",
    )
