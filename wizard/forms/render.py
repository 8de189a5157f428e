"""A form field as HTML: label, hint, error, input and their aria wiring, in one place.

Templates write a field with `{{ field(form.name) }}` (`field_in_page`); the htmx live check
answers with the same markup (`render_field`). Inputs are written here rather than by WTForms'
widgets (one place for the markup, no `required` attribute: the browser's own bubbles would
pre-empt the error summary) and in Python rather than in Jinja, because a step page is mostly
fields and this is several times faster. Every value is escaped.
"""

from __future__ import annotations

import json

from flask import current_app
from jinja2 import pass_context
from markupsafe import Markup, escape
from wtforms import MultipleFileField

from wizard.forms.base import FIRST_YEAR, LAST_YEAR
from wizard.i18n import gettext as _
from wizard.markup import attributes
from wizard.uploads import human_size

# The field is replaced by the server's version, so it must not happen while the person is
# still in it: date inputs and lists fire "change" at every key press (check when they are left
# instead); arrow keys move between radios, so wait for a pause.
LIVE_TRIGGERS = {
    "ChoiceField": "change delay:800ms",
    "ListField": "blur changed",
    "IsoDateField": "blur changed",
}


@pass_context
def field_in_page(context, f, live: bool = True, url: str | None = None) -> Markup:
    """A field in a template; checked live when the page has a `validate_url` (or `url`, the
    field's own) and `live`."""
    # After the language switch, a file chosen was not sent: the note saying so describes
    # the file inputs too (`FILE_NOT_KEPT`), heard where the file is chosen again.
    not_kept = FILE_NOT_KEPT if context.get("file_not_kept") else None
    return render_field(
        f, (url or context.get("validate_url")) if live else None, not_kept=not_kept
    )


# The id of the sentence that says a file chosen was not sent (the page's language switched).
FILE_NOT_KEPT = "file-not-kept"
FILE_TYPES = ("PdfFile", "FileField")


def render_field(
    f, validate_url: str | None = None, *, swap_oob: bool = False, not_kept: str | None = None
) -> Markup:
    """The field's block; with `validate_url`, checked by htmx when it changes; with
    `swap_oob`, marked to replace its namesake on the page wherever it sits (htmx);
    `not_kept`: the id of a note that a file chosen was not sent, for a file input."""
    fid = escape(f.id)
    description = "" if f.description is None else str(f.description)
    error = str(f.errors[0]) if f.errors else ""
    warning = "" if error else str(getattr(f, "warning", None) or "")
    kept_note = getattr(f, "kept_note", None)  # which file is kept from an earlier try
    is_file = f.type in FILE_TYPES
    described = " ".join(
        name
        for name, shown in (
            (not_kept, not_kept and is_file),
            (kept_note, kept_note),
            (f"{f.id}-hint", description),
            (f"{f.id}-error", error),
            (f"{f.id}-warning", warning),
        )
        if shown
    )
    extra = dict(f.render_kw or {})
    width = extra.pop("class", "")
    if error:
        extra["aria-invalid"] = "true"
    if validate_url:
        extra.update(
            {
                "hx-post": validate_url,
                "hx-trigger": LIVE_TRIGGERS.get(f.type, "change"),
                "hx-target": f"#field-{f.id}",
                "hx-swap": "outerHTML",
                # The form's answers (with its token); a field outside its form, that
                # belongs to it (`form=`), is checked alone: only the token goes with it (not
                # a file chosen beside it).
                "hx-include": (
                    f"#{extra['form']} [name=csrf_token]" if "form" in extra else "closest form"
                ),
                # A newer check of the question (another radio chosen) cancels the older
                # one, whose late answer would draw the older choice's consequences.
                "hx-sync": "closest .field:replace",
            }
        )
    hint = f'<p class="hint" id="{fid}-hint">{escape(description)}</p>\n' if description else ""
    # Out of the f-strings: the message extractor does not look inside them.
    if warning:
        said = _("Warning:")
        message = (
            f'<p class="warning-message" id="{fid}-warning"><span class="visually-hidden">'
            f"{escape(said)}</span> {escape(warning)}</p>\n"
        )
    elif error:
        said = _("Error:")
        # Checked live, the error's line in the page's error summary is brought up to date
        # by app.js with it, as the server words it there (named by the label, in French in
        # lower case after it: `web.summary_message`).
        listed = f' data-summary="{escape(_summary_message(f))}"' if validate_url else ""
        message = (
            f'<p class="error-message" id="{fid}-error"{listed}><span class="visually-hidden">'
            f"{escape(said)}</span> {escape(error)}</p>\n"
        )
    else:
        message = ""
    label = escape(str(f.label.text))
    name = escape(f.name)
    # Checked live, radios and a checkbox stay as they are when their question is redrawn
    # (htmx keeps the nodes `hx-preserve` marks): the one in focus keeps the focus and is not
    # read out again at every check. app.js brings their aria attributes up to date.
    kept = ' hx-preserve="true"' if validate_url else ""

    if f.type == "ChoiceField":
        described_attr = f' aria-describedby="{escape(described)}"' if described else ""
        inline = " radios--inline" if len(f.choices) == 2 else ""
        shared = attributes(extra)
        items = "".join(
            f'<div class="radios__item"><input class="radios__input" type="radio" '
            f'id="{fid}-{index}" name="{name}" value="{escape(value)}"'
            f"{' checked' if f.data == value else ''} {shared}>"
            f'<label class="radios__label" for="{fid}-{index}">{escape(str(text))}</label></div>\n'
            for index, (value, text) in enumerate(f.choices)
        )
        body = (
            f'<fieldset class="fieldset"{described_attr}>\n'
            f'<legend class="fieldset__legend">{label}</legend>\n{hint}{message}'
            f'<div class="radios{inline}" id="{fid}-options"{kept}>\n{items}</div>\n</fieldset>'
        )
    elif f.type == "BooleanField":
        if described:
            extra["aria-describedby"] = described
        body = (
            f'{message}<div class="checkbox" id="{fid}-box"{kept}>\n'
            '<input class="checkbox__input" type="checkbox" '
            f'id="{fid}" name="{name}" value="y"{" checked" if f.data else ""} '
            f'{attributes(extra)}>\n<label class="checkbox__label" for="{fid}">{label}</label>'
            f"\n</div>\n{hint}"
        )
    else:
        if described:
            extra["aria-describedby"] = described
        if getattr(f, "required_now", f.flags.required):
            extra["aria-required"] = "true"
        body = f'<label class="label" for="{fid}">{label}</label>\n{hint}{message}' + _input(
            f, width, extra
        )
    error_class = " field--error" if error else ""
    wrapper = ' hx-swap-oob="true"' if swap_oob else ""
    shown_when = getattr(f, "shown_when", None)
    if shown_when:  # a question that applies after a given answer: app.js shows it then
        other, values = shown_when
        wrapper += (
            f' data-shown-when="{escape(other)}" data-shown-values="{escape(" ".join(values))}"'
        )
    required_when = getattr(f, "required_when", None)
    if required_when:  # asked only with a given answer to another: app.js says so then
        other, values = required_when
        wrapper += (
            f' data-required-when="{escape(other)}"'
            f' data-required-values="{escape(json.dumps(values))}"'
        )
    return Markup(f'<div class="field{error_class}" id="field-{fid}"{wrapper}>\n{body}\n</div>')


def _input(f, width: str, extra: dict) -> str:
    fid, name, shared = escape(f.id), escape(f.name), attributes(extra)
    if f.type == "TextAreaField":
        return (
            f'<textarea class="textarea" rows="5" id="{fid}" name="{name}" {shared}>'
            f"{escape(f._value())}</textarea>"
        )
    if f.type == "ListField":
        return str(f.widget(f, **{"class": "select", **extra}))
    if f.type == "IsoDateField":
        return (
            f'<input class="input input--date" type="date" id="{fid}" name="{name}" '
            f'value="{escape(f._value())}" min="{FIRST_YEAR}-01-01" max="{LAST_YEAR}-12-31" '
            f"{shared}>"
        )
    if f.type in FILE_TYPES:
        several = " multiple" if isinstance(f, MultipleFileField) else ""
        # Said as soon as a file too big is chosen (app.js), not after it was all sent.
        cap = current_app.config["MAX_UPLOAD_BYTES"]
        too_big = _("The selected file must be smaller than %(size)s.", size=human_size(cap))
        return (
            f'<input class="file-input" type="file" id="{fid}" name="{name}"{several} '
            f'data-max-bytes="{cap}" data-too-big="{escape(too_big)}" {shared}>'
        )
    if f.type == "PasswordField":
        return f'<input class="input input--20" type="password" id="{fid}" name="{name}" {shared}>'
    return (
        f'<input class="input {escape(width)}" type="text" id="{fid}" name="{name}" '
        f'value="{escape(f._value())}" {shared}>'
    )


def _summary_message(field) -> str:
    from wizard.web import summary_message  # (which imports this module)

    return summary_message(field)
