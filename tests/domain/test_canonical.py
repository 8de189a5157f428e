"""Canonical JSON bytes and their SHA-256, as printed on receipts."""

import hashlib
import math

import pytest

from wizard.domain.canonical import canonical_json, canonical_sha256


def test_keys_sorted_no_spaces_utf8():
    assert canonical_json({"b": 1, "a": "é"}) == b'{"a":"\xc3\xa9","b":1}'


def test_nested_structures_are_canonical_too():
    obj = {"z": [3, {"y": True, "x": None}], "a": {"d": 1.5, "c": "2026-03-01"}}
    expected = b'{"a":{"c":"2026-03-01","d":1.5},"z":[3,{"x":null,"y":true}]}'
    assert canonical_json(obj) == expected


def test_key_order_of_the_input_does_not_matter():
    assert canonical_json({"a": 1, "b": 2}) == canonical_json({"b": 2, "a": 1})


def test_no_trailing_newline_and_no_ascii_escapes():
    out = canonical_json({"nom": "Müller ✓", "emoji": "😀"})
    assert not out.endswith(b"\n")
    assert b"\\u" not in out
    assert out.decode("utf-8") == '{"emoji":"😀","nom":"Müller ✓"}'


def test_sha256_is_hex_digest_of_the_bytes():
    obj = {"b": 1, "a": "é"}
    assert canonical_sha256(obj) == hashlib.sha256(b'{"a":"\xc3\xa9","b":1}').hexdigest()
    assert len(canonical_sha256(obj)) == 64


def test_dates_must_already_be_strings():
    from datetime import date

    with pytest.raises(TypeError):
        canonical_json({"submitted": date(2026, 3, 1)})


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused(value):
    with pytest.raises(ValueError):
        canonical_json({"x": value})


@pytest.mark.parametrize("obj", [{1: "a"}, {"ok": [{None: 1}]}])
def test_non_string_keys_are_refused(obj):
    with pytest.raises(TypeError):
        canonical_json(obj)
