"""Reading case-record files: the HTCDS-aligned case CSV and the CTDC case-level layout.

Each reader returns a :class:`CaseFile`: the records as a case frame (see
:func:`tip_indicators.cases.case_schema`), the findings met while reading (unknown codes,
unreadable dates, flags that disagree with their concatenated column), each at its line and
column, and the input's identity. A value that cannot be read is a finding and counts as unknown;
a file that cannot be read at all raises :class:`~tip_indicators.errors.InputError`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import attrs
import polars as pl

from tip_indicators._private.case_codes import code_table
from tip_indicators._private.csvrecords import csv_records, field_count
from tip_indicators._private.textfile import (
    ReadLimits,
    read_text_input,
    sha256,
)
from tip_indicators._private.vocabulary import (
    Mapped,
    Vocabulary,
    age_vocabulary,
    fold_label,
    map_texts,
    nationality_vocabulary,
    single,
    vocabulary,
)
from tip_indicators.ages import age_alias
from tip_indicators.cases import case_alias, case_codes, case_schema, case_vocabulary
from tip_indicators.codelists import DESTINATION_PATTERN, DESTINATION_TYPES, is_destination_code
from tip_indicators.datasets import InputFile
from tip_indicators.errors import CodeError, InputError
from tip_indicators.findings import Finding, Location, Severity
from tip_indicators.nationalities import country, resolve_nationality

__all__ = [
    "CASE_LAYOUTS",
    "CTDC_COLUMNS",
    "HTCDS_COLUMNS",
    "CaseFile",
    "detect_layout",
    "parse_ctdc_csv",
    "parse_htcds_csv",
    "read_cases",
    "read_ctdc_csv",
    "read_htcds_csv",
]

CASE_LAYOUTS = ("htcds", "ctdc")

HTCDS_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "cas_CaseNumber": "case_id",
        "org_Name": "reporter",
        "cas_CreatedDate": "registered",
        "prs_Gender": "sex",
        "prs_Birthdate": "birth_date",
        "prs_Age": "age",
        "prs_AgeBand": "age_band",
        "prs_Citizenship": "nationality",
        "vic_CountryOfExploitation": "country",
        "vic_TypeOfExploitation": "exploitation",
        "vic_MethodsOfControl": "control",
        "vic_RelationshipToTrafficker": "recruiter",
        "vic_AgeWhenTrafficked": "age_exploited",
        "vic_TraffickingStatus": "victim_status",
        "cas_Status": "case_status",
        "cas_ReferringOrganisation": "referrer",
        "cas_IncomingReferralDate": "referred_in",
        "cas_ReferredOrganisation": "referrals",
        "cas_OutgoingReferralDate": "referrals",
    }
)
"""Columns of the HTCDS-aligned case CSV and the case field each fills."""

_HTCDS_REQUIRED = ("cas_CaseNumber", "org_Name", "cas_CreatedDate")
_CONCATENATED = {
    "exploitation": "typeOfExploitConcatenated",
    "control": "meansOfControlConcatenated",
    "recruiter": "RecruiterRelationship",
}
_CTDC_SINGLE = {
    "yearOfRegistration": "year",
    "gender": "sex",
    "ageBroad": "age_band",
    "majorityStatus": "majority",
    "majorityStatusAtExploit": "majority_exploited",
    "citizenship": "nationality",
    "CountryOfExploitation": "country",
}
CTDC_COLUMNS: tuple[str, ...] = (
    *_CTDC_SINGLE,
    *(flag for field in _CONCATENATED for flag in case_vocabulary(field, "ctdc-flag")),
    *_CONCATENATED.values(),
)
"""The CTDC columns the reader uses; every other column of a CTDC file is left unread."""

_ROW = "_row"
_SEPARATOR = ";"
_MISSING = ("-99", "")
_NO_COUNTRY = ("0", "00", "-99", "")
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?$"
_TRUE = ("1", "1.0", "true", "True", "TRUE")
_FALSE = ("0", "0.0", "false", "False", "FALSE")
_CODES = pl.List(pl.String())


@attrs.frozen
class CaseFile:
    """Case records read from one file, the findings met reading them, and the file's identity."""

    records: pl.DataFrame = attrs.field(eq=False, repr=lambda frame: f"<{frame.height} records>")
    findings: tuple[Finding, ...]
    input: InputFile


def read_htcds_csv(path: str | os.PathLike[str], *, limits: ReadLimits | None = None) -> CaseFile:
    """Read a case CSV in the HTCDS-aligned layout (:data:`HTCDS_COLUMNS`), one row per case."""
    read = read_text_input(path, limits)
    text, digest, name = read.text, read.sha256, read.path
    return _htcds(text, name, digest, limits or ReadLimits())


def parse_htcds_csv(text: str, *, path: str = "<text>") -> CaseFile:
    """Read HTCDS-layout case CSV text (already decoded), citing ``path`` in findings."""
    return _htcds(text, path, sha256(text.encode("utf-8")), ReadLimits())


def read_ctdc_csv(
    path: str | os.PathLike[str], *, reporter: str = "CTDC", limits: ReadLimits | None = None
) -> CaseFile:
    """Read a CTDC case-level file; every record is reported by ``reporter``."""
    read = read_text_input(path, limits)
    text, digest, name = read.text, read.sha256, read.path
    return _ctdc(text, name, digest, reporter, limits or ReadLimits())


def parse_ctdc_csv(text: str, *, path: str = "<text>", reporter: str = "CTDC") -> CaseFile:
    """Read CTDC-layout text (already decoded), citing ``path`` in findings."""
    return _ctdc(text, path, sha256(text.encode("utf-8")), reporter, ReadLimits())


def detect_layout(header: Sequence[str], path: str = "<text>") -> str:
    """Tell the layout of a case file from its header: ``ctdc`` or ``htcds``."""
    if "yearOfRegistration" in header:
        return "ctdc"
    if any(column in HTCDS_COLUMNS for column in header):
        return "htcds"
    raise InputError(path, "neither a CTDC nor an HTCDS case file (see the header)", line=1)


def read_cases(
    path: str | os.PathLike[str],
    *,
    layout: str = "auto",
    ctdc_reporter: str = "CTDC",
    limits: ReadLimits | None = None,
) -> CaseFile:
    """Read a case file in the given layout, or in the one its header shows (``auto``)."""
    if layout not in {"auto", *CASE_LAYOUTS}:
        raise InputError(os.fspath(path), f"unknown layout {layout!r} (one of {CASE_LAYOUTS})")
    read = read_text_input(path, limits)
    text, digest, name = read.text, read.sha256, read.path
    if layout == "auto":
        first = next(csv_records(text, name, limits or ReadLimits()), None)
        layout = detect_layout(first[1] if first else [], name)
    if layout == "ctdc":
        return _ctdc(text, name, digest, ctdc_reporter, limits or ReadLimits())
    return _htcds(text, name, digest, limits or ReadLimits())


# ---------------------------------------------------------------- the CSV table


def _table(
    text: str, path: str, limits: ReadLimits, known: Sequence[str], required: Sequence[str]
) -> tuple[pl.DataFrame, list[Finding]]:
    """The known columns as trimmed text (empty is null), with ``_row``, ``path`` and ``line``."""
    records = csv_records(text, path, limits, header_first=True)
    first = next(records, None)
    if first is None:
        raise InputError(path, "empty file: no header row")
    header = first[1]
    folded = {column.casefold(): column for column in known}
    for name in header:
        if header.count(name) > 1:
            raise InputError(path, f"column {name!r} appears twice in the header", line=1)
        hint = folded.get(name.strip().casefold())
        if name not in known and hint is not None:
            raise InputError(path, f"unknown column {name!r} (did you mean {hint!r}?)", line=1)
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(path, f"required column(s) missing: {', '.join(missing)}", line=1)
    keep = [index for index, name in enumerate(header) if name in known]
    columns: list[list[str]] = [[] for _ in keep]
    lines: list[int] = []
    problems: list[Finding] = []
    for line, fields in records:
        if len(fields) != len(header):
            message = f"row has {field_count(fields)} fields, the header has {len(header)}"
            problems.append(
                Finding("row-shape", Severity.ERROR, message, location=Location(path, line))
            )
            continue
        for column, index in zip(columns, keep, strict=True):
            column.append(fields[index])
        lines.append(line)
    frame = pl.DataFrame(
        {
            header[i]: pl.Series(values, dtype=pl.String)
            for i, values in zip(keep, columns, strict=True)
        }
    )
    frame = frame.with_columns(
        [pl.col(c).str.strip_chars().replace("", None) for c in frame.columns]
    ).with_columns(pl.lit(path).alias("path"), pl.Series("line", lines, dtype=pl.Int64))
    for name in known:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(name))
    return frame.with_row_index(_ROW), problems


# ---------------------------------------------------------------- cells to codes


def _findings(
    frame: pl.DataFrame, mask: pl.Expr, code: str, column: str, message: pl.Expr
) -> list[Finding]:
    hits = frame.filter(mask.fill_null(False)).select("path", "line", message.alias("_m"))
    return [
        Finding(code, Severity.ERROR, f"{column}: {text}", location=Location(path, line, column))
        for path, line, text in hits.iter_rows()
    ]


def _hint(error: CodeError) -> str:
    return f" (did you mean {error.suggestion!r}?)" if error.suggestion else ""


def _unknown(mapped: Mapped) -> dict[str, str]:
    """The message of each text that maps to no code."""
    return {text: f"unknown code {text!r}{_hint(error)}" for text, error in mapped.errors.items()}


def _single(
    frame: pl.DataFrame, column: str, known: Vocabulary, skip: Sequence[str] = ()
) -> tuple[pl.Expr, list[Finding]]:
    """``column`` mapped to one code per cell; unknown values are findings and null.

    The column's distinct values are mapped once (joined with the vocabulary's tables where
    they hold them) and the codes replace the cells by a lookup.
    """
    values = frame.get_column(column)
    mapped = map_texts(values.filter(~values.is_in(list(skip))), known)
    bad = _unknown(mapped)
    found = _findings(
        frame,
        pl.col(column).is_in(list(bad)),
        "unknown-code",
        column,
        pl.col(column).replace_strict(bad, default=None, return_dtype=pl.String),
    )
    if not mapped.codes.height:
        return pl.lit(None, pl.String), found
    codes = mapped.codes
    return pl.col(column).replace_strict(
        codes.get_column("text"),
        codes.get_column("codes").list.first(),
        default=None,
        return_dtype=pl.String,
    ), found


def _multi(
    frame: pl.DataFrame, column: str, known: Vocabulary, *, ordered: bool = False
) -> tuple[pl.Series, list[Finding], pl.Series]:
    """``column`` split on ';' and mapped to a list of codes per row (empty when not given).

    Each list holds every code once, sorted, or in the order written when ``ordered``.

    Returns the lists (in row order), the findings about unknown items, and the rows that had one.
    """
    items = (
        frame.select(_ROW, "path", "line", pl.col(column).str.split(_SEPARATOR).alias("_item"))
        .explode("_item")
        .with_columns(pl.col("_item").str.strip_chars())
        .filter(pl.col("_item").is_not_null() & (pl.col("_item") != ""))
    )
    mapped = map_texts(items.get_column("_item"), known)
    bad = _unknown(mapped)
    unknown = pl.col("_item").is_in(list(bad))
    found = _findings(
        items,
        unknown,
        "unknown-code",
        column,
        pl.col("_item").replace_strict(bad, default=None, return_dtype=pl.String),
    )
    lookup = (
        mapped.codes.explode("codes")
        .rename({"text": "_item", "codes": "_code"})
        .filter(pl.col("_code").is_not_null())
    )
    grouped = (
        items.join(lookup, on="_item", how="inner", maintain_order="left")
        .group_by(_ROW, maintain_order=True)
        .agg(
            pl.col("_code").unique(maintain_order=True)
            if ordered
            else pl.col("_code").unique().sort()
        )
    )
    lists = (
        frame.select(_ROW)
        .join(grouped, on=_ROW, how="left", maintain_order="left")
        .select(
            pl.when(pl.col("_code").is_null())
            .then(pl.lit([], dtype=_CODES))
            .otherwise(pl.col("_code"))
            .alias(column)
        )
        .to_series()
    )
    return lists, found, items.filter(unknown).get_column(_ROW).unique()


def _date(frame: pl.DataFrame, column: str) -> tuple[pl.Expr, list[Finding]]:
    text = pl.col(column)
    parsed = (
        pl.when(text.str.contains(_DATE))
        .then(text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        .otherwise(pl.lit(None, pl.Date))
    )
    message = pl.format("'{}' is not a date (YYYY-MM-DD)", text)
    bad = text.is_not_null() & parsed.is_null()
    return parsed, _findings(frame, bad, "case-invalid-field", column, message)


def _whole(
    frame: pl.DataFrame, column: str, digits: str, what: str, skip: Sequence[str] = ()
) -> tuple[pl.Expr, list[Finding]]:
    text = pl.col(column)
    usable = text.is_not_null() & ~text.is_in(list(skip))
    number = pl.when(usable & text.str.contains(f"^[0-9]{digits}$")).then(text.cast(pl.Int32))
    message = pl.format("'{}' is not {}", text, pl.lit(what))
    return number, _findings(
        frame, usable & number.is_null(), "case-invalid-field", column, message
    )


def _country_code(text: str) -> str:
    """A citizenship or country of exploitation: ISO 3166-1 code or name, stateless, unknown."""
    stripped = text.strip()
    if stripped in {"XXA", "_U"}:
        return stripped
    try:
        return country(stripped).alpha2
    except CodeError as error:
        hint = error.suggestion
    try:
        code = resolve_nationality(stripped)
    except CodeError:
        raise CodeError("country", text, hint) from None
    if code != "XXA" and not (len(code) == 2 and code.isalpha()):
        raise CodeError("country", text, hint)
    return code


def _organisation(text: str) -> str:
    """A referral partner: a destination code (NGO.AFESIP, GOV) or an HTCDS organisation type."""
    stripped = text.strip()
    if stripped != "_T" and is_destination_code(stripped):
        return stripped
    try:
        return case_alias("organisation", "htcds", stripped)[0]
    except CodeError as error:
        words = stripped.upper().split()
        spellings = [".".join([*words[:1], "_".join(words[1:])]), "_".join(words)]
        valid = [code for code in spellings if code != "_T" and is_destination_code(code)]
        hint = valid[0] if valid else error.suggestion
        raise CodeError("organisation", text, hint) from None


def _is_country(code: str) -> bool:
    return code == "XXA" or (len(code) == 2 and code.isalpha())


@functools.cache
def _vocabulary(field: str, source: str) -> Vocabulary:
    """How a source vocabulary of a case field maps to codes, joined (see :func:`_single`)."""
    if field == "country":
        return nationality_vocabulary(single(_country_code), _is_country)
    if field == "age":
        return age_vocabulary(
            None if source == "any" else source, single(functools.partial(_age, source))
        )
    if field == "referral":
        return vocabulary(
            single(_organisation),
            ["_T", *DESTINATION_TYPES, *case_vocabulary("organisation", "htcds")],
            folded=code_table().aliases.get(("organisation", "htcds"), {}),
            fold=fold_label,
            itself=f"_U|{DESTINATION_PATTERN}",
        )
    return vocabulary(
        functools.partial(case_alias, field, source),
        [*case_codes(field), *case_vocabulary(field, source)],
        folded=code_table().aliases.get((field, source), {}),
        fold=fold_label,
    )


def _age(source: str, text: str) -> str:
    return age_alias(text, None if source == "any" else source)


def _finish(frame: pl.DataFrame, columns: Mapping[str, pl.Expr | pl.Series]) -> pl.DataFrame:
    """The case frame: ``columns`` by case field, every other field null."""
    selected: list[pl.Expr | pl.Series] = []
    for name, dtype in case_schema().items():
        if name in {"path", "line"}:
            selected.append(pl.col(name))
        elif name in columns:
            value = columns[name]
            selected.append(value.cast(dtype).alias(name))
        else:
            selected.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(selected)


def _case_file(
    records: pl.DataFrame, found: list[Finding], path: str, digest: str, layout: str
) -> CaseFile:
    ordered = tuple(sorted(found, key=lambda finding: finding.sort_key))
    return CaseFile(records, ordered, InputFile(path, digest, records.height, f"{layout}-csv"))


# ---------------------------------------------------------------- HTCDS layout


def _items(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """One row per ';'-separated item of ``column`` with its position in the cell (``_pos``)."""
    return (
        frame.select(_ROW, "path", "line", pl.col(column).str.split(_SEPARATOR))
        .explode(column)
        .with_columns(
            pl.col(column).str.strip_chars().replace("", None),
            pl.int_range(pl.len()).over(_ROW).alias("_pos"),
        )
    )


def _referrals(frame: pl.DataFrame) -> tuple[pl.Series, list[Finding]]:
    """Outgoing referrals: organisations and dates, both ';'-separated and paired in order."""
    target, when = "cas_ReferredOrganisation", "cas_OutgoingReferralDate"
    sizes = frame.select(
        _ROW,
        "path",
        "line",
        pl.col(target).str.split(_SEPARATOR).list.len().fill_null(0).alias("_n"),
        pl.col(when).str.split(_SEPARATOR).list.len().alias("_d"),
    )
    mismatch = pl.col("_d").is_not_null() & (pl.col("_d") != pl.col("_n"))
    found = _findings(
        sizes,
        mismatch,
        "case-invalid-field",
        when,
        pl.format("{} dates for {} referred organisations; the dates are left out", "_d", "_n"),
    )
    skipped = sizes.filter(mismatch).get_column(_ROW).implode()
    dates = _items(frame, when).filter(~pl.col(_ROW).is_in(skipped)).select(_ROW, "_pos", when)
    flat = (
        _items(frame, target)
        .filter(pl.col(target).is_not_null())
        .join(dates, on=[_ROW, "_pos"], how="left", maintain_order="left")
    )
    organisation, bad = _single(flat, target, _vocabulary("referral", "any"))
    found += bad
    day, bad = _date(flat, when)
    found += bad
    events = (
        flat.with_columns(organisation.alias("to"), day.alias("date"))
        .filter(pl.col("to").is_not_null())
        .group_by(_ROW, maintain_order=True)
        .agg(pl.struct("to", "date").alias("_events"))
    )
    lists = (
        frame.select(_ROW)
        .join(events, on=_ROW, how="left", maintain_order="left")
        .select(
            pl.when(pl.col("_events").is_null())
            .then(pl.lit([], dtype=case_schema()["referrals"]))
            .otherwise(pl.col("_events"))
        )
        .to_series()
    )
    return lists, found


def _htcds(text: str, path: str, digest: str, limits: ReadLimits) -> CaseFile:
    frame, found = _table(text, path, limits, tuple(HTCDS_COLUMNS), _HTCDS_REQUIRED)
    found += _findings(
        frame,
        pl.col("cas_CaseNumber").is_null(),
        "missing-field",
        "cas_CaseNumber",
        pl.lit("a case identifier is required"),
    )
    columns: dict[str, pl.Expr | pl.Series] = {
        "case_id": pl.col("cas_CaseNumber"),
        "reporter": pl.col("org_Name"),
    }
    registered, bad = _date(frame, "cas_CreatedDate")
    found += bad
    columns["registered"], columns["year"] = registered, registered.dt.year()
    for name, field in (
        ("prs_Birthdate", "birth_date"),
        ("cas_IncomingReferralDate", "referred_in"),
    ):
        columns[field], bad = _date(frame, name)
        found += bad
    for name, field in (("prs_Age", "age"), ("vic_AgeWhenTrafficked", "age_exploited")):
        columns[field], bad = _whole(frame, name, "{1,3}", "an age in whole years")
        found += bad
    singles: list[tuple[str, str, Vocabulary]] = [
        ("prs_Gender", "sex", _vocabulary("sex", "htcds")),
        ("prs_AgeBand", "age_band", _vocabulary("age", "any")),
        ("vic_CountryOfExploitation", "country", _vocabulary("country", "any")),
        ("vic_TraffickingStatus", "victim_status", _vocabulary("victim_status", "htcds")),
        ("cas_Status", "case_status", _vocabulary("case_status", "htcds")),
        ("cas_ReferringOrganisation", "referrer", _vocabulary("referral", "any")),
    ]
    for name, field, judge in singles:
        columns[field], bad = _single(frame, name, judge)
        found += bad
    for name, field in (
        ("vic_TypeOfExploitation", "exploitation"),
        ("vic_MethodsOfControl", "control"),
        ("vic_RelationshipToTrafficker", "recruiter"),
    ):
        columns[field], bad, _ = _multi(frame, name, _vocabulary(field, "htcds"))
        found += bad
    citizenships, bad, _ = _multi(
        frame, "prs_Citizenship", _vocabulary("country", "any"), ordered=True
    )
    found += bad
    columns["nationality"] = citizenships.list.first()
    several = frame.with_columns(citizenships.alias("_all"))
    found += [
        attrs.evolve(finding, severity=Severity.INFO)
        for finding in _findings(
            several,
            pl.col("_all").list.len() > 1,
            "case-dual-citizenship",
            "prs_Citizenship",
            pl.format(
                "several citizenships ({}); the case counts under the first, {}",
                pl.col("_all").list.join(", "),
                pl.col("_all").list.first(),
            ),
        )
    ]
    columns["referrals"], bad = _referrals(frame)
    found += bad
    return _case_file(_finish(frame, columns), found, path, digest, "htcds")


# ---------------------------------------------------------------- CTDC layout


def _flags(frame: pl.DataFrame, column: str) -> tuple[pl.Expr, list[Finding], pl.Expr]:
    """A one-hot column as 1, 0 or null (missing), its findings, and a mask of unreadable cells."""
    text = pl.col(column)
    value = (
        pl.when(text.is_in(list(_TRUE)))
        .then(pl.lit(1, pl.Int8))
        .when(text.is_in(list(_FALSE)))
        .then(pl.lit(0, pl.Int8))
        .otherwise(pl.lit(None, pl.Int8))
    )
    bad = text.is_not_null() & ~text.is_in([*_TRUE, *_FALSE, *_MISSING])
    message = pl.format("'{}' is not a flag (1, 0, or -99 or empty for missing)", text)
    return value, _findings(frame, bad, "case-invalid-field", column, message), bad


def _group(frame: pl.DataFrame, field: str) -> tuple[pl.Series, list[Finding]]:
    """The codes of one flag group: from its one-hot flags, else from its concatenated column."""
    concatenated = _CONCATENATED[field]
    flags = case_vocabulary(field, "ctdc-flag")
    found: list[Finding] = []
    parts: list[pl.Expr] = []
    known: list[pl.Expr] = []
    unreadable: list[pl.Expr] = [pl.lit(False)]
    setting: dict[str, list[pl.Expr]] = {}
    for column in flags:
        value, bad, mask = _flags(frame, column)
        found += bad
        for code in flags[column]:
            setting.setdefault(code, []).append(value == 1)
        known.append(value.is_not_null())
        unreadable.append(mask)
    for code in sorted(setting):
        parts.append(pl.when(pl.any_horizontal(setting[code])).then(pl.lit(code)))
    labels, bad, bad_rows = _multi(
        frame.with_columns(pl.col(concatenated).replace(list(_MISSING), None)),
        concatenated,
        _vocabulary(field, "ctdc-label"),
    )
    found += bad
    from_flags = pl.concat_list(parts).list.drop_nulls() if parts else None
    stated = pl.col(concatenated).is_not_null() & ~pl.col(concatenated).is_in(list(_MISSING))
    flags_known = pl.any_horizontal(known) if known else pl.lit(False)
    work = frame.with_columns(
        (from_flags if from_flags is not None else pl.lit([], dtype=_CODES)).alias("_flags"),
        labels.alias("_labels"),
        flags_known.alias("_known"),
        stated.alias("_stated"),
        pl.any_horizontal(unreadable).alias("_unreadable"),
    )
    mismatch = (
        pl.col("_known")
        & pl.col("_stated")
        & (pl.col("_flags") != pl.col("_labels"))
        & ~pl.col("_unreadable")
        & ~pl.col(_ROW).is_in(bad_rows.implode())
    )
    message = pl.format(
        "'{}' gives {} but the one-hot flags give {}; the flags are used",
        pl.col(concatenated),
        pl.col("_labels").list.join(", "),
        pl.when(pl.col("_flags").list.len() > 0)
        .then(pl.col("_flags").list.join(", "))
        .otherwise(pl.lit("none")),
    )
    found += _findings(work, mismatch, "case-flags-mismatch", concatenated, message)
    result = work.select(
        pl.when(pl.col("_known"))
        .then(pl.col("_flags"))
        .when(pl.col("_stated"))
        .then(pl.col("_labels"))
        .otherwise(pl.lit([], dtype=_CODES))
    ).to_series()
    return result, found


def _ctdc(text: str, path: str, digest: str, reporter: str, limits: ReadLimits) -> CaseFile:
    frame, found = _table(text, path, limits, CTDC_COLUMNS, ("yearOfRegistration",))
    columns: dict[str, pl.Expr | pl.Series] = {"reporter": pl.lit(reporter)}
    columns["year"], bad = _whole(frame, "yearOfRegistration", "{4}", "a year", _MISSING)
    found += bad
    majority = _vocabulary("majority", "ctdc")
    singles: list[tuple[str, str, Vocabulary, Sequence[str]]] = [
        ("gender", "sex", _vocabulary("sex", "ctdc"), _MISSING),
        ("ageBroad", "age_band", _vocabulary("age", "ctdc"), _MISSING),
        ("majorityStatus", "majority", majority, _MISSING),
        (
            "majorityStatusAtExploit",
            "majority_exploited",
            _vocabulary("majority", "ctdc"),
            _MISSING,
        ),
        ("citizenship", "nationality", _vocabulary("country", "any"), _NO_COUNTRY),
        ("CountryOfExploitation", "country", _vocabulary("country", "any"), _NO_COUNTRY),
    ]
    for name, field, judge, skip in singles:
        columns[field], bad = _single(frame, name, judge, skip)
        found += bad
    for field in _CONCATENATED:
        columns[field], bad = _group(frame, field)
        found += bad
    return _case_file(_finish(frame, columns), found, path, digest, "ctdc")
