"""Canonical JSON: the exact bytes hashed into a receipt.

The rule, quotable as is:

    canonical_json(obj) = UTF-8 bytes of
        json.dumps(obj, sort_keys=True, ensure_ascii=False,
                   separators=(",", ":"), allow_nan=False)

that is: object keys sorted by Unicode code point, no whitespace between tokens, non-ASCII
characters written as themselves (UTF-8), no trailing newline, and no NaN or Infinity. Object
keys must be strings, and values must already be JSON types (str, int, float, bool, None,
list, dict): dates are written as ISO 8601 strings by the caller. Anything else raises
TypeError instead of being converted silently, because a silent conversion could make two
different answers hash the same.

This is Python's JSON, not RFC 8785 (JCS): float formatting and the ordering of keys outside
the Basic Multilingual Plane may differ, so a verifier must use the same rule.
"""

import hashlib
import json
from typing import Any


def canonical_json(obj: Any) -> bytes:
    """Serialise `obj` to canonical JSON bytes (see module docstring for the rule)."""
    _require_string_keys(obj)
    text = json.dumps(
        obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def canonical_sha256(obj: Any) -> str:
    """Lower-case hex SHA-256 digest of `canonical_json(obj)`."""
    return hashlib.sha256(canonical_json(obj)).hexdigest()


def _require_string_keys(obj: Any) -> None:
    # json.dumps would turn 1 into "1", so {1: x} and {"1": x} would share a hash.
    if isinstance(obj, dict):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(f"canonical JSON keys must be str, got {type(key).__name__}")
            _require_string_keys(value)
    elif isinstance(obj, list | tuple):
        for item in obj:
            _require_string_keys(item)
