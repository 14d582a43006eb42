"""Source vocabularies mapped to codes by joining a column's distinct texts with alias tables.

A reader's column holds a few distinct texts among many rows. :func:`map_texts` takes each
distinct text once and decides it in the first of these stages that knows it:

1. ``exact``: the text as written, among spellings (codes, names, aliases) that the vocabulary's
   own ``resolve`` mapped when the table was built, so this stage agrees with it by
   construction. A spelling ``resolve`` refuses is listed with no codes: Python decides it.
2. ``itself``: a regular expression of codes that stand for themselves once trimmed
   (``NGO.AFESIP``).
3. ``folded``: the text folded as the vocabulary matches labels (case, white space, punctuation)
   against the folded aliases. Only text of plain ASCII, not a listed spelling once trimmed,
   reaches this stage: for it, polars folds exactly as Python does (the property tests hold the
   folds below to :func:`~tip_indicators.codelists.normalise_label` and its kin).
4. anything left (misspellings, text with accents or odd spacing): ``resolve``, once per
   distinct text; an unknown text raises CodeError with its "did you mean" hint.

``resolve`` maps one text to its codes (several for a label that means several, as in the case
vocabularies) and is the reference: the join gives the same codes for every text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs
import polars as pl

from tip_indicators.ages import age_labels
from tip_indicators.codelists import codelist
from tip_indicators.errors import CodeError
from tip_indicators.nationalities import SPECIAL_CODES, countries, nationality_spellings, regions

__all__ = [
    "PYTHON_SPACE",
    "Fold",
    "Mapped",
    "Resolve",
    "Vocabulary",
    "age_vocabulary",
    "codelist_vocabulary",
    "fold_label",
    "fold_name",
    "map_texts",
    "nationality_vocabulary",
    "single",
    "trimmed",
    "vocabulary",
]

Resolve = Callable[[str], Sequence[str]]
Fold = Callable[[pl.Expr], pl.Expr]

PYTHON_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""The characters ``str.strip`` and ``str.split`` take for white space (``str.isspace``)."""

_ASCII_SPACE = r"[\t-\r\x1c-\x1f ]+"
_ASCII = r"^[\x00-\x7f]*$"
_CODES = pl.List(pl.String)


def trimmed(text: pl.Expr) -> pl.Expr:
    """``text`` with white space trimmed as ``str.strip`` trims it (polars' default trims less)."""
    return text.str.strip_chars(PYTHON_SPACE)


def fold_label(text: pl.Expr) -> pl.Expr:
    """:func:`~tip_indicators.codelists.normalise_label` of ASCII text: case and runs of white
    space folded (also the age labels' folding, whose dashes are not ASCII)."""
    return text.str.to_lowercase().str.replace_all(_ASCII_SPACE, " ").str.strip_chars(" ")


def fold_name(text: pl.Expr) -> pl.Expr:
    """The folding of nationality names for ASCII text: case folded, ``&`` read as "and", runs
    of anything but letters and digits one space, "the" dropped and "st" read as "saint"."""
    words = (
        text.str.to_lowercase()
        .str.replace_all("&", " and ", literal=True)
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.replace_all(r"\bst\b", "saint")
        .str.replace_all(r"\bthe\b", "")
    )
    return words.str.replace_all(" +", " ").str.strip_chars(" ")


@attrs.frozen(eq=False)
class Vocabulary:
    """A source vocabulary: its value-by-value ``resolve`` and the tables that join it."""

    resolve: Resolve
    exact: pl.DataFrame = attrs.field(repr=lambda frame: f"<{frame.height} spellings>")
    folded: pl.DataFrame = attrs.field(repr=lambda frame: f"<{frame.height} folded>")
    fold: Fold | None = None
    itself: str | None = None


@attrs.frozen(eq=False)
class Mapped:
    """The codes of each distinct text that maps (``text``, ``codes``), and why the rest do not."""

    codes: pl.DataFrame
    errors: Mapping[str, CodeError]


def vocabulary(
    resolve: Resolve,
    spellings: Iterable[str],
    *,
    folded: Mapping[str, Sequence[str]] | None = None,
    fold: Fold | None = None,
    itself: str | None = None,
) -> Vocabulary:
    """A vocabulary whose exact table holds what ``resolve`` makes of each of ``spellings``, and
    whose folded table is ``folded`` (folded label to codes), matched by ``fold``."""
    texts: list[str] = []
    codes: list[list[str] | None] = []
    for spelling in dict.fromkeys(spellings):
        texts.append(spelling)
        try:
            codes.append(list(resolve(spelling)))
        except CodeError:
            codes.append(None)
    exact = pl.DataFrame(
        {"text": texts, "_codes": codes}, schema={"text": pl.String, "_codes": _CODES}
    ).with_columns(pl.lit(True).alias("_listed"))
    keys = list(folded or {})
    table = pl.DataFrame(
        {"_key": keys, "_folded": [list((folded or {})[key]) for key in keys]},
        schema={"_key": pl.String, "_folded": _CODES},
    )
    return Vocabulary(resolve, exact, table, fold, itself)


def map_texts(texts: pl.Series, vocabulary: Vocabulary) -> Mapped:
    """Map the distinct non-null ``texts`` to their codes: joined where a table knows them,
    resolved one by one where none does."""
    frame = (
        pl.DataFrame({"text": texts.drop_nulls().unique()}, schema={"text": pl.String})
        .join(vocabulary.exact, on="text", how="left")
        .with_columns(pl.col("_listed").fill_null(False))
    )
    text, pending = pl.col("text"), ~pl.col("_listed")
    if vocabulary.itself is not None:
        own = pending & trimmed(text).str.contains(f"^(?:{vocabulary.itself})$")
        frame = frame.with_columns(
            pl.when(own)
            .then(pl.concat_list(trimmed(text)))
            .otherwise(pl.col("_codes"))
            .alias("_codes"),
            pl.col("_listed") | own,
        )
        pending = ~pl.col("_listed")
    if vocabulary.fold is not None and vocabulary.folded.height:
        listed = vocabulary.exact.get_column("text").implode()
        foldable = pending & text.str.contains(_ASCII) & ~trimmed(text).is_in(listed)
        frame = (
            frame.with_columns(pl.when(foldable).then(vocabulary.fold(text)).alias("_key"))
            .join(vocabulary.folded, on="_key", how="left")
            .with_columns(pl.coalesce("_codes", "_folded").alias("_codes"))
        )
    known = frame.filter(pl.col("_codes").is_not_null()).select("text", "_codes")
    resolved: dict[str, list[str]] = {}
    errors: dict[str, CodeError] = {}
    for value in frame.filter(pl.col("_codes").is_null()).get_column("text").to_list():
        try:
            resolved[value] = list(vocabulary.resolve(value))
        except CodeError as error:
            errors[value] = error
    rest = pl.DataFrame(
        {"text": list(resolved), "_codes": list(resolved.values())},
        schema={"text": pl.String, "_codes": _CODES},
    )
    return Mapped(pl.concat([known, rest]).rename({"_codes": "codes"}), errors)


def single(resolve: Callable[[str], str]) -> Resolve:
    """A ``resolve`` for a vocabulary whose labels each mean one code."""
    return functools.partial(_one, resolve)


def _one(resolve: Callable[[str], str], text: str) -> Sequence[str]:
    return (resolve(text),)


def codelist_vocabulary(identifier: str, resolve: Resolve) -> Vocabulary:
    """Codelist ``identifier``'s codes, names and aliases, for a ``resolve`` that maps a label
    as :meth:`~tip_indicators.codelists.Codelist.resolve` does (hints may differ)."""
    codes = codelist(identifier)
    return vocabulary(
        resolve,
        [*codes.ids, *(code.name for code in codes)],
        folded={label: (code,) for label, code in codes.labels.items()},
        fold=fold_label,
    )


def age_vocabulary(source: str | None, resolve: Resolve) -> Vocabulary:
    """The age labels of ``source`` (every source when None), for a ``resolve`` that maps a
    label as :func:`~tip_indicators.ages.age_alias` does with that vocabulary."""
    labels = age_labels(source)
    return vocabulary(
        resolve, labels, folded={key: (code,) for key, code in labels.items()}, fold=fold_label
    )


def nationality_vocabulary(
    resolve: Resolve, accepts: Callable[[str], bool] = lambda code: True
) -> Vocabulary:
    """Nationality codes, names and aliases, for a ``resolve`` that maps text as
    :func:`~tip_indicators.nationalities.resolve_nationality` does, keeping only the codes
    ``accepts`` (a reader of countries refuses regions)."""
    codes = [
        *(code for item in countries() for code in (item.alpha2, item.alpha3, item.numeric)),
        *(area.code for area in regions()),
        *SPECIAL_CODES,
    ]
    names = [*(item.name for item in countries()), *(area.name for area in regions())]
    return vocabulary(
        resolve,
        [*codes, *names],
        folded={key: (code,) for key, code in nationality_spellings().items() if accepts(code)},
        fold=fold_name,
    )
