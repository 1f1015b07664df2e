"""The language a report is written in, and its words.

A report is written in one language, `en` or `fr` (`language:` in contract.yaml, overridden per cycle):
`set_language` sets it once per report (a context variable, so a kernel running reports one after the
other, or threads, never mix them) and everything shown afterwards reads it. `_()` translates a message
(its English text is the message id) from the language's catalog: a gettext `.po` file under
`views/locale/`, read with babel. `N_()` marks a message kept in a table to translate where it is shown.
"""

from __future__ import annotations

import contextlib
import importlib.resources
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from typing import Literal, get_args

from babel import Locale
from babel.messages.pofile import read_po

__all__ = [
    "LANGUAGES",
    "N_",
    "Language",
    "Translated",
    "_",
    "babel_locale",
    "catalog",
    "checked_language",
    "current_language",
    "in_language",
    "ngettext",
    "set_language",
]

Language = Literal["en", "fr"]
LANGUAGES: tuple[str, ...] = get_args(Language)

_language: ContextVar[str] = ContextVar("partner_analytics_language", default="en")


def checked_language(language: str) -> str:
    """`language` when the reports can be written in it, else a ValueError naming the choices."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: expected one of {', '.join(LANGUAGES)}")
    return language


def set_language(language: str) -> str:
    """Write what follows in `language` (`en` or `fr`); returns it."""
    _language.set(checked_language(language))
    return language


def current_language() -> str:
    """The language of the report being written (`en` unless set)."""
    return _language.get()


@contextlib.contextmanager
def in_language(language: str) -> Iterator[str]:
    """Within the block, write in `language`; the previous language afterwards."""
    token = _language.set(checked_language(language))
    try:
        yield language
    finally:
        _language.reset(token)


@cache
def babel_locale(language: str) -> Locale:
    """The babel locale of a language: its number, currency and date formats (`en`: CLDR English, `fr`: French)."""
    return Locale.parse({"en": "en", "fr": "fr_FR"}[checked_language(language)])


@cache
def catalog(language: str) -> dict[str, str | tuple[str, ...]]:
    """The language's translations, message id → text (a plural message: a tuple of ids → of forms);
    untranslated messages are left out, so they read in English."""
    source = importlib.resources.files(__package__) / "locale" / f"{checked_language(language)}.po"
    with source.open("rb") as f:
        messages = read_po(f, locale=language)
    out: dict = {}
    for message in messages:
        if not message.id or not message.string or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            out[message.id] = tuple(message.string)
        else:
            out[message.id] = message.string
    return out


def _(message: str) -> str:
    """`message` (English) in the current language."""
    text = catalog(current_language()).get(message)
    return text if isinstance(text, str) else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for `n`, in the current language (French counts 0 and 1 as
    singular; a catalog's first form is the singular, its last the plural)."""
    language = current_language()
    forms = catalog(language).get((singular, plural))
    one = n in (0, 1) if language == "fr" else n == 1
    if isinstance(forms, tuple) and len(forms) >= 2 and all(forms):
        return forms[0] if one else forms[-1]
    return singular if one else plural


def N_(message: str) -> str:
    """Marks a message to translate where it is shown (`_()` at that point); returns it as is."""
    return message


class Translated(Mapping[str, str]):
    """A table of labels (key → English message) read in the current language: `labels[key]`, `**labels`
    and `dict(labels)` translate at the moment they are read."""

    def __init__(self, messages: Mapping[str, str]):
        self._messages = dict(messages)

    def __getitem__(self, key: str) -> str:
        return _(self._messages[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

    def __repr__(self) -> str:
        return f"Translated({dict(self)!r})"
