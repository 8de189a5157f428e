"""The Regulation (EU) 2023/607 notice: when the answers suggest a legacy certificate may still
count as valid, so that no derogation may be needed (said on the situation step, on the page
after it, on the check page and to the agency's reviewer)."""

from __future__ import annotations

from datetime import date

from flask import flash

from wizard import clock
from wizard.domain.legacy import END_FOR_HIGHER_RISK, END_FOR_OTHERS, assess_legacy_certificate
from wizard.i18n import gettext as _
from wizard.i18n import long_date


def legacy_notice(answers, today: date | None = None):
    """The Reg. (EU) 2023/607 assessment when it suggests no derogation may be needed; as of
    `today` (the day a submitted filing was seen, for the agency's review)."""
    situation = answers.get("situation", {})
    device = answers.get("device", {})

    if situation.get("written_agreement") != "yes":
        return None
    # Without the device step, assume the earlier deadline (class III): a warning must not
    # promise more time than the regulation gives.
    assessment = assess_legacy_certificate(
        certificate_expiry=_as_date(situation.get("legacy_certificate_expiry")),
        device_class=device.get("device_class", "III"),
        implantable=device.get("implantable", "yes") == "yes",
        nb_application_date=_as_date(situation.get("mdr_application_date")),
        written_agreement_date=_as_date(situation.get("written_agreement_date")),
        today=today or clock.today(),
    )
    return assessment if assessment.may_still_be_valid else None


def legacy_until(answers, notice) -> str | None:
    """Until when a legacy certificate may count as valid, written out: before the device
    step gives the class, the earlier date (class III, implantable IIb) and the later one, so
    that the date said does not change once the class is given without a word."""
    if notice is None:
        return None
    if answers.get("device", {}).get("device_class"):
        return long_date(notice.valid_until)
    return _(
        "%(date)s (%(later)s for a device of class I, IIa, or IIb not implantable)",
        date=long_date(END_FOR_HIGHER_RISK),
        later=long_date(END_FOR_OTHERS),
    )


def warn_of_legacy_certificate(answers) -> None:
    """Said on the page that follows the situation step, as soon as the answers suggest it:
    before the filer spends an hour on a request they may not need (a warning, never a block;
    the situation step and the check page say it again)."""
    notice = legacy_notice(answers)
    if notice is not None:
        flash(
            _(
                "You may not need a derogation: from your answers, your legacy certificate may "
                "still count as valid until %(date)s under Regulation (EU) 2023/607. Check with "
                "your notified body. You can still continue with this request.",
                date=legacy_until(answers, notice),
            ),
            "warning",
        )


def _as_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
