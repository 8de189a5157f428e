"""The base of every step form and the field builders that give each field its rules.

A field's answer is stored as JSON (text, integer, boolean, ISO date). A field guarded by
`RequiredIf` is *relevant* only when its condition holds; irrelevant answers are not stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import cache, cached_property
from typing import Any

from babel import Locale
from babel.numbers import format_decimal
from flask_babel import LazyString, get_locale
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from wizard import clock
from wizard.forms.validators import (
    CleanText,
    NotBoth,
    NoWebAddress,
    Optional,
    Required,
    RequiredIf,
    RequiredWhen,
    Unnamed,
)
from wizard.i18n import folded, in_french, long_date
from wizard.i18n import gettext as _
from wizard.i18n import lazy_gettext as _l
from wizard.markup import attributes

SHORT_TEXT = 200
LONG_TEXT = 5000


class IsoDateField(DateField):
    """A date input (`<input type=date>`, which sends ISO dates). Typed by hand, where a browser
    shows a plain text box instead, a day-first date (14/03/2027, 14.03.2027) is read too, as
    people in France write it, and one with the month's name, as the hints write it ("14 March
    2027", "14 mars 2027"); the page shows the date back in ISO, which the control reads."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        self._unparsable = False
        text = " ".join(valuelist or ()).strip()
        self.data = None
        if not text:
            return
        try:
            self.data = _typed_date(text)
        except _YearOutOfRange:
            self._unparsable = True
            raise ValueError(
                Unnamed(
                    _(
                        "Check the year: enter a year between %(first)d and %(last)d.",
                        first=FIRST_YEAR,
                        last=LAST_YEAR,
                    )
                )
            ) from None
        except ValueError:
            self._unparsable = True
            example = coming_date(3)  # to come: it may be a date that must not be past
            raise ValueError(
                Unnamed(
                    _(
                        "Enter a real date: day, month and year, for example %(date)s or "
                        "%(digits)s.",
                        date=long_date(example),
                        digits=f"{example:%d/%m/%Y}",
                    )
                )
            ) from None

    def _value(self):
        return self.data.isoformat() if isinstance(self.data, date) else super()._value()


# Every date of a filing falls in these years; a year outside them is a typing slip (0202).
FIRST_YEAR, LAST_YEAR = 1900, 2100
_ISO_DATE = re.compile(r"(\d{1,6})-(\d{2})-(\d{2})")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2}) ?[/.-] ?(\d{1,2}) ?[/.-] ?(\d{1,6})")
# As the hints write dates ("14 March 2027", "14 mars 2027"), typed where a browser shows no
# date control: the month's name in English or French, whole or shortened ("Sept.", "févr").
_WORDED_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th|er)? ([^\W\d_]+)\.? (\d{1,6})")


class _YearOutOfRange(ValueError):
    pass


def _typed_date(text: str) -> date:
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = map(int, match.groups())
    elif match := _DAY_FIRST_DATE.fullmatch(text):
        day, month, year = map(int, match.groups())
    elif (match := _WORDED_DATE.fullmatch(" ".join(text.split()))) and (
        month := _months().get(_plain(match.group(2)))
    ):
        day, year = int(match.group(1)), int(match.group(3))
    else:
        raise ValueError(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _YearOutOfRange(year)
    return date(year, month, day)  # ValueError for 30 February


@cache
def _months() -> dict[str, int]:
    """Month names in English and French, whole and shortened, as `_plain` writes them."""
    months = {}
    for language in ("en", "fr"):
        for width in ("wide", "abbreviated"):
            names = Locale.parse(language).months["format"][width]
            months.update({_plain(name).rstrip("."): number for number, name in names.items()})
    # Shortenings Babel does not give: "sept" (English), "fevr", "juil" (French).
    months.update({"sept": 9, "fevr": 2, "juil": 7})
    return months


def _plain(word: str) -> str:
    """A month's name as `_months` keys it: folded ("Février" as "fevrier"), without the
    dot of a shortened one."""
    return folded(word).rstrip(".")


_GROUPING_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)")
_GROUPING_COMMAS = re.compile(r"(?<=\d),(?=\d{3}\b)")


class WholeNumberField(IntegerField):
    def __init__(self, *args, minimum: int, maximum: int | Callable[[], int], **kwargs):
        super().__init__(*args, **kwargs)
        # A callable maximum is read at each check (this year, for a year of birth).
        self.minimum, self._maximum = minimum, maximum

    @property
    def maximum(self) -> int:
        return self._maximum() if callable(self._maximum) else self._maximum

    def process_formdata(self, valuelist):
        self._unparsable = False
        if valuelist and valuelist[0].strip():
            typed = _GROUPING_SPACES.sub("", valuelist[0].strip())
            if not in_french():  # "1,200" as English writes it; French "1,2" is a decimal
                typed = _GROUPING_COMMAS.sub("", typed)
            try:  # "1 200": digits grouped by spaces, as French writes them
                self.data = int(typed)
            except ValueError:
                self.data = None
                self._unparsable = True
                message = _("Enter a whole number in figures, with no letters or decimals.")
                raise ValueError(Unnamed(message)) from None
        else:
            self.data = None

    def post_validate(self, form, validation_stopped):
        if not validation_stopped and self.data is not None and not self.errors:
            maximum = self.maximum
            if not self.minimum <= self.data <= maximum:
                self.errors.append(
                    Unnamed(
                        _(
                            "Enter a number between %(min)s and %(max)s.",
                            min=quantity(self.minimum),
                            max=quantity(maximum),
                        )
                    )
                )


class ChoiceField(RadioField):
    """Radio buttons; an unknown value gets a message, an empty one is left to `Required`."""

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(Unnamed(_("Choose one of the options listed.")))


def _rules(required, required_if, max_length, multiline=False, markup=True, links=True):
    rules: list = []
    if required_if:
        rules.append(RequiredIf(*required_if))
    elif isinstance(required, (RequiredWhen, RequiredIf)):
        rules.append(required)
    elif required:
        rules.append(Required(required))
    else:
        rules.append(Optional())
    if max_length:
        rules.append(CleanText(max_length, multiline, markup=markup))
    if not links:
        rules.append(NoWebAddress())
    return rules


def text(
    label,
    required=None,
    *,
    hint=None,
    required_if=None,
    max_length=SHORT_TEXT,
    autocomplete=None,
    width=None,
    rules=(),
    spellcheck=None,
    markup=True,
    links=True,
    autocapitalize=None,
    inputmode=None,
):
    """A one-line text answer. `required` is the message shown when it is left empty;
    `markup=False`: HTML tags taken as text (a search, which stores nothing); `links=False`:
    no web address (`NoWebAddress`: an answer the portal's emails repeat to others);
    `autocapitalize`: what a phone's keyboard capitalises ("characters": initials);
    `inputmode`: which keyboard a phone shows ("numeric": an identifier of digits only)."""
    render_kw = {"autocomplete": autocomplete} if autocomplete else {}
    if autocapitalize:
        render_kw["autocapitalize"] = autocapitalize
    if inputmode:
        render_kw["inputmode"] = inputmode
    if width:
        render_kw["class"] = f"input--{width}"
    if spellcheck is False:
        render_kw["spellcheck"] = "false"
    return StringField(
        label,
        description=hint,
        # An answer with a format of its own (an address, an identifier) is refused by it,
        # which says what is expected, rather than for the tag it holds.
        validators=[
            *_rules(required, required_if, max_length, markup=markup and not rules, links=links),
            *rules,
        ],
        filters=[_short_answer],
        render_kw=render_kw,
    )


def long_text(
    label,
    required=None,
    *,
    hint=None,
    required_if=None,
    max_length=LONG_TEXT,
    links=True,
    lang=None,
):
    """A long answer, on several lines; `links` as for `text`; `lang`: the language it is
    written in, whatever the page's (a screen reader reads it in that language's voice)."""
    return TextAreaField(
        label,
        description=LazyString(_hint_with_cap, hint, max_length),
        validators=_rules(required, required_if, max_length, multiline=True, links=links),
        filters=[_long_answer],
        render_kw={"lang": lang} if lang else None,
    )


# Text pasted from a word processor may end its lines with the line or paragraph separator
# (U+2028, U+2029), or with Word's manual line break (a vertical tab) and page break (a form
# feed), which not every page, PDF or email reader shows as a line break (some show nothing,
# or a box): they become the line breaks long answers already hold, which all of those show.
# Refused instead, the person would have to find characters they cannot see.
_AS_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n\n", "\v": "\n", "\f": "\n\n"})


def _long_answer(value):
    return _short_answer(value.translate(_AS_LINE_BREAKS)) if isinstance(value, str) else value


def _short_answer(value):
    """An answer as kept: composed (NFC), so that an "é" pasted as "e" and its accent (text
    from macOS, some PDFs) is one character, as its reader sees it and its length counts it."""
    return unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else value


def _hint_with_cap(hint, max_length: int) -> str:
    """A long answer's hint says its length limit before it is reached, not only after."""
    locale = str(get_locale() or "en")  # outside a request (a command), in English
    cap = _("Up to %(count)s characters.", count=_number(max_length, locale))
    return f"{hint} {cap}" if hint else cap


@cache
def _number(value: int, locale: str) -> str:
    return format_decimal(value, locale=locale)


def quantity(value: int) -> str:
    """A bound as the reader's language groups its digits ("100 000", "100,000"); not a year
    or any number under 10 000, which nobody writes "2,026"."""
    return _number(value, str(get_locale() or "en")) if abs(value) >= 10_000 else str(value)


def iso_date(label, required=None, *, hint=None, required_if=None, rules=()):
    # The example obeys the field's rules: a date that cannot be in the future gets a past one.
    # Its month is written out: the browser's date control shows the order of the browser's
    # language (mm/dd/yyyy in American English), which an example in figures would contradict.
    past = any(getattr(rule, "past_only", False) for rule in rules)
    # (`is None`: a lazy hint is not made into text here, outside any request)
    if hint is None and any(getattr(rule, "recent_only", False) for rule in rules):
        hint = LazyString(_recent_example)
    if hint is None:
        hint = _l("For example 14 March 2024.") if past else coming_example()
    return IsoDateField(
        label, description=hint, validators=[*_rules(required, required_if, 0), *rules]
    )


def coming_date(month: int) -> date:
    """The 14th of `month` next year: for the example of a date that must not be past, one
    still to come whatever the day (a fixed year would be past one day, and refused)."""
    return date(clock.today().year + 1, month, 14)


def coming_example(month: int = 3) -> LazyString:
    """ "For example 14 March" of next year, for a date that must not be past."""
    return LazyString(lambda: _("For example %(date)s.", date=long_date(coming_date(month))))


def _recent_example() -> str:
    return _(
        "Within the last 12 months, for example %(date)s.",
        date=long_date(clock.today() - timedelta(days=30)),
    )


def choice(label, choices, required=None, *, hint=None, required_if=None, default=None):
    return ChoiceField(
        label,
        description=hint,
        choices=choices,
        default=default,
        validate_choice=False,
        validators=_rules(required, required_if, 0),
    )


def yes_no(label, required=None, *, hint=None, required_if=None):
    return choice(
        label, [("yes", _l("Yes")), ("no", _l("No"))], required, hint=hint, required_if=required_if
    )


def number(label, required=None, *, minimum, maximum, hint=None, width="4"):
    return WholeNumberField(
        label,
        description=hint,
        minimum=minimum,
        maximum=maximum,
        validators=_rules(required, None, 0),
        render_kw={"inputmode": "numeric", "class": f"input--{width}"},
    )


def confirmation(label, required, *, hint=None):
    return BooleanField(label, description=hint, validators=[Required(required)])


def not_assigned_yet(label, identifier: str, both, *, hint=None):
    """A box ticked in place of an identifier not assigned yet (an SRN, a UDI-DI): the
    identifier's question then asks for nothing (its `RequiredWhen`); `both` refuses the two
    given together."""
    return BooleanField(label, description=hint, validators=[NotBoth(identifier, both)])


class StepForm(FlaskForm):
    """A step's form. `context` holds the other steps' answers for cross-step rules."""

    context: Mapping[str, Mapping[str, Any]] = {}
    # Whether a field's check reads `context`: such a step's live checks read the request
    # (`filing.validate_field`); the others check the form sent alone, without a query
    # (`filing.check_field`), and a rule that reads `context` there fails loudly.
    reads_other_steps = False
    # Whether answers saved right can turn wrong with time alone (a date that must not be
    # past): the list of steps checks such a step's saved answers again (`Flow.unfinished`).
    changes_with_time = False
    intro: Any = None
    # Fields whose check reads another field: when that one changes, the live check checks
    # them again (if they hold an answer), so that an error they showed never outlives its
    # cause. {changed field: (fields that depend on it, …)}
    live_dependents: Mapping[str, tuple[str, ...]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, condition in self._conditions().items():
            self[name].shown_when = condition
        for name, condition in self._required_when().items():
            self[name].required_when = condition
        for field in self.answer_fields():
            field.required_now = required_now(self, field)

    def _conditions(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """{field: (the field it follows, the answers to it that make it apply)}, for the
        fields that apply only after a given answer: pages with JavaScript show them once
        it is given (`render_field`, app.js). The same for every form of the class."""
        cls = type(self)
        found = cls.__dict__.get("_found_conditions")
        if found is None:
            found = {}
            for field in self.answer_fields():
                rule = next((v for v in field.validators if isinstance(v, RequiredIf)), None)
                values = _values_passing(rule, self[rule.other]) if rule else None
                if values and not any(" " in value for value in values):
                    found[field.name] = (rule.other, values)
            cls._found_conditions = found
        return found

    def _required_when(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """{field: (the field it reads, the answers to it that make it required)}, for the
        fields asked only with a given answer to another (`RequiredWhen`; `RequiredIf`,
        asked once shown): pages with JavaScript say so as that answer changes (aria-required,
        app.js), as the page says it when sent (`required_now`). A box's answers are "y"
        ticked, "" not. The same for every form of the class."""
        cls = type(self)
        found = cls.__dict__.get("_found_required_when")
        if found is None:
            found = dict(self._conditions())
            for field in self.answer_fields():
                rule = next((v for v in field.validators if isinstance(v, RequiredWhen)), None)
                if rule:
                    found[field.name] = (rule.other, tuple(sorted(map(_as_sent, rule.values))))
                rule = next((v for v in field.validators if isinstance(v, RequiredIf)), None)
                if rule and rule.required_for is not None:  # shown with more than it asks
                    found[field.name] = (
                        rule.other,
                        tuple(sorted(map(_as_sent, rule.required_for))),
                    )
            cls._found_required_when = found
        return found

    @classmethod
    def checking(cls, name: str) -> type[StepForm]:
        """The form a live check of `name` needs: that question, those checked again with it
        (`live_dependents`) and every question their rules read, not the step's other ones
        (building a dozen questions was a sixth of a live check's time). A rule reads
        another question by naming it (`other`: `RequiredIf`, `NotBoth`, a date compared with
        another) or, in a `validate_<name>` method, by being listed in `live_dependents`
        under the question it reads; one that read another question without saying so would
        fail here (`_LeftOut`), not check against a blank."""
        forms = cls.__dict__.get("_checking")
        if forms is None:
            forms = cls._checking = {}
        if name not in forms:
            whole = cls(formdata=None, meta={"csrf": False})
            if name not in whole or is_token(whole[name]):
                return cls  # nothing to check (204): not kept, whatever a request names
            reads = {field.name: _fields_read(field) for field in whole}
            for changed, dependents in cls.live_dependents.items():
                for dependent in dependents:
                    reads.setdefault(dependent, set()).add(changed)
            needed, unread = set(), [name, *cls.live_dependents.get(name, ())]
            while unread:
                field = unread.pop()
                if field not in needed and field in whole:
                    needed.add(field)
                    unread.extend(reads[field])
            namespace = {f.name: _LeftOut(f.name) for f in whole if f.name not in needed}
            namespace["__module__"] = cls.__module__
            forms[name] = type(cls)(cls.__name__, (cls,), namespace)
        return forms[name]

    @classmethod
    def from_answers(cls, values: Mapping[str, Any], context=None, *, page=False) -> StepForm:
        """Rebuild a form from stored answers: to re-check them, or (`page`) to show them again
        in a page, which then carries a CSRF token."""
        form = cls(formdata=to_formdata(values), meta={} if page else {"csrf": False})
        form.context = context or {}
        return form

    def answer_fields(self):
        return [f for f in self if not is_token(f)]

    def is_relevant(self, field) -> bool:
        return applies(self, field)

    def to_answers(self, *, skip_errors: bool = False) -> dict[str, Any]:
        """The answers to store; with `skip_errors`, those of a form that did not validate
        whose fields are right on their own (a step saved unfinished)."""
        answers: dict[str, Any] = {}
        for field in self.answer_fields():
            if not self.is_relevant(field) or field.data in (None, "", False):
                continue
            if skip_errors and field.errors:
                continue
            answers[field.name] = (
                field.data.isoformat() if isinstance(field.data, date) else field.data
            )
        return answers

    def summary_rows(self) -> list[tuple[str, str]]:
        """(question, answer) pairs a person reads on the check-your-answers page."""
        return summary_rows(self)


def _fields_read(field) -> set[str]:
    """The other questions a field's rules name (`other`)."""
    return {rule.other for rule in field.validators if getattr(rule, "other", None)}


class _LeftOut:
    """A question a live check's form does not hold (`StepForm.checking`): read as an
    attribute, it says which declaration is missing (read as `form[name]`, a KeyError)."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, form, owner=None):
        if form is None:
            return self  # not a field: the form's class does not bind it
        raise LookupError(
            f"{self.name!r} is read by a rule of a question checked live without it: "
            "list the question under it in live_dependents"
        )


def required_now(form, field) -> bool:
    """Whether an answer is asked of `field` as the form stands: always (`Required`), once
    the answer it follows is given (`RequiredIf`), or while another answer is
    (`RequiredWhen`)."""
    for rule in field.validators:
        if isinstance(rule, RequiredWhen):
            return rule.required(form)
        if isinstance(rule, RequiredIf):
            return rule.required(form)
        if isinstance(rule, Required):
            return True
    return False


def _as_sent(value) -> str:
    """An answer as a page sends it: a box ticked "y", not ticked ""."""
    if isinstance(value, bool):
        return "y" if value else ""
    return str(value)


def applies(form, field) -> bool:
    """Whether a field applies, given the form's other answers (`RequiredIf`)."""
    return all(v.applies(form) for v in field.validators if isinstance(v, RequiredIf))


def is_token(field) -> bool:
    """The CSRF token's hidden field (`csrf_token`, or `prefix-csrf_token` on a prefixed
    form): never an answer."""
    return field.type == "CSRFTokenField"


def summary_rows(form) -> list[tuple[str, str]]:
    """(question, answer) pairs a person reads back: each answer given that applies, its
    question without the "(optional)" that asked it (it was given)."""
    return [
        (read_back(field.label.text), display(field))
        for field in form
        if not is_token(field) and applies(form, field) and field.data not in (None, "", False)
    ]


def read_back(label) -> str:
    """A question's label as an answer given is read back under: "EMDN code", not "EMDN code
    (optional)"."""
    label, optional = str(label), " " + _("(optional)")
    return label.removesuffix(optional)


def typed_rows(form) -> list[tuple[str, str]]:
    """(question, what was typed) for a form the portal could not take (its page expired):
    the text as sent, checked or not, for the person to copy; of the files chosen, their
    names (the files are not kept), so that the person knows which to send again."""
    rows = []
    for field in form:
        if is_token(field) or field.type == "HiddenField":
            continue
        sent = " ".join(v for v in field.raw_data or () if isinstance(v, str)).strip()
        files = [v.filename for v in field.raw_data or () if getattr(v, "filename", None)]
        if sent:
            # A choice by its label, a date read as the page writes dates ("5 January 2027").
            chosen = isinstance(field, RadioField | SelectField | BooleanField)
            rows.append(
                (str(field.label.text), display(field) if chosen or _a_date(field) else sent)
            )
        elif files:
            rows.append((str(field.label.text), ", ".join(files)))
    return rows


def _a_date(field) -> bool:
    return isinstance(field.data, date) and not getattr(field, "_unparsable", False)


def _values_passing(rule: RequiredIf, other) -> tuple[str, ...] | None:
    if rule.values is not None:
        return tuple(sorted(str(value) for value in rule.values))
    choices = getattr(other, "choices", None)
    if not choices:
        return None  # a free answer: the field is always shown
    # Sorted: the choices are in the reader's language's order, and the found values are
    # kept for the form's class, whatever language asks next.
    return tuple(sorted(value for value, _label in choices if rule.test(value)))


def display(field) -> str:
    if isinstance(field, RadioField | SelectField):
        return str(dict(field.choices).get(field.data, field.data))
    if isinstance(field, BooleanField):
        return _("Yes")
    if isinstance(field.data, date):
        return long_date(field.data)
    if isinstance(field.data, int) and not isinstance(field.data, bool):
        return quantity(field.data)  # "12,000", as the pages and acts group it
    return str(field.data)


def to_formdata(values: Mapping[str, Any]) -> MultiDict:
    pairs = []
    for name, value in values.items():
        if value is True:
            pairs.append((name, "y"))
        elif value not in (None, False):
            pairs.append((name, str(value)))
    return MultiDict(pairs)


class Options(tuple):
    """(value, label) pairs in one language, with what every use of them needs computed once:
    the rendered `<option>` list and the set of valid values."""

    @cached_property
    def html(self) -> str:
        return "".join(
            f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in self
        )

    @cached_property
    def values(self) -> frozenset[str]:
        return frozenset(value for value, _label in self)


class ChoiceList:
    """A drop-down's choices: a list of (value, label) pairs, or a function of the current
    language returning them. Labels are translated once per language, then reused: rendering
    the 250 countries option by option was most of a step page's time."""

    def __init__(self, source):
        self._source = source
        self._by_locale: dict[str, Options] = {}

    def current(self) -> Options:
        locale = str(get_locale())
        options = self._by_locale.get(locale)
        if options is None:
            pairs = self._source() if callable(self._source) else self._source
            options = self._by_locale[locale] = Options((v, str(label)) for v, label in pairs)
        return options


class QuickSelect:
    """A `<select>` written from its choices' rendered options (see `Options`)."""

    def __call__(self, field, **kwargs):
        options = field.choices.html
        if field.data not in (None, ""):
            chosen = f'<option value="{escape(field.data)}">'
            options = options.replace(chosen, chosen[:-1] + " selected>", 1)
        return Markup(f"<select {attributes({'id': field.id, 'name': field.name, **kwargs})}>") + (
            Markup(options) + Markup("</select>")
        )


class ListField(SelectField):
    """A drop-down list; an unknown value gets a message, an empty one is left to `Required`."""

    widget = QuickSelect()

    def __init__(self, label=None, validators=None, choices=(), **kwargs):
        super().__init__(label, validators, choices=None, **kwargs)
        self._list = choices if isinstance(choices, ChoiceList) else ChoiceList(choices)

    @property
    def choices(self) -> Options:
        return self._list.current()

    def set_choices(self, pairs) -> None:
        """This form's own choices (made when it is: a list that changes, as ANSM's
        reviewers), not its class's."""
        self._list = ChoiceList(pairs)

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        if self.data not in self.choices.values:
            raise ValidationError(Unnamed(_("Choose one of the options listed.")))


def select(label, choices, required=None, *, hint=None, autocomplete=None):
    return ListField(
        label,
        description=hint,
        choices=ChoiceList(choices),
        validate_choice=False,
        validators=_rules(required, None, 0),
        render_kw={"autocomplete": autocomplete} if autocomplete else {},
    )
