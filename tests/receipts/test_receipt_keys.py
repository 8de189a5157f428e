"""The portal's signing identity: a development certificate made once, real ones loaded."""

from __future__ import annotations

import datetime as dt
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from wizard.receipts.keys import (
    DEV_COMMON_NAME,
    SigningIdentityError,
    ensure_dev_signing_identity,
    load_signer,
)


def test_the_development_identity_is_made_once_with_a_private_key_file(tmp_path):
    key_path, cert_path = ensure_dev_signing_identity(tmp_path / "instance")
    first = key_path.read_bytes(), cert_path.read_bytes()

    assert ensure_dev_signing_identity(tmp_path / "instance") == (key_path, cert_path)
    assert (key_path.read_bytes(), cert_path.read_bytes()) == first
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_the_development_certificate_names_the_portal_and_may_sign_for_five_years(identity):
    cert = x509.load_pem_x509_certificate(identity[1].read_bytes())

    name = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    assert name == DEV_COMMON_NAME
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=5 * 365) <= lifetime <= dt.timedelta(days=5 * 366)


def test_a_lost_certificate_means_a_new_pair(tmp_path):
    key_path, cert_path = ensure_dev_signing_identity(tmp_path)
    old_key = key_path.read_bytes()
    cert_path.unlink()

    ensure_dev_signing_identity(tmp_path)

    assert cert_path.is_file() and key_path.read_bytes() != old_key


def test_a_pem_pair_loads_as_a_signer_named_after_its_certificate(signer):
    assert signer.subject_name == DEV_COMMON_NAME


def test_a_pkcs12_file_with_a_passphrase_loads_too(identity, tmp_path):
    key = serialization.load_pem_private_key(identity[0].read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(identity[1].read_bytes())
    bundle = tmp_path / "portal.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"portal", key, cert, None, serialization.BestAvailableEncryption(b"s3cret")
        )
    )

    signer = load_signer(None, None, pkcs12_path=bundle, passphrase="s3cret")

    assert signer.subject_name == DEV_COMMON_NAME


def test_a_missing_key_file_gives_a_readable_error(tmp_path, identity):
    with pytest.raises(SigningIdentityError, match="Cannot load"):
        load_signer(tmp_path / "nowhere.pem", identity[1])


def test_a_wrong_pkcs12_passphrase_gives_a_readable_error(tmp_path):
    bundle = tmp_path / "broken.p12"
    bundle.write_bytes(b"not a pkcs12 file")
    with pytest.raises(SigningIdentityError, match="passphrase"):
        load_signer(None, None, pkcs12_path=bundle, passphrase="wrong")
