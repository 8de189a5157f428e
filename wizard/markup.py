"""Small HTML helpers shared by templates and widgets."""

from __future__ import annotations

from markupsafe import Markup, escape


def attributes(values: dict) -> Markup:
    """HTML attributes from a mapping, every value escaped; True writes a bare attribute."""
    parts = []
    for name, value in values.items():
        if value is True:
            parts.append(name)
        elif value is not None and value is not False:
            parts.append(f'{name}="{escape(value)}"')
    return Markup(" ".join(parts))
