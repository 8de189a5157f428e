"""The portal's signing identity: a development key pair, and loading a real one from config.

Development: `ensure_dev_signing_identity(instance_path)` creates a self-signed certificate once.
Production: point config at a PEM key + certificate (or a PKCS#12 file) issued for the portal,
and give verifiers that certificate's root through `load_trust_roots`.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder
from pyhanko.sign.signers import SimpleSigner

DEV_COMMON_NAME = "ANSM derogatory-access portal (development)"
DEV_KEY_FILENAME = "receipt-signing-key.pem"
DEV_CERT_FILENAME = "receipt-signing-cert.pem"
DEV_VALIDITY = dt.timedelta(days=5 * 365 + 1)


class SigningIdentityError(ValueError):
    """The configured key or certificate cannot be loaded."""


def ensure_dev_signing_identity(directory: Path) -> tuple[Path, Path]:
    """Return (key_pem_path, cert_pem_path), generating them on first call only.

    The key file is written with mode 0600. If only one of the two files exists, both are
    regenerated: a key without its certificate (or the reverse) is useless.
    """
    directory = Path(directory)
    key_path, cert_path = directory / DEV_KEY_FILENAME, directory / DEV_CERT_FILENAME
    if key_path.is_file() and cert_path.is_file():
        return key_path, cert_path
    directory.mkdir(parents=True, exist_ok=True)
    # ECDSA P-256: accepted by PAdES validators, and unlike RSA cheap to load, which pyHanko
    # does twice per signature (size estimate, then the real one).
    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert_pem = _self_signed_certificate(key).public_bytes(serialization.Encoding.PEM)
    _write_atomically(key_path, key_pem, mode=0o600)
    _write_atomically(cert_path, cert_pem, mode=0o644)
    return key_path, cert_path


def _self_signed_certificate(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, DEV_COMMON_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Development only - not ANSM"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    public_key = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + DEV_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )


def _write_atomically(path: Path, content: bytes, *, mode: int) -> None:
    # Write beside the target then rename, so a crash never leaves half a key behind.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, mode)  # the umask may have narrowed or widened `mode`
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def load_signer(
    key_path: Path | None,
    cert_path: Path | None,
    *,
    pkcs12_path: Path | None = None,
    passphrase: str | bytes | None = None,
) -> SimpleSigner:
    """A pyHanko signer from a PEM key + certificate pair, or from a PKCS#12 file.

    When `pkcs12_path` is given the PEM paths are ignored; `passphrase` protects whichever
    is used. Raises `SigningIdentityError` with a readable message when loading fails.
    """
    if isinstance(passphrase, str):
        passphrase = passphrase.encode()
    if pkcs12_path is not None:
        signer = SimpleSigner.load_pkcs12(str(pkcs12_path), passphrase=passphrase)
        source = f"PKCS#12 file {pkcs12_path}"
    elif key_path is not None and cert_path is not None:
        signer = SimpleSigner.load(str(key_path), str(cert_path), key_passphrase=passphrase)
        source = f"key {key_path} and certificate {cert_path}"
    else:
        raise SigningIdentityError("Give either a PKCS#12 file or both a key and a certificate.")
    if signer is None:  # pyHanko logs the cause and returns None
        raise SigningIdentityError(
            f"Cannot load the receipt signing identity from {source}: "
            "check the paths, the file formats (PEM/DER, PKCS#12) and the passphrase."
        )
    return signer


def load_trust_roots(*paths: Path) -> list[asn1_x509.Certificate]:
    """Certificates (PEM or DER, one or several per file) that verification should trust."""
    roots: list[asn1_x509.Certificate] = []
    for path in paths:
        roots.extend(load_certs_from_pemder([str(path)]))
    return roots
