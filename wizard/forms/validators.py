"""Field validators with plain-language messages. Domain rules are called, never re-implemented."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import format_decimal
from wtforms.validators import StopValidation, ValidationError

from wizard import clock
from wizard.domain.identifiers import IdentifierError
from wizard.glyphs import first_unprintable
from wizard.i18n import gettext as _

# Bidirectional overrides can disguise text; they have no place in a filing.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
# Control characters, and the line and paragraph separators (U+2028, U+2029: Word's line
# break, pasted): each ends a line wherever text is split into lines, an email's subject
# included, which then cannot be sent. Long answers get theirs as line breaks (`long_text`).
_REFUSED_CATEGORIES = {"Cc", "Zl", "Zp"}
# An HTML tag or comment, as a page pasted whole brings them: "<b>", "</p>", "<br/>",
# "<script src=…>", "<!-- … -->". Only HTML's own element names, closed at once or with
# attributes ("name=…"): not a comparison ("LVEF <LLN and age >65", "p <0.05"), French
# quotation marks typed as "<<hors AMM>>", a placeholder ("<Nom du produit>", "<a priori>"),
# nor an address in angle brackets ("<https://…>", "<name@hospital.fr>").
_HTML_ELEMENTS = (
    "a|abbr|audio|b|base|big|blockquote|body|br|button|canvas|center|code|details|div|em|"
    "embed|font|form|frame|frameset|h[1-6]|head|hr|html|i|iframe|img|input|label|li|link|"
    "map|marquee|math|meta|object|ol|option|p|pre|s|script|select|small|source|span|strike|"
    "strong|style|sub|summary|sup|svg|table|tbody|td|template|textarea|tfoot|th|thead|title|"
    "tr|tt|u|ul|video|xml"
)
_MARKUP = re.compile(
    rf"</?(?:{_HTML_ELEMENTS})(?:\s*/?>|\s+[^<>]*=[^<>]*>)|<!(?:--|\[CDATA\[|doctype)", re.I
)


class Unnamed(str):
    """An error message that does not name its field ("Use 500 characters or fewer"): beside
    the field it is clear, and the error summary puts the field's label before it."""


class Required:
    """Required with a message naming what to enter ("Enter the device's trade name")."""

    field_flags = {"required": True}

    def __init__(self, message: str | Callable[[], str]):
        self.message = message

    def __call__(self, form, field):
        data = field.data
        empty = data is None or data == "" or data is False or data == []
        if isinstance(data, str) and not data.strip():
            empty = True
        if empty and not getattr(field, "_unparsable", False):
            field.errors[:] = []
            raise StopValidation(str(self.message))


class RequiredIf(Required):
    """Required only when another field's value passes `test` (a set of values or a predicate);
    otherwise the field is irrelevant: not checked, not stored. With `required_for` (values of
    the other field), a field that applies is required only with one of those, optional with
    the others (a notified body's number: asked once an application is lodged, taken when one
    is planned, not asked when none is needed)."""

    field_flags = {}

    def __init__(
        self,
        other: str,
        test: Iterable[object] | Callable[[object], bool],
        message,
        *,
        required_for: Iterable[object] | None = None,
    ):
        super().__init__(message)
        self.other = other
        # The values that make the field apply, when they are listed (pages show the field
        # only once one is chosen); a predicate's are found from the other field's choices.
        self.values = None if callable(test) else frozenset(test)
        self.test = test if callable(test) else self.values.__contains__
        self.required_for = None if required_for is None else frozenset(required_for)

    def required(self, form) -> bool:
        """Whether an answer is asked as the form stands (it applies, and is not optional)."""
        if not self.applies(form):
            return False
        return self.required_for is None or form[self.other].data in self.required_for

    def applies(self, form) -> bool:
        """Whether the field applies: the other field's value passes the test, and that field
        applies itself (a date asked after "yes" does not apply when the yes/no question it
        follows does not)."""
        other = form[self.other]
        if not self.test(other.data):
            return False
        return all(rule.applies(form) for rule in other.validators if isinstance(rule, RequiredIf))

    def __call__(self, form, field):
        if not self.applies(form):
            field.errors[:] = []
            raise StopValidation()
        if self.required(form):
            super().__call__(form, field)
        else:
            Optional()(form, field)


class RequiredWhen(Required):
    """Required when another field's value passes `test` (a set of values), that field asked
    itself (its `RequiredIf`: a "yes" left from a question that no longer applies requires
    nothing); optional otherwise, and kept when given (unlike `RequiredIf`, the field always
    applies)."""

    field_flags = {}

    def __init__(self, other: str, values: Iterable[object], message):
        super().__init__(message)
        self.other, self.values = other, set(values)

    def required(self, form) -> bool:
        other = form[self.other]
        asked = all(rule.applies(form) for rule in other.validators if isinstance(rule, RequiredIf))
        return asked and other.data in self.values

    def __call__(self, form, field):
        if self.required(form):
            super().__call__(form, field)
        else:
            Optional()(form, field)


class NotBoth:
    """A box ticked to say another field has no answer (`not_assigned_yet`), refused when
    that field has one."""

    def __init__(self, other: str, message):
        self.other, self.message = other, message

    def __call__(self, form, field):
        if field.data and form[self.other].data:
            raise ValidationError(str(self.message))


class Optional:
    """Empty is fine: stop here so later validators don't complain about nothing."""

    field_flags = {"optional": True}

    def __call__(self, form, field):
        if field.data in (None, "") and not getattr(field, "_unparsable", False):
            field.errors[:] = []
            raise StopValidation()


class CleanText:
    """Length cap, no control characters (line breaks allowed in long answers), no character
    the signed PDFs cannot print (`glyphs`) and, unless `markup` is False, no HTML tags."""

    def __init__(self, max_length: int, multiline: bool = False, *, markup: bool = True):
        self.max_length = max_length
        self.allowed = {"\n", "\r", "\t"} if multiline else set()
        self.markup = markup

    def __call__(self, form, field):
        text = field.data or ""
        if any(
            (unicodedata.category(ch) in _REFUSED_CATEGORIES and ch not in self.allowed)
            or ch in _BIDI_CONTROLS
            for ch in text
        ):
            raise ValidationError(
                Unnamed(
                    _(
                        "Remove the invisible control characters from this answer (they were "
                        "pasted in)."
                    )
                )
            )
        if self.markup and (tag := _MARKUP.search(text)):
            raise ValidationError(
                Unnamed(
                    _(
                        "Remove the HTML tags from this answer (such as “%(tag)s”): write it as "
                        "plain text.",
                        tag=_shortened(tag.group()),
                    )
                )
            )
        if (piled := _PILED_MARKS.search(unicodedata.normalize("NFC", text))) is not None:
            raise ValidationError(
                Unnamed(
                    _(
                        "Remove the marks piled on “%(character)s”: a letter carries "
                        "%(most)d accents or marks at most (these were probably pasted in).",
                        character=piled.group(1) or "…",
                        most=MOST_MARKS,
                    )
                )
            )
        if unprintable := first_unprintable(text):
            raise ValidationError(
                Unnamed(
                    _(
                        "Remove “%(character)s” (or write it otherwise): the portal's signed "
                        "PDF documents cannot print this character.",
                        character=unprintable,
                    )
                )
            )
        length = len(text.replace("\r\n", "\n"))
        if length > self.max_length:
            raise ValidationError(
                Unnamed(
                    _(
                        "Use %(max)s characters or fewer (you have %(count)s).",
                        # Grouped as the hint groups them: "5 000", not "5000".
                        max=format_decimal(self.max_length),
                        count=format_decimal(length),
                    )
                )
            )


# Accents and marks drawn on one letter (the combining diacritical marks' blocks): a
# Vietnamese vowel carries two; more (a hundred, pasted: "Zalgo" text) are drawn over the
# lines above, on the pages and the signed PDFs alike. Counted once composed (NFC): an "é"
# typed as "e" and its accent is one letter.
MOST_MARKS = 4
_MARKS = r"\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_PILED_MARKS = re.compile(rf"([^{_MARKS}]?)[{_MARKS}]{{{MOST_MARKS + 1}}}")


# A web address: with a scheme ("https://", "javascript:" is HTML's concern), "www.", or a
# domain followed by a path ("ansm-check.example/login"), which mail readers make links of.
_WEB_ADDRESS = re.compile(
    r"\b[a-z][a-z0-9+.-]*://\S*|\bwww\.\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/\S*",
    re.IGNORECASE,
)


class NoWebAddress:
    """Text the portal's emails repeat to someone else (a name, a message to a professional)
    holds no web address: those emails come from the portal, and carry no link but its own
    (an organisation registered as "ANSM – check https://…" would make them a lure)."""

    def __call__(self, form, field):
        if found := _WEB_ADDRESS.search(field.data or ""):
            raise ValidationError(
                Unnamed(
                    _(
                        "Remove the web address “%(address)s”: the portal's emails carry no "
                        "link but their own.",
                        # (a closing bracket or full stop after it is the sentence's)
                        address=_shortened(found.group().rstrip(").,;:!?]>»”'\"")),
                    )
                )
            )


def _shortened(tag: str) -> str:
    return tag if len(tag) <= 30 else f"{tag[:29]}…"


class Identifier:
    """Check an identifier with its domain rule and keep its normalised form."""

    def __init__(
        self,
        check: Callable[[str], object],
        messages: Callable[[], dict[str, str]],
        normalise: Callable[[object], str] = str,
        warning: Callable[[object], str | None] = lambda result: None,
    ):
        self.check = check
        self.messages = messages
        self.normalise = normalise
        self.warning = warning

    def __call__(self, form, field):
        try:
            result = self.check(field.data or "")
        except IdentifierError as error:
            messages = self.messages()
            raise ValidationError(messages.get(error.code, messages["format"])) from None
        field.data = self.normalise(result)
        # Accepted, but worth a second look: shown by the field, never blocking.
        field.warning = self.warning(result)


# Marks a copy from a web page or a document carries unseen in an address (a zero-width
# space where a page lets a long address break, a soft hyphen, a word joiner, a byte-order
# mark): no address holds them. Joiners (ZWJ, ZWNJ) may, in some scripts: kept.
_UNSEEN_IN_ADDRESSES = re.compile("[\u00ad\u200b\u2060\ufeff]")


def normalised_email(text: str, *, ascii_local: bool = False) -> str | None:
    """The address as email-validator writes it (Unicode forms, domain case), or None. With
    `ascii_local`, its part before the @ in ASCII only (`EmailAddress`)."""
    try:
        return validate_email(
            _UNSEEN_IN_ADDRESSES.sub("", text).strip(),
            check_deliverability=False,
            allow_smtputf8=not ascii_local,
        ).normalized
    except EmailNotValidError:
        return None


class EmailAddress:
    """An email address in a valid form, kept in its normalised form (lower-cased as well for
    sign-in addresses). `message` is the whole sentence shown when it is not one."""

    def __init__(self, message, *, lowercase: bool = False, ascii_local: bool = False):
        self.message = message
        self.lowercase = lowercase
        # An address the portal writes to first (an invitation): its part before the @ in
        # ASCII, since mail servers seldom take others (SMTPUTF8), and a pasted emoji there
        # is far more often a slip than an address. Never for an account's own address,
        # which may have been registered before.
        self.ascii_local = ascii_local

    def __call__(self, form, field):
        if not field.data:
            return
        address = normalised_email(field.data, ascii_local=self.ascii_local)
        if address is None and self.ascii_local and normalised_email(field.data) is not None:
            # A valid address but for an accent (or another letter outside A–Z) before the @.
            raise ValidationError(
                _(
                    "Enter the address without accents or special letters before the @ (for "
                    "example elodie.martin@chu-lyon.fr): few mail servers accept them. Check "
                    "the address with the professional if you are not sure of it."
                )
            )
        if address is None:
            raise ValidationError(str(self.message))
        field.data = address.lower() if self.lowercase else address


class DateRule:
    """A date compared with today or with another date field of the same form."""

    # A past date is asked for: the field's example must be one too; a recent one (within
    # the last year): the example is a month ago.
    past_only = recent_only = False

    def __init__(
        self,
        test: Callable[[date, object], bool],
        message: Callable[..., str],
        *,
        other: str | None = None,
    ):
        self.test = test
        self.message = message
        self.other = other  # the other question the rule reads (a date compared with)

    def __call__(self, form, field):
        if isinstance(field.data, date) and not self.test(field.data, form):
            raise ValidationError(self.message(form))


def not_in_future(message: Callable[..., str]) -> DateRule:
    rule = DateRule(lambda value, form: value <= clock.today(), message)
    rule.past_only = True
    return rule


def within_a_year(message: Callable[..., str]) -> DateRule:
    """Not more than a year before today (a letter stating an urgency that must be current)."""
    rule = DateRule(lambda value, form: value >= clock.a_year_before(clock.today()), message)
    rule.past_only = rule.recent_only = True
    return rule


def not_in_past(message: Callable[..., str]) -> DateRule:
    return DateRule(lambda value, form: value >= clock.today(), message)


def after_today(message: Callable[..., str]) -> DateRule:
    return DateRule(lambda value, form: value > clock.today(), message)


def after_field(other: str, message: Callable[..., str]) -> DateRule:
    """Later than the date field `other` (when that one holds a date)."""
    return _compared_with(other, lambda value, earlier: value > earlier, message)


def not_before_field(other: str, message: Callable[..., str]) -> DateRule:
    """The same day as the date field `other`, or later."""
    return _compared_with(other, lambda value, earlier: value >= earlier, message)


def _compared_with(other: str, test, message: Callable[..., str]) -> DateRule:
    def check(value: date, form) -> bool:
        # A date that does not apply (a question the answers skip, typed on a page without
        # JavaScript, which shows it) is not stored: nothing is compared with it.
        compared = form[other]
        if not all(r.applies(form) for r in compared.validators if isinstance(r, RequiredIf)):
            return True
        earlier = compared.data
        return not isinstance(earlier, date) or test(value, earlier)

    return DateRule(check, message, other=other)
