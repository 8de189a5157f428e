"""A professional's letter states an urgency that must be current: one dated more than a
year ago is refused when added, and one added in time that ages while the request is a draft
no longer counts for it: step 9, the step list and the check page say so, and the request
cannot be signed on it alone until a current letter comes."""

from __future__ import annotations

import html
import io
from datetime import timedelta

from sqlalchemy import update

from tests.conftest import (
    checked_on_the_check_page,
    dossier_with,
    login,
    make_user,
    sign_and_submit,
)
from wizard import clock
from wizard.demo import minimal_pdf, sample_letter
from wizard.extensions import db
from wizard.models import Dossier, HcpLetter, Role

AGED = (
    "The letter from {name} is dated {date}, more than a year ago: the urgency it states "
    "must be current, so it no longer counts for this request. Ask its author for a new letter."
)


def text_of(client, path: str) -> str:
    return " ".join(html.unescape(client.get(path).text).split())


def aged_request(app, user) -> tuple[int, HcpLetter]:
    """A request ready to sign whose one letter is now 400 days old."""
    with app.app_context():
        dossier_id = dossier_with(user[0])
        day = clock.today() - timedelta(days=400)
        db.session.execute(
            update(HcpLetter)
            .where(HcpLetter.dossier_id == dossier_id)
            .values(letter_date=day.isoformat())
        )
        db.session.commit()
        letter = db.session.scalars(
            db.select(HcpLetter).where(HcpLetter.dossier_id == dossier_id)
        ).one()
        db.session.expunge(letter)
        return dossier_id, letter


def said_of(letter: HcpLetter) -> str:
    day = clock.today() - timedelta(days=400)
    return AGED.format(name=letter.author_name, date=f"{day.day} {day:%B %Y}")


def test_a_letter_aged_past_a_year_no_longer_counts(app, logged_in, user):
    dossier_id, letter = aged_request(app, user)
    said = said_of(letter)

    step = text_of(logged_in, f"/requests/{dossier_id}/steps/hcp-support")
    assert said in step
    assert "More than a year old: no longer counts as a statement of urgency." in step
    # The step asks for a letter as if it had none: the hint, and the upload form open.
    assert "you will need at least one before you submit" in step
    assert '<details class="details" open>' in step
    # The step list marks the step unfinished; the check page sends there, and no signing.
    assert text_of(logged_in, f"/requests/{dossier_id}/steps/device").count("(not finished)") == 1
    check = text_of(logged_in, f"/requests/{dossier_id}/steps/check")
    assert said in check
    assert "Some steps are not finished yet." in check
    assert "Continue with “Healthcare professionals' letters”" in check
    assert checked_on_the_check_page(logged_in, dossier_id) is None
    refused = sign_and_submit(logged_in, dossier_id)
    assert refused.status_code != 303 or "/steps/declaration" not in refused.location
    with app.app_context():
        assert db.session.get(Dossier, dossier_id).is_draft

    # A current letter added: the request can be signed, the old one still pointed out.
    added = logged_in.post(
        f"/requests/{dossier_id}/letters",
        data={
            **{f"letter-{name}": value for name, value in sample_letter().items()},
            "letter-author_name": "Dr Alice Martin",
            "letter-file": (io.BytesIO(minimal_pdf("New letter")), "new-letter.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert added.status_code == 303
    assert said in text_of(logged_in, f"/requests/{dossier_id}/steps/hcp-support")
    assert "(not finished)" not in text_of(logged_in, f"/requests/{dossier_id}/steps/device")
    assert checked_on_the_check_page(logged_in, dossier_id) is not None
    assert sign_and_submit(logged_in, dossier_id).status_code == 303
    with app.app_context():
        assert not db.session.get(Dossier, dossier_id).is_draft


def test_once_filed_a_letter_is_not_marked_for_its_age(app, logged_in, user):
    """Filed, a letter was current when the request was signed: its page marks nothing."""
    with app.app_context():
        dossier_id = dossier_with(user[0], submit=True)
        db.session.execute(
            update(HcpLetter)
            .where(HcpLetter.dossier_id == dossier_id)
            .values(letter_date=(clock.today() - timedelta(days=400)).isoformat())
        )
        db.session.commit()
    page = text_of(logged_in, f"/requests/{dossier_id}/submitted")
    assert "Dr Anne Leroy" in page and "no longer counts" not in page
    with app.app_context():
        make_user("rita@ansm.example", role=Role.REVIEWER)
    reviewer = app.test_client()
    login(reviewer, "rita@ansm.example")
    page = text_of(reviewer, f"/review/requests/{dossier_id}")
    assert "Dr Anne Leroy" in page and "no longer counts" not in page
