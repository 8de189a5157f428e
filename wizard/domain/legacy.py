"""Pre-check: may an expired MDD/AIMDD ("legacy") certificate still count as valid?

Regulation (EU) 2023/607 amended MDR article 120 so that a legacy certificate that was still
valid on 26 May 2021 stays valid after its printed expiry, until 31 December 2027 for class III
and implantable class IIb devices and 31 December 2028 for all others, provided that
(art. 120(3c)):

- the manufacturer lodged a formal MDR application with a notified body by 26 May 2024, and
- the manufacturer and the notified body signed a written agreement by 26 September 2024;

and, for a certificate that had already expired before the amendment entered into force on
20 March 2023, the written agreement was signed before the certificate expired (art. 120(2)
third subparagraph, point (a)).

A filer in that situation may not need a derogation at all, so the wizard shows a warning. The
warning never blocks, so the rule is deliberately simplified (see comments) and leans towards
"not valid" whenever an answer is missing.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from wizard.domain.identifiers import DEVICE_CLASSES

MDR_DATE_OF_APPLICATION = date(2021, 5, 26)
AMENDMENT_IN_FORCE = date(2023, 3, 20)
APPLICATION_DEADLINE = date(2024, 5, 26)
AGREEMENT_DEADLINE = date(2024, 9, 26)
END_FOR_HIGHER_RISK = date(2027, 12, 31)
END_FOR_OTHERS = date(2028, 12, 31)


class Reason(StrEnum):
    """Stable reason codes; the UI maps them to translated explanations."""

    CONDITIONS_MET = "conditions_met"
    MISSING_EXPIRY = "missing_expiry"
    MISSING_DEVICE_CLASS = "missing_device_class"
    MISSING_IMPLANTABLE = "missing_implantable"
    MISSING_NB_APPLICATION_DATE = "missing_nb_application_date"
    MISSING_WRITTEN_AGREEMENT_DATE = "missing_written_agreement_date"
    UNKNOWN_DEVICE_CLASS = "unknown_device_class"
    EXPIRED_BEFORE_MDR = "expired_before_2021_05_26"
    APPLICATION_TOO_LATE = "application_too_late"
    AGREEMENT_TOO_LATE = "agreement_too_late"
    AGREEMENT_AFTER_EXPIRY = "agreement_after_expiry"
    TRANSITION_ENDED = "transition_ended"


@dataclass(frozen=True)
class LegacyAssessment:
    """Outcome of the pre-check.

    `valid_until` is the extended end date when every condition holds, even if that date has
    already passed (then `may_still_be_valid` is False with reason "transition_ended"); it is
    None when a condition fails or an answer is missing.
    """

    may_still_be_valid: bool
    valid_until: date | None
    reasons: tuple[str, ...]


def assess_legacy_certificate(
    *,
    certificate_expiry: date | None,
    device_class: str | None,
    implantable: bool | None,
    nb_application_date: date | None,
    written_agreement_date: date | None,
    today: date,
) -> LegacyAssessment:
    """Tell whether the legacy certificate may still count as valid under Reg. 2023/607."""
    reasons = _missing_answers(
        certificate_expiry, device_class, nb_application_date, written_agreement_date
    )
    end, class_reasons = _end_of_transition(device_class, implantable)
    reasons += class_reasons
    reasons += _unmet_conditions(certificate_expiry, nb_application_date, written_agreement_date)
    if reasons or end is None:
        return LegacyAssessment(False, None, tuple(reasons))
    if today > end:
        return LegacyAssessment(False, end, (Reason.TRANSITION_ENDED,))
    return LegacyAssessment(True, end, (Reason.CONDITIONS_MET,))


def transition_end_date(device_class: str, implantable: bool) -> date:
    """The date to which 2023/607 extends a legacy certificate for this kind of device.

    The regulation sends some implantable class IIb devices (sutures, staples, dental fillings,
    braces, tooth crowns, screws, wedges, plates, wires, pins, clips, connectors) to the later
    2028 date. The wizard does not ask about them, so they get 2027: the earlier date is the
    cautious answer for a warning.
    """
    if device_class == "III" or (device_class == "IIb" and implantable):
        return END_FOR_HIGHER_RISK
    return END_FOR_OTHERS


def _end_of_transition(
    device_class: str | None, implantable: bool | None
) -> tuple[date | None, list[Reason]]:
    if device_class is None:
        return None, []  # already reported as a missing answer
    if device_class not in DEVICE_CLASSES:
        return None, [Reason.UNKNOWN_DEVICE_CLASS]
    if device_class == "IIb" and implantable is None:
        return None, [Reason.MISSING_IMPLANTABLE]  # only IIb depends on it
    return transition_end_date(device_class, bool(implantable)), []


def _missing_answers(
    certificate_expiry: date | None,
    device_class: str | None,
    nb_application_date: date | None,
    written_agreement_date: date | None,
) -> list[Reason]:
    answers = (
        (certificate_expiry, Reason.MISSING_EXPIRY),
        (device_class, Reason.MISSING_DEVICE_CLASS),
        (nb_application_date, Reason.MISSING_NB_APPLICATION_DATE),
        (written_agreement_date, Reason.MISSING_WRITTEN_AGREEMENT_DATE),
    )
    return [reason for answer, reason in answers if answer is None]


def _unmet_conditions(
    certificate_expiry: date | None,
    nb_application_date: date | None,
    written_agreement_date: date | None,
) -> list[Reason]:
    """Check every condition whose inputs are known, so the user sees all problems at once."""
    reasons: list[Reason] = []
    # "Still valid on 26 May 2021": a certificate whose last valid day is that day qualifies.
    if certificate_expiry is not None and certificate_expiry < MDR_DATE_OF_APPLICATION:
        reasons.append(Reason.EXPIRED_BEFORE_MDR)
    if nb_application_date is not None and nb_application_date > APPLICATION_DEADLINE:
        reasons.append(Reason.APPLICATION_TOO_LATE)
    if written_agreement_date is not None and written_agreement_date > AGREEMENT_DEADLINE:
        reasons.append(Reason.AGREEMENT_TOO_LATE)
    if _agreement_signed_too_late_for_early_expiry(certificate_expiry, written_agreement_date):
        reasons.append(Reason.AGREEMENT_AFTER_EXPIRY)
    return reasons


def _agreement_signed_too_late_for_early_expiry(
    certificate_expiry: date | None, written_agreement_date: date | None
) -> bool:
    # Art. 120(2) also revives such a certificate when an authority granted a derogation
    # (art. 59) or required the procedure (art. 97); the wizard is filing that derogation, so
    # only the written-agreement route is checked here. The text says "before the date of
    # expiry", hence strictly earlier.
    if certificate_expiry is None or written_agreement_date is None:
        return False
    return certificate_expiry < AMENDMENT_IN_FORCE and written_agreement_date >= certificate_expiry
