"""What the signed receipt says, and how it is built: text a machine can read, PDF/A-3b with
the answers attached, a signature box where the template left room for it."""

from __future__ import annotations

import hashlib
import json
import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.pdf_languages import in_language, text_by_language
from tests.receipts.conftest import TEMPLATE_DIR
from wizard.receipts.document import build_receipt_pdf, receipt_environment, render_receipt_html
from wizard.receipts.layout import SIGNATURE_BOX
from wizard.receipts.render import render_pdf


@pytest.fixture(scope="module")
def reader(signed_pdf) -> PdfReader:
    return PdfReader(BytesIO(signed_pdf))


@pytest.fixture(scope="module")
def text(reader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_text_names_the_reference_and_the_device(text, receipt):
    assert receipt["reference"] in text
    assert receipt["device"]["trade_name"] in text
    assert receipt["device"]["udi_di"] in text


def test_every_hash_extracts_as_one_string(text, receipt):
    hashes = [item["sha256"] for item in receipt["documents"] + receipt["hcp_letters"]]
    for sha256 in [*hashes, receipt["answers_sha256"]]:
        assert sha256 in text


def test_no_patient_data_is_printed(text):
    assert "J.D." not in text and "1961" not in text
    # Identified, as the portal says (by initials), never named: no name is ever asked.
    flat = " ".join(text.split())
    assert "Accès individuel — pour un patient identifié" in flat
    assert "Individual access — for one identified patient" in flat
    assert "nommément" not in flat


def test_the_answers_are_attached_as_the_json_whose_hash_the_receipt_prints(reader, receipt, text):
    (content,) = reader.attachments["answers.json"]

    json.loads(content)
    assert hashlib.sha256(content).hexdigest() == receipt["answers_sha256"]
    assert receipt["answers_sha256"] in text


def test_the_attachment_is_declared_as_json_data_for_pdf_a_3(reader):
    catalog = reader.trailer["/Root"]
    filespec = catalog["/AF"][0].get_object()
    assert filespec["/AFRelationship"] == "/Data"
    assert filespec["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"


def test_the_signed_file_still_claims_pdf_a_3b_and_is_tagged(reader):
    catalog = reader.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert catalog["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in catalog
    # PDF/A wants the Info dictionary and the XMP packet to agree.
    producer = re.search(r'pdf:Producer="([^"]*)"', xmp).group(1)
    assert reader.trailer["/Info"]["/Producer"] == producer
    assert "DA-2026-000042" in reader.trailer["/Info"]["/Subject"]
    # PDF/A-3 is based on PDF 1.7: the signature (ECDSA) must not declare PDF 2.0.
    assert reader.pdf_header == "%PDF-1.7"
    assert catalog.get("/Version") in (None, "/1.7")
    extensions = catalog.get("/Extensions", {})
    assert "/ISO_" not in extensions and "/ESIC" in extensions


def test_the_signature_box_is_on_the_last_page_where_the_layout_says(reader):
    widgets = [
        annotation.get_object()
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/FT") == "/Sig"
    ]
    (widget,) = widgets
    assert widget["/P"].get_object() == reader.pages[-1].get_object()
    assert [round(float(value)) for value in widget["/Rect"]] == list(SIGNATURE_BOX)


def test_no_text_of_the_page_runs_into_the_signature_box(reader):
    left, bottom, right, top = SIGNATURE_BOX
    positions = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():  # where the text starts, in page coordinates: tm × cm
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            positions.append((text, x, y))

    reader.pages[-1].extract_text(visitor_text=visit)
    inside = [t for t, x, y in positions if left - 2 <= x <= right and bottom - 2 <= y <= top]
    beside = [t for t, x, y in positions if x < left and bottom - 2 <= y <= top]
    assert inside == []
    assert beside, "the signature note should sit in the band, left of the box"


def test_answers_that_do_not_match_the_printed_hash_are_refused(receipt, signer, template_dir):
    with pytest.raises(ValueError, match="answers_sha256"):
        build_receipt_pdf(receipt, answers_json=b"{}", signer=signer, template_dir=template_dir)


def test_the_template_source_is_given_exactly_once(receipt, answers_json, signer):
    with pytest.raises(TypeError):
        build_receipt_pdf(receipt, answers_json=answers_json, signer=signer)


def test_the_signature_box_embeds_its_font_with_widths_in_thousandths(reader):
    (widget,) = [
        annotation.get_object()
        for annotation in reader.pages[-1]["/Annots"]
        if annotation.get_object().get("/FT") == "/Sig"
    ]
    fonts = widget["/AP"]["/N"].get_object()["/Resources"]["/Font"]
    for font in fonts.values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
        widths = [w for entry in descendant["/W"] if isinstance(entry, list) for w in entry]
        assert widths and max(widths) <= 1000  # DejaVu's own 2048 units would overflow


def test_a_receipt_missing_a_field_is_refused_before_rendering(
    receipt, answers_json, signer, template_dir
):
    incomplete = {key: value for key, value in receipt.items() if key != "device"}
    with pytest.raises(ValueError, match="device"):
        build_receipt_pdf(
            incomplete, answers_json=answers_json, signer=signer, template_dir=template_dir
        )


def test_the_seal_never_stands_alone_on_a_last_page(receipt):
    """However many documents were filed, the seal's band comes with the end of the receipt
    (its fingerprint of the answers), never on a page of its own. Each added document pushes
    the end of the receipt down by a row: some count in the range puts it at the bottom of a
    page, where the band does not fit below it."""
    env = receipt_environment(TEMPLATE_DIR)
    pages_seen = set()
    for count in range(6, 13):
        filed = {**receipt, "documents": receipt["documents"][:1] * count}
        pdf = render_pdf(render_receipt_html(filed, env), base_url=None, attachments=[])
        pages = PdfReader(BytesIO(pdf)).pages
        pages_seen.add(len(pages))
        last = " ".join(pages[-1].extract_text().split())
        assert "Empreinte des réponses" in last, (count, last[:80])
    assert len(pages_seen) > 1, "the range should cross the end of a page"


def test_a_screen_reader_reads_each_language_with_its_own_voice(signed_pdf):
    """The receipt speaks French and English side by side: each English part is tagged as
    English, the rest as French (the document's language), down to every piece of text."""
    languages = {language for language, _ in text_by_language(signed_pdf)}
    assert languages == {"fr", "en"}
    english, french = in_language(signed_pdf, "en"), in_language(signed_pdf, "fr")
    for said in ("Receipt", "Reference number", "Submitted at (UTC)", "Trade name"):
        assert said in english and said not in french
    for said in ("Accusé de réception", "Numéro de référence", "Nom commercial"):
        assert said in french and said not in english
