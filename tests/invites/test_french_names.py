"""French puts "à"/"de" before a name as the name needs: "au Dr Leroy", "du Pr Martin",
"d’Anne Leroy", and leaves "à Anne Leroy" or an email address as they are."""

from __future__ import annotations

import pytest

from tests.invites.support import invitations_of, invite, letters_of, link_in, send_letter
from wizard.i18n import gettext, with_contractions


@pytest.fixture
def in_french(manufacturer):
    client, dossier_id = manufacturer
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9"
    return client, dossier_id


def pages_naming(app, in_french, clinician, inbox, name: str, email: str) -> tuple[str, ...]:
    """The step after inviting `name`, the page to revoke that invitation, and, once `name`
    has sent a letter through it, the page to remove the letter (whitespace collapsed)."""
    client, dossier_id = in_french
    sent = invite(client, dossier_id, **{"invite-clinician_name": name, "invite-email": email})
    step = client.get(sent.location).text
    with app.app_context():
        (invitation,) = invitations_of(dossier_id)
        revoke = client.get(f"/requests/{dossier_id}/invitations/{invitation.id}/revoke").text
    (message,) = inbox.to(email)
    assert send_letter(clinician, link_in(message), author_name=name).status_code == 303
    with app.app_context():
        (letter,) = letters_of(dossier_id)
        remove = client.get(f"/requests/{dossier_id}/letters/{letter.id}/delete").text
    return tuple(" ".join(page.split()) for page in (step, revoke, remove))


def test_a_titled_professional_is_written_au_dr_and_du_dr(app, in_french, clinician, inbox):
    step, revoke, remove = pages_naming(
        app, in_french, clinician, inbox, "Dr Anne Leroy", "anne.leroy@necker.example"
    )
    assert "L’invitation a été envoyée au Dr Anne Leroy (anne.leroy@necker.example)." in step
    assert "Annuler l’invitation adressée au Dr Anne Leroy ?" in revoke
    assert "Si le Dr Anne Leroy l’ouvre" in " ".join(revoke.split())
    assert "Retirer la lettre du Dr Anne Leroy ?" in remove


def test_an_untitled_name_keeps_a_and_elides_de(app, in_french, clinician, inbox):
    step, revoke, remove = pages_naming(app, in_french, clinician, inbox, "Anne Leroy", "dr.a@x.fr")
    assert "L’invitation a été envoyée à Anne Leroy (dr.a@x.fr)." in step
    assert "Annuler l’invitation adressée à Anne Leroy ?" in revoke
    # An address that starts like a title is not one.
    assert "Le lien envoyé à dr.a@x.fr cessera de fonctionner" in revoke
    assert "Retirer la lettre d’Anne Leroy ?" in remove


@pytest.mark.parametrize(
    ("message", "value", "expected"),
    [
        ("Lettre de %(name)s", "Dr Paul Durand", "Lettre du Dr Paul Durand"),
        ("Lettre de %(name)s", "Pr. Paul Durand", "Lettre du Pr. Paul Durand"),
        ("Lettre de %(name)s", "docteure Lise Roy", "Lettre de la docteure Lise Roy"),
        ("Envoyé à %(name)s", "Dre Lise Roy", "Envoyé à la Dre Lise Roy"),
        ("Envoyé à %(name)s", "Pr Lin", "Envoyé au Pr Lin"),
        ("Envoyé à %(name)s", "Professeur Lin", "Envoyé au Professeur Lin"),
        ("À %(name)s,", "Dr Lin", "Au Dr Lin,"),
        ("De %(name)s", "Élise Roy", "D’Élise Roy"),
        ("Lettre de %(name)s", "Orthomed", "Lettre d’Orthomed"),
        ("Envoyé à %(name)s", "Anne Roy", "Envoyé à Anne Roy"),  # "à" is never elided
        ("Lettre de %(name)s", "Drew Roy", "Lettre de Drew Roy"),
        ("Lettre de %(name)s", "anne@x.fr", "Lettre de anne@x.fr"),
        ("Envoyé à %(name)s", "dr.roy@x.fr", "Envoyé à dr.roy@x.fr"),
        ("moins de %(size)s", "8 Mo", "moins de 8 Mo"),
        ("Réponse envoyée par %(name)s", "Dr Anne Leroy", "Réponse envoyée par le Dr Anne Leroy"),
        ("Envoyée par %(name)s", "Dre Lise Roy", "Envoyée par la Dre Lise Roy"),
        ("Envoyée par %(name)s", "Anne Leroy", "Envoyée par Anne Leroy"),
        ("Pour %(name)s", "Pr Lin", "Pour le Pr Lin"),
        ("Si %(name)s l’ouvre", "Dr Yannick Le Bihan", "Si le Dr Yannick Le Bihan l’ouvre"),
        ("Si %(name)s l’ouvre", "Anne Roy", "Si Anne Roy l’ouvre"),
        (
            "la demande que %(name)s prépare",
            "Orthopédie Berthier",
            "la demande qu’Orthopédie Berthier prépare",
        ),
        ("lorsque %(name)s aura répondu", "Anne Roy", "lorsqu’Anne Roy aura répondu"),
        ("la demande que %(name)s prépare", "Cardiotech", "la demande que Cardiotech prépare"),
        ("lorsque %(name)s aura répondu", "Dr Lin", "lorsque le Dr Lin aura répondu"),
        ("jusque %(name)s", "Dr Lin", "jusque Dr Lin"),  # "que" inside a word is not "que"
        ("Sent to %(name)s", "Dr Lin", "Sent to Dr Lin"),  # English has nothing to contract
        ("guide %(name)s", "Dr Lin", "guide Dr Lin"),  # "de" inside a word is not "de"
    ],
)
def test_the_preposition_fits_the_value(message, value, expected):
    assert (
        with_contractions(message, {"name": value, "size": value})
        % {
            "name": value,
            "size": value,
        }
        == expected
    )


@pytest.mark.parametrize(
    ("name", "french"),
    [
        ("Dr Martin Dubois", "Le Dr Martin Dubois a répondu à la question de l’ANSM."),
        ("Dre Lise Roy", "La Dre Lise Roy a répondu à la question de l’ANSM."),
        ("Anne Leroy", "Anne Leroy a répondu à la question de l’ANSM."),
    ],
)
def test_a_titled_name_opening_a_french_sentence_gets_its_article(app, name, french):
    message = "%(name)s answered ANSM's question."
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert gettext(message, name=name) == french
        # Not before what only names them (a label, a signature): "Dr X (cardiologue…)".
        label = gettext("%(name)s (%(email)s)", name=name, email="x@y.fr")
        assert label.startswith(name)
        # Before a bracket that a verb follows, as before the verb.
        told = gettext("%(name)s (%(specialty)s) answered.", name=name, specialty="cardiologie")
        opening = french.removesuffix(" a répondu à la question de l’ANSM.")
        assert told == f"{opening} (cardiologie) answered."
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert gettext(message, name=name) == f"{name} answered ANSM's question."


@pytest.mark.parametrize(
    ("message", "name", "expected"),
    [
        (
            "la demande de %(manufacturer)s",
            "Les Laboratoires Servier",
            "la demande des Laboratoires Servier",
        ),
        (
            "la demande de %(manufacturer)s",
            "Le Laboratoire Aguettant",
            "la demande du Laboratoire Aguettant",
        ),
        (
            "la demande de %(manufacturer)s",
            "La Compagnie Médicale",
            "la demande de la Compagnie Médicale",
        ),
        ("De %(organisation)s", "Les Laboratoires Servier", "Des Laboratoires Servier"),
        (
            "envoyé à %(manufacturer)s",
            "Les Laboratoires Servier",
            "envoyé aux Laboratoires Servier",
        ),
        (
            "envoyé à %(manufacturer)s",
            "Le Laboratoire Aguettant",
            "envoyé au Laboratoire Aguettant",
        ),
        ("À %(organisation)s,", "La Compagnie Médicale", "À la Compagnie Médicale,"),
        ("pour %(organisation)s", "Les Laboratoires Servier", "pour les Laboratoires Servier"),
        (
            "lorsque %(manufacturer)s aura répondu",
            "Les Laboratoires Servier",
            "lorsque les Laboratoires Servier aura répondu",
        ),
        ("la demande de %(manufacturer)s", "Abiomed", "la demande d’Abiomed"),
        ("la demande de %(manufacturer)s", "Lesaffre Médical", "la demande de Lesaffre Médical"),
        ("la demande de %(manufacturer)s", "Le", "la demande de Le"),  # a name, not an article
        # A person's name keeps its capital article: "Le Gall" is a surname.
        ("Lettre de %(name)s", "Le Gall", "Lettre de Le Gall"),
        (
            "the request of %(manufacturer)s",
            "Les Laboratoires Servier",
            "the request of Les Laboratoires Servier",
        ),
    ],
)
def test_an_organisation_opening_with_its_article_takes_it_after_de_and_a(message, name, expected):
    variables = {"manufacturer": name, "organisation": name, "name": name}
    assert with_contractions(message, variables) % variables == expected


def test_a_french_email_speaks_of_les_laboratoires_as_french_does(app):
    """Through a translated message, as the emails are written (the letter's author is told
    of ANSM's decision)."""
    message = (
        "ANSM has authorised the request %(reference)s of %(manufacturer)s for derogatory "
        "access to the medical device “%(device)s”, for which you wrote a letter dated %(date)s."
    )
    told = {"reference": "DA-2026-000001", "device": "Valve", "date": "1er mars 2027"}
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        french = gettext(message, manufacturer="Les Laboratoires Servier", **told)
    assert french.startswith("L’ANSM a autorisé la demande DA-2026-000001 des Laboratoires Servier")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = gettext(message, manufacturer="Les Laboratoires Servier", **told)
    assert "DA-2026-000001 of Les Laboratoires Servier for" in english
