"""French by default, English on request; the switch keeps the person on the same page."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from tests.conftest import dossier_with, login
from wizard import clock
from wizard.extensions import db
from wizard.models import Dossier


def french(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9"
    return client


def test_a_browser_with_no_stated_language_gets_french(app):
    client = app.test_client()
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    page = client.get("/").text
    assert '<html lang="fr">' in page
    assert "Créer un compte" in page


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("en-GB,en;q=0.9,fr;q=0.5", "en"),
        ("fr-CA,en;q=0.5", "fr"),
        ("de-DE,de;q=0.9,en;q=0.3", "en"),  # the best of ours the browser accepts
        ("de-DE,de;q=0.9", "fr"),  # none of ours: French
        ("en;q=0.2,fr;q=0.8", "fr"),
        ("fr;q=0,en-US;q=0.1", "en"),  # q=0: not French
    ],
)
def test_the_language_is_the_browsers_preferred_one_among_ours(app, header, lang):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = header
    for _ in range(2):  # worked out once per header, the same the second time
        assert f'<html lang="{lang}">' in client.get("/").text


def test_an_english_browser_gets_english_and_the_other_language_is_offered(client):
    page = client.get("/").text
    assert '<html lang="en">' in page and "Create an account to start" in page
    assert 'lang="fr" hreflang="fr">Français</a>' in page


def test_the_switch_keeps_the_filer_on_the_same_step(app, user):
    client = french(app)
    login(client, user[1])
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    step = f"/requests/{dossier_id}/steps/situation"
    page = client.get(step).text
    assert "Enregistrer et continuer" in page
    switch = client.get(f"/language/en?next={step}")
    assert switch.status_code == 302 and switch.location == step
    assert "Save and continue" in client.get(step).text
    assert client.get("/language/de?next=/").status_code == 404
    assert client.get("/language/fr?next=https://evil.example/").location == "/"


def switch_of(page: str) -> str:
    """The language switch in a page's header."""
    nav = re.search(r'<nav class="header__nav".*?</nav>', page, re.S).group(0)
    return re.search(r"<(?:a|button)[^>]*>(?:English|Français)</(?:a|button)>", nav).group(0)


def test_a_steps_language_switch_brings_the_page_back_with_what_was_typed(app, user):
    """On a step's page the switch is a button of the step's form: the page comes back in
    the other language with what was typed, not saved (JavaScript off too, where a link
    would lose it). Elsewhere it is a link."""
    client = french(app)
    login(client, user[1])
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start", "situation"], files=False)
    step = f"/requests/{dossier_id}/steps/manufacturer"
    switch = switch_of(client.get(step).text)
    assert " ".join(switch.split()) == (
        '<button type="submit" form="step-form" name="switch_language" value="en" '
        'class="link-button" lang="en" data-sends-no-file '
        f'data-href="/language/en?next={step}">English</button>'
    )  # (the link it is when nothing was changed on the page: app.js)
    typed = {"legal_name": "Cardiotech <Médical> SAS", "country": "FR", "siret": "123"}
    shown = client.post(step, data={**typed, "switch_language": "en"})
    assert shown.status_code == 200
    assert '<html lang="en">' in shown.text and "Save and continue" in shown.text
    assert 'value="Cardiotech &lt;Médical&gt; SAS"' in shown.text
    assert 'value="FR" selected>' in shown.text and 'value="123"' in shown.text
    assert (
        "Anything you typed on this page is kept, but not saved yet: save the step to keep it."
        in shown.text
    )
    assert "choose it again" not in shown.text
    # What is typed and wrong is said (in English now), not a question left blank: nothing
    # was sent to be checked, and no alert is raised.
    assert re.search(r'id="siret-error"[^>]*>.*?SIRET', shown.text, re.S)
    assert 'id="address-error"' not in shown.text and 'role="alert"' not in shown.text
    with app.app_context():
        assert "manufacturer" not in db.session.get(Dossier, dossier_id).answers()
    # The language chosen stays; back in French the same way.
    assert '<html lang="en">' in client.get("/dashboard").text
    assert switch_of(client.get("/dashboard").text).startswith('<a href="/language/fr?next=')
    again = client.post(step, data={**typed, "switch_language": "fr"})
    assert '<html lang="fr">' in again.text and 'value="123"' in again.text
    # A save refused said every error: switched, it says them all again, in the language.
    sent = client.post(step, data={**typed, "action": "continue"})
    assert sent.status_code == 422 and 'id="address-error"' in sent.text
    assert 'name="errors_shown" value="y"' in sent.text
    switched = client.post(step, data={**typed, "errors_shown": "y", "switch_language": "en"})
    assert '<html lang="en">' in switched.text
    assert "Enter the address of the registered office." in switched.text
    assert 'name="errors_shown" value="y"' in switched.text  # and again, switched back
    refused = client.post(step, data={**typed, "switch_language": "de"})
    assert refused.status_code == 400
    with app.app_context():
        assert "manufacturer" not in db.session.get(Dossier, dossier_id).answers()


def test_the_switch_of_a_step_with_files_keeps_the_typing_but_adds_no_file(app, user):
    """Sent with a letter chosen and an invitation typed (step 9): neither is added nor
    sent; what was typed comes back, and the page asks for the file again."""
    from wizard.demo import minimal_pdf, sample_letter
    from wizard.models import HcpLetter, Invitation

    client = french(app)
    login(client, user[1])
    steps = ["before-you-start", "situation", "manufacturer", "device", "access-type", "patient"]
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=steps, files=False)
    step = f"/requests/{dossier_id}/steps/hcp-support"
    letter = {f"letter-{name}": value for name, value in sample_letter().items()}
    invitation = {"invite-clinician_name": "Dr Anne Leroy", "invite-email": "anne@necker.example"}
    shown = client.post(
        step,
        data={
            **letter,
            **invitation,
            "letter-file": (io.BytesIO(minimal_pdf("Letter")), "letter.pdf"),
            "switch_language": "en",
        },
        content_type="multipart/form-data",
    )
    assert shown.status_code == 200 and '<html lang="en">' in shown.text
    assert 'value="Dr Anne Leroy"' in shown.text and 'value="anne@necker.example"' in shown.text
    assert f'value="{sample_letter()["author_name"]}"' in shown.text
    assert (
        '<span id="file-not-kept">The file you had just chosen was not sent: choose it again.'
        "</span>" in shown.text
    )
    # Heard where the file is chosen again, not only at the page's top.
    assert re.search(r'id="letter-file"[^>]* aria-describedby="file-not-kept ', shown.text)
    with app.app_context():
        assert db.session.query(HcpLetter).filter_by(dossier_id=dossier_id).count() == 0
        assert db.session.query(Invitation).filter_by(dossier_id=dossier_id).count() == 0


def test_validation_messages_and_dates_follow_the_language(app, user):
    client = french(app)
    login(client, user[1])
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
    response = client.post(f"/requests/{dossier_id}/steps/situation", data={"action": "continue"})
    assert response.status_code == 422
    assert "Il y a un problème" in response.text
    assert "There is a problem" not in response.text
    dashboard = client.get("/dashboard").text
    assert "Brouillon" in dashboard
    # Dates as French readers write them: day first, month in lower case ("25 nov. 2026").
    assert re.search(r">\s*\d{1,2} [a-zéû]+\.? \d{4}", dashboard)


def test_public_pages_render_in_both_languages(app):
    for language in ("fr", "en"):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        for url in ("/", "/login", "/register", "/verify", "/accessibility", "/privacy"):
            response = client.get(url)
            assert response.status_code == 200, (language, url)
            assert f'<html lang="{language}">' in response.text


def test_the_link_to_ansms_french_contact_form_is_in_the_pages_language(app):
    """English words read with a French voice otherwise (WCAG 3.1.2): the link says its page
    is in French (`hreflang`), in words on an English page."""
    for language, words in (("en", "ANSM's contact form (in French)"), ("fr", "de l’ANSM")):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        page = html.unescape(client.get("/accessibility").text)
        link = re.search(r'<a href="https://ansm.sante.fr/contact"[^>]*>([^<]*)</a>', page)
        assert 'hreflang="fr"' in link.group(0) and "lang=" not in link.group(0).replace(
            "hreflang=", ""
        )
        assert words in link.group(1)


def test_the_first_of_the_month_is_written_as_french_writes_it(app):
    from datetime import date

    from flask_babel import force_locale

    from wizard.i18n import long_date

    with app.test_request_context():
        with force_locale("fr"):
            assert long_date(date(2027, 3, 1)) == "1er mars 2027"
            assert long_date(date(2027, 3, 11)) == "11 mars 2027"
        with force_locale("en_GB"):
            assert long_date(date(2027, 3, 1)) == "1 March 2027"


def test_english_pages_write_dates_and_times_the_british_way(app, logged_in, user):
    """The portal's English is British ("authorise"): so are its dates, on pages and in
    emails; the page still says it is in English."""
    logged_in.get("/language/en")
    with app.app_context():
        dossier_id = dossier_with(user[0], submit=True)
    page = logged_in.get(f"/requests/{dossier_id}/submitted").text
    assert '<html lang="en">' in page
    today = clock.today()
    assert (
        f"{today.day} {today:%B} {today.year}" in page
        or f"{today.day} {today:%b} {today.year}" in page
    )


def test_the_switch_climbs_to_the_nearest_page_that_opens(app):
    from wizard.public import page_to_show

    with app.test_request_context():
        assert page_to_show("/requests/5/start-from") == "/requests/5"
        # An answer's address opens (it leads to the request's page).
        assert page_to_show("/requests/5/questions/2/reply") == "/requests/5/questions/2/reply"
        assert page_to_show("/requests/5/steps/device?return_to=check") == (
            "/requests/5/steps/device?return_to=check"
        )
        assert page_to_show("/no/such/page") is None


def test_a_bound_is_written_as_each_language_groups_its_digits(app, user):
    """ "100 000" in French (a narrow no-break space between thousands), "100,000" in English;
    a year is never grouped."""
    client = french(app)
    login(client, user[1])
    before = ["before-you-start", "situation", "manufacturer", "device", "access-type"]
    with app.app_context():
        global_id = dossier_with(user[0], "global", steps=before, files=False)
        individual_id = dossier_with(user[0], "individual", steps=before, files=False)
    scope = client.post(
        f"/requests/{global_id}/steps/scope",
        data={"estimated_patients": "0", "action": "continue"},
    )
    assert "compris entre 1 et 100\u202f000." in scope.text
    # The error summary names the question, and goes on in lower case after the colon.
    assert "sur la période\u00a0: saisissez un nombre compris entre 1 et 100\u202f000." in (
        scope.text
    )
    patient = client.post(
        f"/requests/{individual_id}/steps/patient",
        data={"patient_birth_year": "1800", "action": "continue"},
    )
    assert re.search(r"compris entre 1900 et \d{4}\.", patient.text)


@pytest.mark.parametrize(
    ("header", "said"),
    [
        ("en-GB", "14 March 2026 at 10:05"),
        ("fr-FR", "14 mars 2026 à 10\u00a0h\u00a005"),
    ],
)
def test_a_moment_is_said_to_the_minute_in_paris_time_as_each_language_writes_it(
    app, user, header, said
):
    """09:05:42 UTC on 14 March 2026 is 10:05 in Paris: no seconds, and French writes the
    hour "10 h 05"."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = header
    login(client, user[1])
    with app.app_context():
        dossier_id = dossier_with(user[0], steps=["before-you-start"], files=False)
        db.session.execute(
            update(Dossier)
            .where(Dossier.id == dossier_id)
            .values(
                # started at a moment whose minute is not 42, or the check below would find
                # ":42" in the start time the links name (as it did when CI ran at 10:42)
                created_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
                updated_at=datetime(2026, 3, 14, 9, 5, 42, tzinfo=UTC),
            )
        )
        db.session.commit()
    page = client.get("/dashboard").text.replace("&nbsp;", "\u00a0")
    assert said in page and ":42" not in page


def test_french_goes_on_in_lower_case_after_a_colon_but_for_an_acronym(app):
    """ "Question : message": the message's first word in lower case, a one-letter one ("À")
    and one with an apostrophe ("L’étape") included; an acronym keeps its capitals."""
    from flask_babel import force_locale

    from wizard.web import labelled_message

    with app.test_request_context(), force_locale("fr"):
        said = {
            message: labelled_message("Date de dépôt", message)
            for message in ("À l’étape « Situation »", "L’étape suivante", "SIRET invalide")
        }
    assert said == {
        "À l’étape « Situation »": "Date de dépôt\u00a0: à l’étape « Situation »",
        "L’étape suivante": "Date de dépôt\u00a0: l’étape suivante",
        "SIRET invalide": "Date de dépôt\u00a0: SIRET invalide",
    }
