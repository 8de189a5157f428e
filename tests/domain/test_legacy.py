"""The Regulation (EU) 2023/607 pre-check behind the "you may not need a derogation" warning."""

from datetime import date

import pytest

from wizard.domain.legacy import LegacyAssessment, assess_legacy_certificate

TODAY = date(2026, 3, 1)

TIMELY = {
    "certificate_expiry": date(2024, 3, 15),
    "device_class": "III",
    "implantable": False,
    "nb_application_date": date(2024, 1, 10),
    "written_agreement_date": date(2024, 6, 30),
    "today": TODAY,
}


def assess(**changes):
    return assess_legacy_certificate(**{**TIMELY, **changes})


def test_class_iii_expiring_2024_with_timely_application_and_agreement_runs_to_2027():
    assert assess() == LegacyAssessment(True, date(2027, 12, 31), ("conditions_met",))


def test_class_iia_runs_to_2028():
    result = assess(device_class="IIa")
    assert (result.may_still_be_valid, result.valid_until) == (True, date(2028, 12, 31))


@pytest.mark.parametrize(
    ("device_class", "implantable", "until"),
    [
        ("IIb", True, date(2027, 12, 31)),
        ("IIb", False, date(2028, 12, 31)),
        ("III", None, date(2027, 12, 31)),
        ("Is", None, date(2028, 12, 31)),
        ("Im", True, date(2028, 12, 31)),
        ("Ir", False, date(2028, 12, 31)),
        ("I", False, date(2028, 12, 31)),
    ],
)
def test_end_date_depends_on_class_and_implantable(device_class, implantable, until):
    assert assess(device_class=device_class, implantable=implantable).valid_until == until


def test_application_lodged_after_26_may_2024_is_too_late():
    result = assess(nb_application_date=date(2024, 5, 27))
    assert result == LegacyAssessment(False, None, ("application_too_late",))


def test_application_on_the_deadline_is_in_time():
    assert assess(nb_application_date=date(2024, 5, 26)).may_still_be_valid


def test_agreement_signed_after_26_september_2024_is_too_late():
    assert assess(written_agreement_date=date(2024, 9, 27)).reasons == ("agreement_too_late",)
    assert assess(written_agreement_date=date(2024, 9, 26)).may_still_be_valid


def test_certificate_expired_before_20_march_2023_needs_agreement_before_expiry():
    result = assess(
        certificate_expiry=date(2022, 11, 30),
        nb_application_date=date(2022, 10, 1),
        written_agreement_date=date(2022, 12, 15),
    )
    assert result == LegacyAssessment(False, None, ("agreement_after_expiry",))


def test_certificate_expired_before_20_march_2023_with_earlier_agreement_is_extended():
    result = assess(
        certificate_expiry=date(2022, 11, 30),
        nb_application_date=date(2022, 10, 1),
        written_agreement_date=date(2022, 11, 29),
    )
    assert result.may_still_be_valid


def test_agreement_on_the_expiry_day_is_not_before_expiry():
    result = assess(
        certificate_expiry=date(2022, 11, 30), written_agreement_date=date(2022, 11, 30)
    )
    assert result.reasons == ("agreement_after_expiry",)


def test_certificate_expired_after_20_march_2023_may_have_a_later_agreement():
    result = assess(certificate_expiry=date(2023, 3, 20), written_agreement_date=date(2024, 9, 1))
    assert result.may_still_be_valid


def test_certificate_expired_before_26_may_2021_cannot_be_extended():
    result = assess(certificate_expiry=date(2021, 5, 25))
    assert not result.may_still_be_valid
    assert "expired_before_2021_05_26" in result.reasons


def test_certificate_valid_on_26_may_2021_itself_qualifies_for_the_date_check():
    result = assess(
        certificate_expiry=date(2021, 5, 26),
        nb_application_date=date(2021, 1, 4),
        written_agreement_date=date(2021, 5, 1),
    )
    assert result.may_still_be_valid


def test_after_the_deadline_the_certificate_no_longer_counts():
    result = assess(today=date(2028, 1, 1))
    assert result == LegacyAssessment(False, date(2027, 12, 31), ("transition_ended",))
    assert assess(today=date(2027, 12, 31)).may_still_be_valid


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        ("certificate_expiry", "missing_expiry"),
        ("device_class", "missing_device_class"),
        ("nb_application_date", "missing_nb_application_date"),
        ("written_agreement_date", "missing_written_agreement_date"),
    ],
)
def test_missing_answer_gives_false_with_a_reason(missing, reason):
    assert assess(**{missing: None}) == LegacyAssessment(False, None, (reason,))


def test_implantable_is_needed_only_for_class_iib():
    assert assess(device_class="IIb", implantable=None).reasons == ("missing_implantable",)


def test_unknown_device_class_is_reported():
    assert assess(device_class="IV").reasons == ("unknown_device_class",)


def test_every_problem_is_reported_at_once():
    result = assess(
        certificate_expiry=date(2020, 1, 1),
        device_class=None,
        nb_application_date=date(2025, 1, 1),
        written_agreement_date=date(2025, 2, 1),
    )
    assert not result.may_still_be_valid
    assert set(result.reasons) == {
        "missing_device_class",
        "expired_before_2021_05_26",
        "application_too_late",
        "agreement_too_late",
        "agreement_after_expiry",
    }


def test_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        assess_legacy_certificate(None, None, None, None, None, TODAY)  # type: ignore[misc]
