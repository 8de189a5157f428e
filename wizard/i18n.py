"""Translating: `gettext`/`lazy_gettext` for Python code, and the templates' `_()`.

Flask-Babel's own functions find the request's catalogue again for every string, through
several context look-ups; a step page translates about fifty. These find it once per request
(where Flask-Babel keeps it, so `force_locale()` and `refresh()` are still obeyed) and are
otherwise the same: same catalogues, same `%(name)s` substitution, same lazy strings.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from types import SimpleNamespace

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from flask import Flask, abort, current_app, g, has_app_context, request, session
from flask_babel import Domain, LazyString, _get_current_context, get_locale, refresh
from flask_babel import get_translations as find_translations
from jinja2 import pass_context
from markupsafe import Markup


class RequestDomain(Domain):
    """Flask-Babel's message domain (the app's, see `extensions`), keeping the translations it
    finds on the request, where `translations()` reads them and `refresh()`/`force_locale()`
    reset them."""

    def get_translations(self):
        context = _get_current_context()
        if context is None:
            return super().get_translations()
        translations = getattr(context, "babel_translations", None)
        if translations is None:
            translations = context.babel_translations = super().get_translations()
        return translations


def translations():
    """The current request's (or command's) translations."""
    if has_app_context():
        context = g._get_current_object()
        state = context.__dict__.get("_flask_babel")
        cached = getattr(state, "babel_translations", None)
        if cached is not None:
            return cached
        return _first_found(context, state)
    return find_translations()


def _first_found(context, state: SimpleNamespace | None):
    """The request's translations the first time they are asked for: what Flask-Babel's
    `get_translations()` finds, in fewer context look-ups (a tenth of a live check went to
    finding them), kept where it keeps them. The locale is the one `force_locale()` set, or
    the app's selector's (`web.select_locale`) kept as `get_locale()` keeps it; the
    catalogue, the app's domain's for that locale once loaded (Flask-Babel loads it)."""
    if state is None:
        state = context._flask_babel = SimpleNamespace()  # as Flask-Babel makes it
    config = current_app.extensions["babel"]
    domain = getattr(state, "babel_domain", None) or config.instance.domain_instance
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        chosen = config.locale_selector() if config.locale_selector else None
        locale = Locale.parse(chosen) if chosen else config.instance.default_locale
        state.babel_locale = locale
    found = domain.cache.get((str(locale), domain.domain[0]))
    if found is None:
        return find_translations()  # not loaded yet: Flask-Babel loads and keeps it
    state.babel_translations = found
    return found


def gettext(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return with_contractions(text, variables) % variables if variables else text


def ngettext(singular: str, plural: str, num: int, /, **variables) -> str:
    """`num` chooses the form; `%(num)s` writes it, or the `num=` given (grouped digits)."""
    variables.setdefault("num", num)
    return with_contractions(translations().ungettext(singular, plural, num), variables) % variables


# French contracts "à" and "de" with the article a title carries ("au Dr Durand", "du
# Pr Martin", never "à Dr Durand") and elides "de" before a vowel ("d’Anne Martin",
# "d’Orthomed"). A name is typed with or without a title, so a translation cannot say which
# it needs: a French message puts "à"/"de" right before the placeholder, and the value given
# decides.
# Other prepositions take the article alone ("par le Dr Durand", "pour la Dre Roy"), as does
# "si" ("Si le Dr Durand l’ouvre"); so does "que", which is elided before a vowel as "de" is
# ("qu’Orthomed", "lorsqu’Anne").
_OTHERS = ("par", "Par", "pour", "Pour", "avec", "Avec", "chez", "Chez", "si", "Si")
_QUE = ("que", "Que", "lorsque", "Lorsque")
_PREPOSITION_BEFORE_PLACEHOLDER = re.compile(
    r"\b(à|À|de|De|" + "|".join(_OTHERS + _QUE) + r") %\((\w+)\)s"
)
_TITLE = re.compile(r"(?:dr|docteur|pr|prof|professeur)\.?\s", re.IGNORECASE)
_FEMININE_TITLE = re.compile(r"(?:dre|docteure|pre|professeure)\.?\s", re.IGNORECASE)
_CONTRACTED = {
    "à": "au ",
    "À": "Au ",
    "de": "du ",
    "De": "Du ",
    **{other: f"{other} le " for other in _OTHERS + _QUE},
}
_WITH_LA = {
    "à": "à la ",
    "À": "À la ",
    "de": "de la ",
    "De": "De la ",
    **{other: f"{other} la " for other in _OTHERS + _QUE},
}
_ELIDED = {"de": "d’", "De": "D’", **{que: f"{que[:-1]}’" for que in _QUE}}
# An organisation's name may open with its article ("Les Laboratoires Servier", "Le
# Laboratoire Aguettant"): "de"/"à" contract with it, any other word takes it in lower case
# ("des Laboratoires Servier", "aux Laboratoires…", "par les Laboratoires…"). Only where
# the value is an organisation's name: a person's ("Le Gall") keeps its capital and takes no
# contraction.
_ORGANISATION_PLACEHOLDERS = frozenset({"manufacturer", "organisation"})
_NAME_ARTICLE = re.compile(r"(Les|Le|La) (?=\S)")
_WITH_ARTICLE = {
    ("à", "les"): "aux",
    ("À", "les"): "Aux",
    ("à", "le"): "au",
    ("À", "le"): "Au",
    ("de", "les"): "des",
    ("De", "les"): "Des",
    ("de", "le"): "du",
    ("De", "le"): "Du",
}
_CAPITAL_VOWELS = frozenset("AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ")
# An organisation's name may open with a small vowel: "d’iRhythm", "d’eKidney" (not so an
# address, "de anne@…").
_SMALL_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæ")


# A French sentence that opens with a titled name gives it its article ("Le Dr Leroy a
# répondu"), which a translation cannot write for a name that may come without a title: a
# placeholder that opens a sentence and is followed by its verb (or ", qui…", ", que…"), a
# bracket between them too ("Le Dr Leroy (chirurgie cardiaque, CHU…) a joint…").
_LOWER = "a-zàâéèêëîïôöùûüç"
_OPENING_PLACEHOLDER = re.compile(
    rf"(?:^|(?<=[.!?] )|(?<=\n))(?=%\((\w+)\)s(?: [{_LOWER}]| \(.*?\) [{_LOWER}]|, qu))"
)


def _opening_article(match: re.Match, variables: dict) -> str:
    value = variables.get(match[1])
    if not isinstance(value, str):
        return ""
    if _TITLE.match(value):
        return "Le "
    return "La " if _FEMININE_TITLE.match(value) else ""


def in_french() -> bool:
    """Whether the request (or command) speaks French."""
    locale = get_locale() if has_app_context() else None
    return locale is not None and locale.language == "fr"


def with_contractions(text: str, variables: dict) -> str:
    """`text` (a translated message, before its placeholders are filled) with "à"/"de"
    contracted before a placeholder whose value starts with a title or is an organisation's
    name opening with its article, and "de" elided before one whose value is a name starting
    with a vowel; in French, a titled name opening a sentence given its article. It may add
    to `variables` (a name without its article): fill `text` with the same mapping."""
    if "%(" not in text:
        return text
    if _OPENING_PLACEHOLDER.search(text) and in_french():
        text = _OPENING_PLACEHOLDER.sub(lambda match: _opening_article(match, variables), text)

    def contract(match: re.Match) -> str:
        preposition, name = match[1], match[2]
        placeholder = f"%({name})s"
        value = variables.get(name)
        if not isinstance(value, str) or not value:
            return match[0]
        if name in _ORGANISATION_PLACEHOLDERS and (article := _NAME_ARTICLE.match(value)):
            # The article joins the preposition; the placeholder then holds the name without it.
            word = article[1].lower()
            variables[f"{name}_without_article"] = value[article.end() :]
            joined = _WITH_ARTICLE.get((preposition, word), f"{preposition} {word}")
            return f"{joined} %({name}_without_article)s"
        if _TITLE.match(value):
            return _CONTRACTED[preposition] + placeholder
        if _FEMININE_TITLE.match(value):  # "à la Dre Roy", "de la Pre Lin"
            return _WITH_LA[preposition] + placeholder
        small = name in _ORGANISATION_PLACEHOLDERS and value[0] in _SMALL_VOWELS
        if (value[0] in _CAPITAL_VOWELS or small) and preposition in _ELIDED:
            return _ELIDED[preposition] + placeholder
        return match[0]

    return _PREPOSITION_BEFORE_PLACEHOLDER.sub(contract, text)


def of_name(name: str) -> str:
    """French "de" before an organisation's name, as a translated message writes it
    (`with_contractions`): "d’Abiomed", "de Cardiotech", "des Laboratoires Servier", "du
    Laboratoire Aguettant"; for French written as it is (the signed decision)."""
    variables = {"organisation": name}
    return with_contractions("de %(organisation)s", variables) % variables


def listed(items: list[str]) -> str:
    """`items` as a sentence lists them, in the language of the page: "the device and the
    patient", « le dispositif et le patient »."""
    return format_list(items, locale="fr" if in_french() else "en_GB")


def lazy_gettext(string: str, **variables) -> LazyString:
    """Translated when used, in the language of that moment (form labels, choice lists)."""
    return LazyString(gettext, string, **variables)


def folded(text: str) -> str:
    """`text` as a search compares it: case and accents ignored ("Biomédix" → "biomedix",
    "Février" → "fevrier"), other letters kept (a name in another script still matches
    itself)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_LIGATURES)


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


def long_date(value: date) -> str:
    """A date written out in the reader's language: "March 1, 2027", "1er mars 2027"."""
    return long_date_in(value, get_locale())


def long_date_in(value: date, locale) -> str:
    """A date written out in `locale`, with no request needed (the signed decision writes
    French and English): French writes the first of the month as an ordinal, "1er mars 2027",
    which CLDR's pattern does not."""
    text = format_date(value, "long", locale=locale)
    if value.day == 1 and str(locale).startswith("fr") and text.startswith("1 "):
        return "1er " + text[2:]
    return text


def in_french_and_english(iso_day: str | None) -> tuple[str, str] | None:
    """A stored day written out for the signed documents, which speak both languages:
    ("1er mars 2027", "1 March 2027")."""
    if iso_day is None:
        return None
    day = date.fromisoformat(iso_day)
    return long_date_in(day, "fr"), long_date_in(day, "en_GB")


def switch_to_the_language_asked() -> None:
    """The language a page's switch asks for, for this page and the next: the switch is a
    button of the page's form (base.html, `switch_language`), so that the page comes back
    in that language with what was typed, JavaScript off too, where a link would lose it."""
    code = request.form["switch_language"]
    if code not in current_app.config["SUPPORTED_LOCALES"]:
        abort(400)
    session["locale"] = code
    refresh()  # this page already in it


@pass_context
def _template_gettext(context, string: str, **variables) -> str:
    """Jinja's new-style `_()` (escaped when the template is, always a format string), with
    `with_contractions`."""
    text = with_contractions(translations().ugettext(string), variables)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, /, **variables) -> str:
    variables.setdefault("num", num)  # unless written otherwise: `num=count|quantity`
    text = with_contractions(translations().ungettext(singular, plural, num), variables)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def init_app(app: Flask) -> None:
    """The templates' `_()`, `ngettext()`… through `translations()` (after Flask-Babel's)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
    # `_()` and `ngettext()` in place of the two just installed (Jinja fills placeholders
    # after the callable returns, too late for `with_contractions`); `pgettext` stays.
    app.jinja_env.globals.update(
        gettext=_template_gettext,
        _=_template_gettext,
        ngettext=_template_ngettext,
        listed=listed,
    )
