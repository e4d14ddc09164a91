"""User-visible strings, translatable: every string the console shows goes through `_()`.

A catalogue maps an English message to its translation; a message without one is shown in English.
Lithuanian comes later: add `CATALOGUES["lt"] = {...}` (or load it from a file); each request is
shown in the first language of its Accept-Language header that has a catalogue (`locale_for`).
Messages with values use str.format placeholders, translated before they are filled:
`_("{count} trains").format(count=n)`.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Final

DEFAULT_LOCALE: Final = "en"
CATALOGUES: Final[dict[str, dict[str, str]]] = {"en": {}}

_locale: ContextVar[str] = ContextVar("transitguard_console_locale", default=DEFAULT_LOCALE)


def set_locale(locale: str) -> None:
    """The locale of the current request (a context variable, so concurrent requests do not mix)."""
    _locale.set(locale if locale in CATALOGUES else DEFAULT_LOCALE)


def current_locale() -> str:
    return _locale.get()


def locale_for(accept_language: str) -> str:
    """The first language the browser asks for that has a catalogue (`lt-LT;q=0.9, en` → lt)."""
    for part in accept_language.split(","):
        tag = part.split(";", 1)[0].strip().lower()
        for candidate in (tag, tag.split("-", 1)[0]):
            if candidate in CATALOGUES:
                return candidate
    return DEFAULT_LOCALE


def gettext(message: str) -> str:
    return CATALOGUES.get(_locale.get(), {}).get(message, message)


_ = gettext

__all__ = [
    "CATALOGUES",
    "DEFAULT_LOCALE",
    "N_",
    "_",
    "current_locale",
    "gettext",
    "locale_for",
    "set_locale",
]


def N_(message: str) -> str:  # the gettext convention's name for "translate later"
    """Marks a message for the catalogue where it is defined; `_()` translates it where it is shown."""
    return message
