"""Every signed-in page carries where "Sign in again" leads back to, should its session end
while it is open (app.js puts the link in the page's notice): the page itself when it can be
opened again, query included; a page answering a form (whose address takes only a POST),
the page the form was sent from."""

from __future__ import annotations

import html
import re

from tests.review.support import manufacturer_asked, reply


def sign_in_link(page: str) -> str:
    return html.unescape(re.search(r'data-sign-in="([^"]+)"', page).group(1))


def test_a_page_leads_back_to_itself_with_its_query(app, reviewer, submitted):
    page = reviewer.get("/review?status=submitted&order=newest").text
    assert sign_in_link(page) == "/login?next=/review?status%3Dsubmitted%26order%3Dnewest"


def test_a_page_answering_a_form_leads_back_to_the_page_it_was_sent_from(
    app, reviewer, manufacturer, submitted
):
    question_id = manufacturer_asked(app, reviewer, submitted)
    own_page = f"/requests/{submitted}/submitted"
    refused = reply(
        manufacturer,
        submitted,
        question_id,
        message="",
        headers={"Referer": f"http://localhost{own_page}"},
    )
    assert refused.status_code == 422
    assert sign_in_link(refused.text) == f"/login?next={own_page}"
    # That page opens (the address the form went to takes only a POST).
    assert manufacturer.get(own_page).status_code == 200
