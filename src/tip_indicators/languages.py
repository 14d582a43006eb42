"""The language findings are worded in: English, French, Spanish or Khmer.

Messages are looked up in the gettext catalogues shipped under ``tip_indicators/locale``; a
message a catalogue does not translate is written in English. The language is chosen for a
block of code, not for the process, so two threads (or two requests of a web service) can
word their reports in different languages::

    with ti.language("fr"):
        report = ti.check(ti.read_dataset("report-2010.csv"))

Only the ``message`` of a finding changes; its code, severity, figures and the report's
structure are the same in every language.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources

from tip_indicators.errors import ArgumentError

__all__ = ["DOMAIN", "LANGUAGES", "current_language", "language", "translate"]

LANGUAGES = ("en", "es", "fr", "km")
"""The languages findings can be worded in (ISO 639-1 codes); ``en`` is the default."""

DOMAIN = "tip_indicators"
"""The gettext domain: the catalogues are ``locale/<lang>/LC_MESSAGES/tip_indicators.mo``."""

_CURRENT: ContextVar[str] = ContextVar("tip_indicators_language", default="en")


@contextmanager
def language(code: str) -> Iterator[str]:
    """Word the findings made inside the ``with`` block in ``code`` (one of :data:`LANGUAGES`).

    Raises :class:`~tip_indicators.errors.ArgumentError` for a language with no catalogue.
    """
    if code not in LANGUAGES:
        raise ArgumentError("language", code, f"must be one of {', '.join(LANGUAGES)}")
    token = _CURRENT.set(code)
    try:
        yield code
    finally:
        _CURRENT.reset(token)


def current_language() -> str:
    """The language findings are worded in here: the innermost :func:`language` block's."""
    return _CURRENT.get()


def translate(message: str, code: str | None = None) -> str:
    """``message`` in language ``code`` (default: the current one), or as it is when the
    catalogue has no translation for it."""
    return _catalogue(code or _CURRENT.get()).gettext(message)


@cache
def _catalogue(code: str) -> gettext.NullTranslations:
    if code == "en":
        return gettext.NullTranslations()
    compiled = resources.files("tip_indicators") / "locale" / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with compiled.open("rb") as stream:
        return gettext.GNUTranslations(stream)
