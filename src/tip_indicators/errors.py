"""The exceptions tip-indicators raises.

Every error derives from :class:`TipIndicatorsError` and also from the builtin it resembles, so
callers can catch either. Each carries its inputs as attributes and builds its message from them.
Problems inside a readable file are not exceptions: they become findings in a report.
"""

from __future__ import annotations

__all__ = [
    "ArgumentError",
    "CodeError",
    "DefinitionError",
    "InputError",
    "TipIndicatorsError",
    "UnitError",
]


class TipIndicatorsError(Exception):
    """Root of every exception raised by tip-indicators."""


class InputError(TipIndicatorsError, ValueError):
    """An input cannot be read at all: missing, not the expected format, or over a size limit.

    The CLI turns this into a one-line message and exit status 2.
    """

    def __init__(self, path: str, reason: str, *, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {reason}")


class CodeError(TipIndicatorsError, KeyError):
    """A code is not in its codelist; ``suggestion`` holds the nearest valid code, if any."""

    def __init__(self, codelist: str, code: str, suggestion: str | None = None) -> None:
        self.codelist = codelist
        self.code = code
        self.suggestion = suggestion
        super().__init__(codelist, code)

    def __str__(self) -> str:
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        return f"{self.codelist}: unknown code {self.code!r}{hint}"


class DefinitionError(TipIndicatorsError, ValueError):
    """A definition (catalogue entry, codelist file, profile, rule expression) is malformed."""

    def __init__(
        self, source: str, reason: str, *, line: int | None = None, column: int | None = None
    ) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        self.column = column
        where = source
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {reason}")


class ArgumentError(TipIndicatorsError, ValueError):
    """A function was called with an argument it does not accept.

    ``argument`` names the parameter (or the part of it at fault, ``rows[3]``), ``value`` is what
    was passed and ``reason`` what is wrong with it; the message quotes the value:
    ``threshold=0: must be a whole number of at least 1``.
    """

    def __init__(self, argument: str, value: object, reason: str) -> None:
        self.argument = argument
        self.value = value
        self.reason = reason
        super().__init__(f"{argument}={value!r}: {reason}")


class UnitError(TipIndicatorsError, TypeError):
    """Figures in incompatible units were combined (a percentage added to a head count)."""

    def __init__(self, operation: str, left: str, right: str) -> None:
        self.operation, self.left, self.right = operation, left, right
        super().__init__(f"cannot {operation} {left} and {right}: the units differ")
