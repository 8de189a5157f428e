"""Anyone can check a receipt: genuine, altered, untrusted, or not a receipt at all."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.timestamps import DummyTimeStamper

from wizard.receipts.document import answers_attachment
from wizard.receipts.keys import ensure_dev_signing_identity, load_trust_roots
from wizard.receipts.render import render_pdf
from wizard.receipts.signing import sign_pdf
from wizard.receipts.verify import verify_pdf


@pytest.fixture(scope="module")
def unsigned_pdf(receipt_html, answers_json) -> bytes:
    return render_pdf(receipt_html, base_url=None, attachments=[answers_attachment(answers_json)])


def _byte_range(pdf: bytes) -> list[int]:
    return [int(n) for n in re.search(rb"/ByteRange\s*\[\s*([\d\s]+)\]", pdf).group(1).split()]


def test_a_genuine_receipt_is_intact_trusted_and_says_what_it_is(
    signed_pdf, trust_roots, receipt, answers_json
):
    verdict = verify_pdf(signed_pdf, trust_roots)

    assert verdict.genuine and verdict.problems == ()
    assert verdict.signer == "ANSM derogatory-access portal (development)"
    assert verdict.reference == receipt["reference"]
    assert verdict.embedded_json == answers_json
    assert verdict.embedded_json_sha256 == receipt["answers_sha256"]
    assert abs(verdict.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(hours=1)


def test_a_receipt_signed_by_another_key_is_intact_but_not_trusted(signed_pdf, tmp_path):
    other_roots = load_trust_roots(ensure_dev_signing_identity(tmp_path)[1])

    verdict = verify_pdf(signed_pdf, other_roots)

    assert verdict.intact and not verdict.trusted and not verdict.genuine
    assert any("not one the portal trusts" in problem for problem in verdict.problems)


@pytest.mark.parametrize("where", ["start", "middle of first range", "second range"])
def test_one_flipped_byte_in_the_signed_range_is_an_alteration(signed_pdf, trust_roots, where):
    start, first_length, second_start, second_length = _byte_range(signed_pdf)
    offset = {
        "start": start + 200,
        "middle of first range": start + first_length // 2,
        "second range": second_start + second_length // 2,
    }[where]
    altered = bytearray(signed_pdf)
    altered[offset] ^= 0x01

    verdict = verify_pdf(bytes(altered), trust_roots)

    assert not verdict.intact and not verdict.genuine and verdict.problems


def test_an_update_appended_after_signing_is_an_alteration(signed_pdf, trust_roots, receipt):
    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf))
    info = writer.trailer.raw_get("/Info")
    info.get_object()["/Subject"] = generic.TextStringObject("Accusé de réception DA-2026-999999")
    writer.mark_update(info)
    output = BytesIO()
    writer.write(output)

    verdict = verify_pdf(output.getvalue(), trust_roots)

    assert not verdict.intact
    assert "The file was changed after it was signed." in verdict.problems
    assert verdict.reference == receipt["reference"]  # read from the signed revision


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage", b"%PDF-1.7\n" + b"\x00" * 100, b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"],
    ids=["empty", "text", "header only", "broken object"],
)
def test_garbage_gets_a_verdict_not_an_exception(content, trust_roots):
    verdict = verify_pdf(content, trust_roots)

    assert not verdict.signed and not verdict.genuine and verdict.problems


def test_a_truncated_receipt_gets_a_verdict(signed_pdf, trust_roots):
    verdict = verify_pdf(signed_pdf[: len(signed_pdf) // 2], trust_roots)

    assert not verdict.genuine and verdict.problems


def test_an_unsigned_render_is_reported_as_unsigned(unsigned_pdf, trust_roots, receipt):
    verdict = verify_pdf(unsigned_pdf, trust_roots)

    assert not verdict.signed and "The PDF carries no signature." in verdict.problems
    assert verdict.reference == receipt["reference"]
    assert verdict.embedded_json_sha256 == receipt["answers_sha256"]


def _timestamp_authority() -> tuple[asn1_x509.Certificate, asn1_keys.PrivateKeyInfo]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test timestamp authority")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        asn1_keys.PrivateKeyInfo.load(key_der),
    )


def test_with_a_timestamp_authority_the_signing_time_is_the_authoritys(
    unsigned_pdf, signer, trust_roots
):
    tsa_cert, tsa_key = _timestamp_authority()
    stamped_at = dt.datetime(2026, 3, 14, 9, 30, 15, tzinfo=dt.UTC)
    signed = sign_pdf(
        unsigned_pdf,
        signer,
        reason="test",
        stamp_text="%(signer)s %(ts)s",
        timestamper=DummyTimeStamper(tsa_cert, tsa_key, fixed_dt=stamped_at),
    )

    verdict = verify_pdf(signed, [*trust_roots, tsa_cert])

    assert verdict.genuine, verdict.problems
    assert verdict.signed_at == stamped_at
