"""A decision becomes a PDF signed like the receipt: both sides download the same file, pyHanko
validates its signature, and the public /verify page recognises it (reference, decision,
status) and reports a single flipped byte as an alteration."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from sqlalchemy import select

from tests.pdf_languages import in_language
from tests.receipts.test_long_words import URL, seen
from tests.receipts.test_portal_receipts import flip_a_signed_byte, forged_pdf, renewed_seal
from tests.receipts.test_portal_receipts import verify_page as check
from tests.review.support import act, dossier, in_days
from wizard import clock
from wizard.demo import sample_answers, sample_declaration
from wizard.extensions import db
from wizard.models import Decision
from wizard.receipts.render import render_pdf
from wizard.receipts.service import receipt_fields, signing_identity
from wizard.receipts.verify import DECISION_FILENAME, verify_pdf
from wizard.review.decision_document import render_decision_html


def test_an_authorisation_is_a_signed_pdf_that_validates(
    app, reviewer, manufacturer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise", max_patients="8")
    url = f"/requests/{submitted_global}/decisions/1.pdf"
    pdf = manufacturer.get(url).data
    assert reviewer.get(f"/review{url}").data == pdf  # one stored decision, both sides
    with app.app_context():
        reference = dossier(submitted_global).reference
        verdict = verify_pdf(pdf, signing_identity().trust_roots)
        decision = db.session.scalar(
            select(Decision).where(Decision.dossier_id == submitted_global)
        )
        assert verdict.genuine and verdict.problems == ()
        assert verdict.reference == reference
        assert verdict.embedded_name == DECISION_FILENAME
        assert verdict.embedded_json_sha256 == decision.record_sha256
    record = json.loads(verdict.embedded_json)
    assert record["kind"] == "authorisation" and record["authorisation"]["max_patients"] == 8
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Autorisation d’accès dérogatoire" in text and "Derogatory-access authorisation" in text
    assert reference in text and "Monthly report to ANSM on every patient." in text
    assert "Cardiotech Médical SAS" in text and "Filed by" in text
    # Written as an administrative act: its legal bases, its grounds, then its articles.
    words = " ".join(text.split())
    assert "Le directeur général de l’Agence nationale de sécurité du médicament" in words
    assert "Vu le règlement (UE) 2017/745" in words
    assert "notamment le II de son article L. 5211-3" in words
    assert f"Vu la demande d’accès dérogatoire n° {reference} présentée le" in words
    assert (
        "Considérant ce qui suit" in words and "Unmet need; benefit outweighs the risks." in words
    )
    # Article 59(1)'s test, stated as met, after the reviewer's grounds.
    assert (
        "Au vu de ce qui précède, l’utilisation du dispositif présente un intérêt pour la santé "
        "publique ou pour la sécurité ou la santé des patients, au sens de l’article 59, "
        "paragraphe 1, du règlement (UE) 2017/745." in words
    )
    assert words.index("Unmet need") < words.index("Au vu de ce qui précède")
    # Where to appeal: the court of ANSM's seat.
    assert "recours contentieux devant le tribunal administratif de Montreuil" in words
    assert "Article 1er" in words and "sont autorisées du" in words
    # The indication in ANSM's words (the reviewer's), not the request's.
    indication = "Insuffisance cardiaque terminale de l’enfant de moins de 20 kg"
    assert f"pour l’indication suivante : {indication}. The placing" in words
    assert f"for the following indication: {indication}." in words
    assert record["authorisation"]["indication"] == indication + "."
    assert "End-stage" not in words.split("Décide")[1].split("Article 2")[0]
    assert "est limité à 8." in words  # article 2: the cap
    # When, as the act and the pages write it (Paris, to the minute), the exact UTC beneath.
    decided = datetime.fromisoformat(record["decided_at"])
    paris = decided.astimezone(ZoneInfo("Europe/Paris"))
    assert (
        f"{french(paris.date().isoformat())} à {paris.hour} h {paris.minute:02d} (heure de Paris) "
        f"{format_date(paris.date(), 'long', locale='en_GB')}, {paris:%H:%M} (Paris time) · "
        f"{decided.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    ) in words
    assert "par Cardiotech pour le compte de Cardiotech Médical SAS ;" in words  # its filer
    assert (
        "Article 4 / Article 4 Le fabricant déclare sans délai à l’ANSM tout incident grave et "
        "toute mesure corrective de sécurité concernant le dispositif (articles 87 à 89 du "
        "règlement (UE) 2017/745), et assure la traçabilité de chaque dispositif fourni. The "
    ) in words
    assert (
        "Article 5 / Article 5 La présente autorisation ne vaut pas certification de la "
        "conformité du dispositif. Dans sa demande, le fabricant s’est engagé à poursuivre cette "
        "certification."
    ) in words
    # A global authorisation is made known to the Commission and the Member States (59(2)).
    assert (
        "Article 6 / Article 6 La présente décision est notifiée au demandeur par le portail. "
        "Elle est portée à la connaissance de la Commission européenne et des autres États "
        "membres (article 59, paragraphe 2, du règlement (UE) 2017/745)."
    ) in words
    # Its author's name and function (CRPA L. 212-1), in the PDF and its record.
    assert (
        "Pour le directeur général et par délégation For the Director General, by delegation "
        "Claire Martin Head of the medical devices division"
    ) in words
    assert record["decided_by"]["title"] == "Head of the medical devices division"
    # What it authorises, as filed; and how to challenge it.
    filed_scope = sample_answers("global")["scope"]
    assert record["request"]["scope"]["indication"] == filed_scope["indication"]
    assert "End-stage heart failure in children under 20 kg." in text
    assert "Hôpital Louis Pradel, Lyon" in text
    # The request's indication and estimate, said to be the manufacturer's: the act's own
    # indication and cap are what is authorised.
    assert "Indication demandée" in text and "Indication requested" in text
    assert "Patients estimated by the manufacturer" in text
    assert "Voies et délais de recours" in text and "within two months" in text
    # A record made before the manufacturer was named apart still names one.
    older = {
        **record,
        "request": {k: v for k, v in record["request"].items() if k != "manufacturer"},
    }
    with app.test_request_context():
        html = render_decision_html(older, app.jinja_env)
    assert re.search(r"Manufacturer</span></th><td>Cardiotech</td>", html)
    assert "Filed by" not in html
    assert hashlib.sha256(pdf).hexdigest() == decision.pdf_sha256


def test_the_verify_page_recognises_a_decision_and_an_altered_one(
    app, reviewer, manufacturer, submitted, tmp_path
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "refuse", reason="Alternatives exist.")
    pdf = manufacturer.get(f"/requests/{submitted}/decisions/1.pdf").data
    anyone = app.test_client()
    page = check(anyone, pdf)
    assert "Genuine decision" in page and "Decision 1 — Refusal" in page
    assert "Matches the decision held by the portal" in page and "Refused" in page
    with app.app_context():
        assert dossier(submitted).reference in page
    assert "VentriAssist" not in page  # nothing else revealed

    altered = check(anyone, flip_a_signed_byte(pdf))
    assert "Altered: this decision was changed after it was signed" in altered
    assert "Genuine decision" not in altered
    assert "Not compared: the file was changed after it was signed" in altered
    assert "Matches the decision" not in altered
    # The portal's key did sign it: what fails is the file, not whom the portal trusts.
    assert "not confirmed: the file no longer matches its signature" in altered
    assert "not a signature this portal trusts" not in altered

    path = tmp_path / "decision.pdf"
    path.write_bytes(pdf)
    verified = app.test_cli_runner().invoke(args=["receipts", "verify", str(path)])
    assert verified.exit_code == 0, verified.output
    assert "Decision 1:" in verified.output and "matches the stored decision" in verified.output


def test_a_forged_decision_naming_a_real_one_learns_nothing_of_it(
    app, reviewer, manufacturer, submitted
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "refuse", reason="Alternatives exist.")
    with app.app_context():
        reference = dossier(submitted).reference
    record = json.dumps({"decision_number": 1}).encode()
    page = check(app.test_client(), forged_pdf(reference, (DECISION_FILENAME, record)))
    assert "This decision cannot be confirmed" in page and "Decision 1" in page
    assert "Refusal" not in page and "Refused" not in page and "Current status" not in page


def test_a_decision_names_the_filing_organisation_as_it_was_called_when_it_filed(
    app, reviewer, manufacturer, submitted
):
    """An account renamed after filing does not rename who filed: the receipt and every
    decision say the name the request was filed under."""
    renamed = manufacturer.post(
        "/account/details",
        data={"details-name": "Claire Martin", "details-organisation_name": "Other Consulting"},
    )
    assert renamed.status_code == 303, renamed.text
    # ANSM's page names both: whom the filing names, and whom to reach now.
    heading = reviewer.get(f"/review/requests/{submitted}").text.split("</h1>")[0]
    assert "filed by Cardiotech, since renamed Other Consulting" in heading
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "authorise")
    pdf = manufacturer.get(f"/requests/{submitted}/decisions/1.pdf").data
    with app.app_context():
        record = json.loads(verify_pdf(pdf, signing_identity().trust_roots).embedded_json)
        fields = receipt_fields(dossier(submitted))
    assert record["request"]["organisation"] == "Cardiotech" == fields["organisation"]
    words = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "par Cardiotech pour le compte de Cardiotech Médical SAS" in words
    assert "Other Consulting" not in words


def test_a_decision_outlives_the_certificate_of_its_seal(
    app, reviewer, manufacturer, submitted, tmp_path
):
    """Once the portal seals with a new certificate (the old one expired), a decision it
    issued before still checks as genuine: the portal keeps the very file; a copy changed by
    one byte is still altered."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "refuse", reason="Alternatives exist.")
    pdf = manufacturer.get(f"/requests/{submitted}/decisions/1.pdf").data
    with renewed_seal(app, tmp_path):
        page = " ".join(check(app.test_client(), pdf).split())
        altered = check(app.test_client(), flip_a_signed_byte(pdf))
    assert "Genuine decision" in page and "Matches the decision held by the portal" in page
    assert "issued by this portal: this very file is the one it keeps" in page
    assert "Refused" in page
    assert "Altered: this decision was changed after it was signed" in altered


def test_an_individual_authorisation_names_its_patient_place_and_physician(
    app, reviewer, manufacturer, submitted
):
    """Pseudonymised as filed: initials and year of birth, establishment, treating physician."""
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "authorise")
    pdf = manufacturer.get(f"/requests/{submitted}/decisions/1.pdf").data
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    patient = sample_answers("individual")["patient"]
    device = sample_answers("individual")["device"]
    words = " ".join(text.split()).replace("IUD- ID", "IUD-ID")
    assert f"classe {device['device_class']} · IUD-ID {device['udi_di']}" in words
    assert f"Class {device['device_class']} · UDI-DI {device['udi_di']}" in words
    assert f"{patient['patient_initials']}, {patient['patient_birth_year']}" in text
    assert patient["establishment_name"] in text and patient["establishment_finess"] in text
    assert patient["physician_name"] in text and patient["physician_rpps"] in text
    # Article 1 names whom it authorises it for, the physician treating them too.
    assert (
        f"établissement {patient['establishment_name']}, médecin {patient['physician_name']})"
        in words
    )
    assert "Voies et délais de recours" in text
    # For one patient: no indication of ANSM's, and not made known to the Commission (59(2)).
    assert "Commission européenne" not in text and "indication suivante" not in text


def test_an_authorisation_of_a_device_with_no_udi_di_yet_says_so(app, user, reviewer):
    """The act and the facts table name the device by its UDI-DI, or say, in French and in
    English, that none is assigned yet."""
    from tests.conftest import dossier_with
    from wizard.filing import service as filing
    from wizard.models import Dossier, User

    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
        device = {**sample_answers("global")["device"], "no_udi_di": True}
        del device["udi_di"]
        draft = db.session.get(Dossier, dossier_id)
        filing.save_step(draft, "device", device)
        filing.submit(draft, db.session.get(User, user[0]), sample_declaration())
    act(reviewer, dossier_id, "start-review")
    act(reviewer, dossier_id, "authorise", max_patients="8")
    pdf = reviewer.get(f"/review/requests/{dossier_id}/decisions/1.pdf").data
    words = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    # (A line may break at the hyphen of "IUD-ID".)
    assert "(classe III, sans IUD-ID attribué)" in words.replace("IUD- ID", "IUD-ID")
    assert "(class III, no UDI-DI assigned)" in words and "Class III · no UDI-DI assigned" in words
    # The facts table says it in both languages too.
    assert "classe III · IUD-ID non attribué" in words.replace("IUD- ID", "IUD-ID")


def test_a_decision_pdf_produced_twice_at_once_is_stored_once(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    """The PDF is rendered with no database connection held (another request can write
    meanwhile); when another producer stored one first, that one is kept and served."""
    from sqlalchemy import update

    from wizard.review import decisions

    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise")
    with app.app_context():
        decision = db.session.scalar(
            select(Decision).where(Decision.dossier_id == submitted_global)
        )
        first = decision.pdf
        decision.pdf = decision.pdf_sha256 = None
        db.session.commit()
        render = decisions.build_decision_pdf

        def meanwhile_another_request_stores_its_own(record, **options):
            pdf = render(record, **options)
            with db.engine.begin() as other:  # a second connection, as another request's
                other.execute(
                    update(Decision)
                    .where(Decision.id == decision.id)
                    .values(pdf=first, pdf_sha256=hashlib.sha256(first).hexdigest())
                )
            assert pdf != first  # signed at another moment
            return pdf

        monkeypatch.setattr(
            decisions, "build_decision_pdf", meanwhile_another_request_stores_its_own
        )
        assert decisions.ensure_pdf(decision) == first
    url = f"/requests/{submitted_global}/decisions/1.pdf"
    assert manufacturer.get(url).data == first


def test_a_suspension_or_withdrawal_states_how_the_manufacturer_was_heard(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    """Before a measure against it, the manufacturer is invited to present its observations,
    unless it is urgent (code des relations entre le public et l'administration, L. 121-1 and
    L. 122-1; L. 121-2): the reviewer says which, and the signed decision states it."""
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise")
    unsaid = act(reviewer, submitted_global, "suspend", procedure=None)
    assert unsaid.status_code == 422
    assert "Say whether the manufacturer was invited to present its observations first." in (
        unsaid.text
    )
    undated = act(
        reviewer, submitted_global, "suspend", procedure="observations", observations_received="yes"
    )
    assert undated.status_code == 422
    assert "Enter the date the manufacturer was invited to present its observations." in (
        undated.text
    )
    future = act(
        reviewer,
        submitted_global,
        "suspend",
        procedure="observations",
        observations_invited_on=in_days(3),
        observations_received="yes",
    )
    assert "The date of the invitation cannot be in the future." in future.text

    later(monkeypatch, days=40)
    heard_on = in_days(-30)  # ten days after the authorisation
    heard = act(
        reviewer,
        submitted_global,
        "suspend",
        procedure="observations",
        observations_invited_on=heard_on,
        observations_received="yes",
    )
    assert heard.status_code == 303
    assert act(reviewer, submitted_global, "reinstate").status_code == 303
    assert act(reviewer, submitted_global, "suspend").status_code == 303  # urgent
    later(monkeypatch, days=25)
    silent_on = in_days(-20)  # five days after the reinstatement
    silent = act(
        reviewer,
        submitted_global,
        "withdraw",
        observations_invited_on=silent_on,
        observations_received="no",
    )
    assert silent.status_code == 303  # heard, no answer in the time given
    with app.app_context():
        records = {
            d.number: d.record
            for d in db.session.scalars(
                select(Decision).where(Decision.dossier_id == submitted_global)
            )
        }
    assert records[2]["procedure"] == {
        "kind": "observations",
        "invited_on": heard_on,
        "observations_received": True,
    }
    assert records[3].get("procedure") is None  # a reinstatement is no measure against it
    # Lifted 30 days into the authorised period: the authorisation is in force again.
    reinstated = _act_text(manufacturer, submitted_global, 3)
    assert "l’autorisation reprend effet dans les conditions qu’elle fixe, jusqu’au" in reinstated
    assert "the authorisation takes effect again on the conditions it sets, until" in reinstated
    assert records[4]["procedure"] == {"kind": "urgency"}
    assert records[5]["procedure"] == {
        "kind": "observations",
        "invited_on": silent_on,
        "observations_received": False,
    }

    def text_of(number):
        pdf = manufacturer.get(f"/requests/{submitted_global}/decisions/{number}.pdf").data
        pages = PdfReader(io.BytesIO(pdf)).pages
        return " ".join("".join(page.extract_text() for page in pages).split())

    answered, urgent, silent = text_of(2), text_of(4), text_of(5)
    assert "Mesure prise en urgence" in urgent and "L. 121-2, 1°" in urgent
    assert f"Le fabricant a été invité le {french(heard_on)}" in answered
    assert "qu’il a présentées" in answered and "which it did" in answered
    assert f"Le fabricant a été invité le {french(silent_on)}" in silent
    assert "il n’en a pas présenté dans le délai imparti" in silent
    assert "it presented none within the time given" in silent
    assert "L. 121-1 et L. 122-1" in silent
    # The visa cites the articles the procedure followed, not urgency's for a heard one.
    heard_visa = "notamment ses articles L. 121-1 et L. 122-1 ;"
    assert heard_visa in answered and heard_visa in silent and "L. 121-2" not in answered
    assert "notamment ses articles L. 121-1 et L. 121-2 ;" in urgent
    page = manufacturer.get(f"/requests/{submitted_global}/submitted").text
    assert "Taken urgently, without first inviting the manufacturer&#39;s observations." in page
    assert "to present its observations, and presented none in the time given." in page


def later(monkeypatch, *, days: int) -> None:
    """`days` pass."""
    moment = clock.now() + timedelta(days=days)
    monkeypatch.setattr(clock, "now", lambda: moment)


def french(iso_day: str) -> str:
    written = format_date(date.fromisoformat(iso_day), "long", locale="fr")
    return "1er" + written[1:] if written.startswith("1 ") else written


def _act_text(client, dossier_id: int, number: int) -> str:
    pdf = client.get(f"/requests/{dossier_id}/decisions/{number}.pdf").data
    return " ".join(
        "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


def test_each_measure_decides_in_its_own_article_and_cites_the_authorisation(
    app, reviewer, manufacturer, submitted_global, submitted
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "refuse", reason="Alternatives exist.")
    refusal = _act_text(manufacturer, submitted, 1)
    assert (
        "Article 1er" in refusal
        and "présentée par Cardiotech pour le compte de Cardiotech Médical SAS, est rejetée."
        in (refusal)
    )
    assert "Article 2 / Article 2 La présente décision est notifiée" in refusal
    # Signed by delegation: the act that delegates it, cited.
    assert (
        "Vu la délégation de signature accordée par décision DG n° 2026-12 du 5 janvier 2026 ;"
        in refusal
    )
    # Reasoned in law too: the rule it applies, after the facts the reviewer gave.
    assert (
        "Alternatives exist. Au vu de ce qui précède, les conditions d’une autorisation au titre "
        "de l’article 59, paragraphe 1, du règlement (UE) 2017/745 et du II de l’article "
        "L. 5211-3 du code de la santé publique ne sont pas réunies."
    ) in refusal
    assert (
        "the conditions for an authorisation under Article 59(1) of Regulation (EU) 2017/745 "
        "and article L. 5211-3 II of the French Public Health Code are not met."
    ) in refusal
    assert "Vu la décision n°" not in refusal and "Article 3" not in refusal

    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise", max_patients="8")  # from in ten days
    measures = {
        # Before the period begins, nobody has the device under it yet.
        2: (
            "suspend",
            "ne pourra pas être mis sur le marché ni mis en service à ce titre tant que la "
            "suspension n’est pas levée.",
        ),
        3: (
            "reinstate",
            "l’autorisation accordée par la décision n° 1, prononcée par la décision n° 2,",
        ),
        4: (
            "withdraw",
            "est abrogée à compter de la notification de la présente décision : le dispositif "
            "VentriAssist Mini — VAM-200 ne pourra pas être mis sur le marché ni mis en service "
            "à ce titre.",
        ),
    }
    for number, (name, decided) in measures.items():
        assert act(reviewer, submitted_global, name).status_code == 303
        text = _act_text(manufacturer, submitted_global, number)
        # Each act it cites, by number and date.
        assert f"Vu la décision n° 1 du {french(clock.today().isoformat())} autorisant, du" in text
        assert ", l’accès dérogatoire au dispositif ;" in text
        assert decided in text, name
        assert "Considérant ce qui suit" in text and "Pour le directeur général" in text
    reinstated = _act_text(manufacturer, submitted_global, 3)
    today = french(clock.today().isoformat())
    english = format_date(clock.today(), "long", locale="en_GB")
    assert f"Vu la décision n° 2 du {today} suspendant cette autorisation ;" in reinstated
    assert (
        "La suspension de l’autorisation accordée par la décision n° 1, prononcée par la "
        "décision n° 2, est levée à compter de la notification de la présente décision"
    ) in reinstated
    # Lifted before the authorised period (from in ten days) began: it takes effect then.
    start = french(in_days(10))
    assert f"l’autorisation prend effet dans les conditions qu’elle fixe, du {start} au" in (
        reinstated
    )
    assert "reprend effet" not in reinstated and "takes effect again" not in reinstated
    # The withdrawal cites what happened to the authorisation since it was granted.
    withdrawn = _act_text(manufacturer, submitted_global, 4)
    assert "Autorisation abrogée par l’ANSM Authorisation withdrawn by ANSM" in withdrawn
    assert (
        f"Vu la décision n° 2 du {today} suspendant cette autorisation ; Having regard to "
        f"decision 2 of {english} suspending that authorisation; Vu la décision n° 3 du {today} "
        f"rétablissant cette autorisation ; Having regard to decision 3 of {english} "
        "reinstating that authorisation;"
    ) in withdrawn
    suspended = _act_text(manufacturer, submitted_global, 2)
    assert "suspendant cette autorisation" not in suspended  # nothing before it to cite


def test_the_manufacturer_withdrawing_its_request_is_recorded_not_decided(
    app, manufacturer, reviewer, submitted, tmp_path
):
    """Not an act of ANSM: no legal bases, no articles, no one signing for the Director."""
    withdrawn = manufacturer.post(
        f"/requests/{submitted}/withdraw", data={"withdraw-reason": "The patient has recovered."}
    )
    assert withdrawn.status_code == 303
    text = _act_text(manufacturer, submitted, 1)
    assert "Retrait de la demande" in text and "Le fabricant a retiré sa demande" in text
    assert "Retirée par Withdrawn by Claire Martin" in text
    # Its status as the portal's pages write it, not the same word as ANSM's withdrawal.
    assert "Demande retirée Request withdrawn" in text
    assert "Motif du retrait" in text and "The patient has recovered." in text
    for act_only in ("Vu le règlement", "Considérant", "Article 1er", "Pour le directeur général"):
        assert act_only not in text
    # Nor is it called a decision: not in the file, its name, its row, nor where it is checked.
    assert "Décision" not in text and "Decision" not in text
    pdf = manufacturer.get(f"/requests/{submitted}/decisions/1.pdf")
    with app.app_context():
        reference = dossier(submitted).reference
    assert f"filename=withdrawal-{reference}.pdf" in pdf.headers["Content-Disposition"]
    (seal,) = [f["/V"] for f in PdfReader(io.BytesIO(pdf.data)).get_fields().values()]
    assert seal["/Reason"] == f"Retrait / Withdrawal {reference}"  # the seal's own words
    assert PdfReader(io.BytesIO(pdf.data)).metadata.title == (
        f"Retrait de la demande — {reference} / Withdrawal of the request — {reference}"
    )
    page = " ".join(manufacturer.get(f"/requests/{submitted}/submitted").text.split())
    assert "Withdrawal of the request by the manufacturer</td>" in page
    assert 'id="decisions-title">Withdrawal of the request</h2>' in page
    assert "Decision 1" not in page
    assert 'Download<span class="visually-hidden"> the withdrawal of the request</span>' in page
    checked = " ".join(check(app.test_client(), pdf.data).split())
    assert "Genuine withdrawal of a request" in checked
    assert "<dt>Withdrawal</dt><dd>Withdrawal of the request by the manufacturer</dd>" in checked
    assert "Matches the withdrawal held by the portal" in checked
    # The download is in the audit trail as what it is.
    trail = html.unescape(reviewer.get(f"/review/requests/{submitted}").text)
    assert f"Downloaded: withdrawal-{reference}.pdf (withdrawal of the request)" in trail
    assert "Decision 1" not in checked
    # Altered, it is still not called a decision: it says it is a withdrawal.
    altered = " ".join(check(app.test_client(), flip_a_signed_byte(pdf.data)).split())
    assert "Altered: this withdrawal was changed after it was signed" in altered
    assert "Decision 1" not in altered and "Content of the withdrawal" in altered
    # The command line says the same.
    path = tmp_path / "withdrawal.pdf"
    path.write_bytes(pdf.data)
    verified = app.test_cli_runner().invoke(args=["receipts", "verify", str(path)])
    assert verified.exit_code == 0, verified.output
    assert "Withdrawal:" in verified.output and "matches the stored withdrawal" in verified.output
    assert "Decision" not in verified.output


def refusal_record(app, reviewer, manufacturer, dossier_id: int) -> dict:
    """The record a refusal of the request signs (read back from its PDF), to render the act
    again with other values."""
    act(reviewer, dossier_id, "start-review")
    act(reviewer, dossier_id, "refuse", reason="Alternatives exist.")
    pdf = manufacturer.get(f"/requests/{dossier_id}/decisions/1.pdf").data
    with app.app_context():
        return json.loads(verify_pdf(pdf, signing_identity().trust_roots).embedded_json)


def _pages_holding(pdf: bytes, words: tuple[str, ...]) -> set[int]:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    return {number for number, text in enumerate(pages) for word in words if word in text}


def test_a_decision_keeps_each_table_whole_on_one_page(app, reviewer, manufacturer, submitted):
    """Grounds of any length move the tables below them, never split them: before, some
    lengths left a table's first rows at the foot of a page and the rest on the next."""
    record = refusal_record(app, reviewer, manufacturer, submitted)
    with app.app_context():
        # 0, 4 and 12 lines of grounds split a table before: its heading row, or two, alone.
        for lines in (0, 4, 12):
            grounds = "\n".join(
                f"Ground {n}, long enough to fill most of a line." for n in range(lines)
            )
            html_text = render_decision_html({**record, "reason": grounds}, app.jinja_env)
            rendered = render_pdf(html_text, base_url=None, attachments=[])
            assert len(_pages_holding(rendered, ("Date et heure", "Statut de la demande"))) == 1
            request_rows = ("Fabricant", "Dispositif", "Patient (initiales", "Médecin", "Dépôt")
            assert len(_pages_holding(rendered, request_rows)) == 1, lines


def test_a_table_taller_than_a_page_still_breaks_and_loses_nothing(
    app, reviewer, manufacturer, submitted_global
):
    record = refusal_record(app, reviewer, manufacturer, submitted_global)
    with app.app_context():
        lines = [f"Indication line {n}." for n in range(90)]
        scope = {**record["request"]["scope"], "indication": "\n".join(lines)}
        record["request"] = {**record["request"], "scope": scope}
        rendered = render_pdf(
            render_decision_html(record, app.jinja_env), base_url=None, attachments=[]
        )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered)).pages)
    assert all(line in text for line in lines) and "Dépôt" in text


@pytest.mark.parametrize(
    ("name", "of_it"),
    [
        ("Abiomed SAS", "d’Abiomed SAS"),
        ("Les Laboratoires Servier", "des Laboratoires Servier"),
        ("Le Laboratoire Aguettant", "du Laboratoire Aguettant"),
        ("iRhythm Technologies", "d’iRhythm Technologies"),  # a small vowel elides too
    ],
)
def test_the_act_writes_de_before_a_manufacturer_as_french_does(app, user, reviewer, name, of_it):
    """French as an act is written: "d’Abiomed", never "de Abiomed"; "des Laboratoires",
    never "de Les Laboratoires", in a decision that cannot be corrected once signed."""
    from tests.conftest import dossier_with
    from wizard.filing import service as filing
    from wizard.models import Dossier, User

    with app.app_context():
        dossier_id = dossier_with(user[0], "global")
        manufacturer = {**sample_answers("global")["manufacturer"], "legal_name": name}
        draft = db.session.get(Dossier, dossier_id)
        filing.save_step(draft, "manufacturer", manufacturer)
        filing.submit(draft, db.session.get(User, user[0]), sample_declaration())
    act(reviewer, dossier_id, "start-review")
    act(reviewer, dossier_id, "authorise")
    pdf = reviewer.get(f"/review/requests/{dossier_id}/decisions/1.pdf").data
    words = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert f"pour le compte {of_it}" in words
    assert f") {of_it}, pour lequel" in words
    assert f"de {name}" not in words
    assert f"on behalf of {name}" in words


def test_a_screen_reader_reads_the_act_in_french_and_its_translation_in_english(
    reviewer, manufacturer, submitted_global
):
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise")
    pdf = manufacturer.get(f"/requests/{submitted_global}/decisions/1.pdf").data
    english, french = in_language(pdf, "en"), in_language(pdf, "fr")
    assert "Whereas:" in english and "Considérant ce qui suit" not in english
    assert "Considérant ce qui suit" in french and "Whereas" not in french
    assert "Having regard to Regulation (EU) 2017/745" in english
    assert "Vu le règlement (UE) 2017/745" in french


def test_a_decision_shows_grounds_and_an_indication_longer_than_their_line(
    app, reviewer, manufacturer, submitted_global
):
    record = refusal_record(app, reviewer, manufacturer, submitted_global)
    with app.app_context():
        scope = {**record["request"]["scope"], "indication": f"See {URL}"}
        record = {
            **record,
            "reason": f"The study {URL} does not support it.",
            "request": {**record["request"], "scope": scope},
        }
        rendered = render_pdf(
            render_decision_html(record, app.jinja_env), base_url=None, attachments=[]
        )
    assert seen(rendered).count(URL) == 2


def test_the_appeal_stays_on_one_page_in_both_languages_and_says_when_it_was_filed(
    app, reviewer, manufacturer, submitted_global
):
    """A decision long enough to reach a third page: the appeal's French and English are
    on the same page (its English alone beside the seal read as a paragraph of its own),
    and the filing's time is written as the decision's, in Paris time first."""
    act(reviewer, submitted_global, "start-review")
    follow_up = (
        "Rapport mensuel à l’ANSM pour chaque patient implanté.\n"
        "Registre des patients tenu à jour.\n"
        "Bilan final dans les 3 mois après la fin de la période."
    )
    signed = act(reviewer, submitted_global, "authorise", follow_up=follow_up, report_every="3")
    assert signed.status_code == 303
    pdf = manufacturer.get(f"/requests/{submitted_global}/decisions/1.pdf").data
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    (appeal,) = [text for text in pages if "Voies et délais de recours" in text]
    assert appeal.count("www.telerecours.fr") == 2
    words = " ".join(" ".join(pages).split())
    assert words.count("(heure de Paris)") == 2  # decided, and filed
    assert "Empreinte des réponses Fingerprint of the answers" in words


def _drawable(pdf: bytes) -> set[str]:
    """The characters the fonts embedded in `pdf` have glyphs for (a character none has is
    drawn as a box)."""
    chars = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            data = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object()
            cmap = TTFont(io.BytesIO(data.get_data()))["cmap"].getBestCmap() or {}
            chars |= {chr(code) for code in cmap}
    return chars


def test_chinese_japanese_and_korean_are_drawn_not_boxes(
    app, reviewer, manufacturer, submitted_global
):
    """A manufacturer's name quoted in the grounds, in its own script: every character has a
    glyph in a font the PDF embeds (`make install` installs one for these scripts)."""
    quoted = "深圳迈瑞生物医疗电子 · テルモ株式会社 · 메드트로닉코리아"
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "refuse", reason=f"Le fabricant ({quoted}) n’a pas répondu.")
    pdf = manufacturer.get(f"/requests/{submitted_global}/decisions/1.pdf").data
    missing = {char for char in quoted if not char.isspace()} - _drawable(pdf)
    assert not missing, f"drawn as boxes: {''.join(sorted(missing))}"


def test_the_seal_is_dated_in_paris_time_as_the_act(app, reviewer, manufacturer, submitted_global):
    """The seal's box says when it was signed in Paris time, as the act dates everything
    (pyHanko would write the server's zone: UTC in a container)."""
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise")
    pdf = manufacturer.get(f"/requests/{submitted_global}/decisions/1.pdf").data
    box = re.search(r"On(\d{4}-\d\d-\d\d)(\d\d:\d\d:\d\d)([+-]\d{4})", seen(pdf))
    signed = datetime.fromisoformat(f"{box.group(1)}T{box.group(2)}{box.group(3)}")
    paris = datetime.now(ZoneInfo("Europe/Paris"))
    assert signed.utcoffset() == paris.utcoffset()
    assert abs((paris - signed).total_seconds()) < 120


def test_a_measure_once_the_period_has_begun_spares_the_patients_treated(
    app, reviewer, manufacturer, submitted_global
):
    """Suspended, then withdrawn, once the authorised period has begun: the device may no
    longer be supplied for a patient who has not received it; the follow-up of those who
    have goes on (as the emails and pages say)."""
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise", period_start=in_days(0))
    assert act(reviewer, submitted_global, "suspend").status_code == 303
    suspended = _act_text(manufacturer, submitted_global, 2)
    assert (
        "ni mis en service à ce titre pour un patient qui ne l’a pas encore reçu, tant que la "
        "suspension n’est pas levée. Le suivi des patients ayant déjà reçu le dispositif se "
        "poursuit." in suspended
    )
    assert "The follow-up of patients who have already received the device continues." in (
        suspended
    )
    assert act(reviewer, submitted_global, "reinstate").status_code == 303
    assert act(reviewer, submitted_global, "withdraw").status_code == 303
    withdrawn = _act_text(manufacturer, submitted_global, 4)
    assert (
        "ne peut plus être mis sur le marché ni mis en service à ce titre pour un patient qui ne "
        "l’a pas encore reçu. Le suivi des patients ayant déjà reçu le dispositif se poursuit."
        in withdrawn
    )


def test_an_authorisation_suspended_before_its_period_is_never_said_in_force_again(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    """Suspended before its first day, nobody received the device under it: lifted once the
    period has begun, the act says it takes effect (not "again"); withdrawn so, it says
    nobody goes on being followed, as the emails do."""
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise")  # from in ten days
    act(reviewer, submitted_global, "suspend")
    later(monkeypatch, days=15)
    act(reviewer, submitted_global, "reinstate")
    reinstated = _act_text(manufacturer, submitted_global, 3)
    assert (
        "l’autorisation, suspendue avant le début de sa période, prend effet dans les "
        "conditions qu’elle fixe, jusqu’au" in reinstated
    )
    assert (
        "the authorisation, suspended before its period began, takes effect on the "
        "conditions it sets, until" in reinstated
    )
    assert "reprend effet" not in reinstated and "takes effect again" not in reinstated

    act(reviewer, submitted_global, "suspend")  # in force now: a patient may have it
    act(reviewer, submitted_global, "reinstate")
    assert "l’autorisation reprend effet" in _act_text(manufacturer, submitted_global, 5)


def test_suspended_before_its_period_and_withdrawn_within_it_the_act_follows_nobody(
    app, reviewer, manufacturer, submitted_global, monkeypatch
):
    act(reviewer, submitted_global, "start-review")
    act(reviewer, submitted_global, "authorise")  # from in ten days
    act(reviewer, submitted_global, "suspend")
    later(monkeypatch, days=15)
    act(reviewer, submitted_global, "withdraw")
    withdrawn = _act_text(manufacturer, submitted_global, 3)
    assert (
        "VentriAssist Mini — VAM-200 ne pourra pas être mis sur le marché ni mis en service à "
        "ce titre." in withdrawn
    )
    assert "déjà reçu" not in withdrawn and "already received" not in withdrawn


def test_an_individual_authorisation_s_measures_speak_of_its_one_patient(
    app, reviewer, manufacturer, submitted, monkeypatch
):
    act(reviewer, submitted, "start-review")
    act(reviewer, submitted, "authorise")  # from in ten days
    later(monkeypatch, days=15)
    act(reviewer, submitted, "suspend")
    suspended = _act_text(manufacturer, submitted, 2)
    assert (
        "à ce titre pour le patient s’il ne l’a pas encore reçu, tant que la suspension n’est "
        "pas levée. S’il l’a déjà reçu, son suivi se poursuit." in suspended
    )
    assert (
        "under it for the patient if they have not yet received it, until the suspension is "
        "lifted. If they have already received it, their follow-up continues." in suspended
    )
    assert "des patients" not in suspended and "patients who" not in suspended
    act(reviewer, submitted, "withdraw")
    withdrawn = _act_text(manufacturer, submitted, 3)
    assert "pour le patient s’il ne l’a pas encore reçu. S’il l’a déjà reçu" in withdrawn
