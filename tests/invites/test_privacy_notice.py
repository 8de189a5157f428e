"""The personal-data page (GDPR articles 13 and 14): reached from every page, from the
registration and from a professional's letter page, it names the controller, the bases, who
sees what, how long each is kept, and where to exercise one's rights."""

from __future__ import annotations

import html

from tests.invites.support import invite, link_in


def said(response) -> str:
    return " ".join(html.unescape(response.text).split())


def test_the_personal_data_page_says_who_why_what_and_how_long(app, client, monkeypatch):
    page = said(client.get("/privacy"))
    assert "The controller is the French National Agency for Medicines and Health Products" in page
    assert "article 6(1)(e)" in page and "article 9(2)(i)" in page
    assert "never their name" in page
    assert "the portal does not delete them itself" in page
    assert "erased after 24 hours" in page  # `unsent.KEPT_FOR`
    assert "CNIL" in page
    assert 'href="https://ansm.sante.fr/contact"' in page
    # Where rights are exercised is the operator's to set.
    monkeypatch.setitem(app.config, "PRIVACY_CONTACT_URL", "https://dpo.example/ansm")
    assert 'href="https://dpo.example/ansm"' in said(client.get("/privacy"))
    # In French too.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    french = said(client.get("/privacy"))
    assert "Le responsable du traitement est l’Agence nationale" in french


def test_the_page_is_linked_from_every_page_the_registration_and_the_letter_page(
    app, manufacturer, inbox
):
    signed_in, dossier_id = manufacturer
    anonymous = app.test_client()
    for client, url in ((anonymous, "/"), (anonymous, "/login"), (signed_in, "/dashboard")):
        assert 'href="/privacy">Personal data</a>' in said(client.get(url)), url
    # Beside a form: in a new tab, said so (leaving the page would lose what is typed).
    # (a sentence of its own: a space after the one before)
    in_a_new_tab = (
        '. <a href="/privacy" target="_blank" rel="noopener">How your personal data are handled '
        "(opens in a new tab)</a>"
    )
    register = said(anonymous.get("/register"))
    assert in_a_new_tab in register
    invite(signed_in, dossier_id)
    letter_page = said(app.test_client().get(link_in(inbox[-1])))
    assert in_a_new_tab in letter_page
