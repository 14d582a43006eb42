"""The nearest known spelling of a text, for the "did you mean" hints of unknown codes.

Similarity is rapidfuzz's normalised Indel ratio: 100 x twice the longest common subsequence over
the summed lengths (``'Femal'`` against ``'Female'`` scores 90.9). It is the measure difflib
approximates with its longest matching blocks, so a cutoff keeps the meaning it had there:
0.6 (difflib's default) for short closed lists such as column names, 0.75 where a wrong hint would
mislead. The best score wins; among equal scores the option that sorts last does, as it did with
difflib (``'Korean'`` is as like ``'jordan'`` as ``'south korean'``; the hint is the latter).
Hints are only needed for values that map to no code, so the scorer is loaded on the first hint,
not on import: reading and checking known codes never pays for it.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["DEFAULT_CUTOFF", "STRICT_CUTOFF", "closest"]

DEFAULT_CUTOFF = 0.6
"""The least similarity (0..1) for a hint among a short closed list of names."""

STRICT_CUTOFF = 0.75
"""The least similarity (0..1) for a hint among codes and their aliases."""


def closest(text: str, options: Sequence[str], *, cutoff: float = DEFAULT_CUTOFF) -> str | None:
    """The option most like ``text``, or None when none scores ``cutoff`` (0..1) or more."""
    if not options:
        return None
    from rapidfuzz import fuzz, process

    found = process.extract(text, options, scorer=fuzz.ratio, score_cutoff=cutoff * 100, limit=None)
    if not found:
        return None
    best = max(score for _, score, _ in found)
    return max(str(option) for option, score, _ in found if score == best)
