"""A profile's checks as a VTL 2.x script, and a dataset as the data the script reads.

:func:`vtl_script` writes the rules a profile implies (:func:`tip_indicators.rules.default_rules`)
in the SDMX validation and transformation language: a hierarchical ruleset for each breakdown
that partitions its total (``=`` for a closed breakdown, ``>=`` for an open one, and ``=`` again
for a breakdown that gives every category), datapoint rulesets for bounds and stated changes,
and comments where VTL cannot say what the library checks and how the script approximates it.
:func:`vtl_datapoints` and :func:`vtl_data_structure` give a dataset in the shape the script
reads: one dataset ``DS`` whose identifiers are the key columns and whose measure is the value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import polars as pl

from tip_indicators.datasets import Dataset
from tip_indicators.dimensions import Dimension, DimensionKind
from tip_indicators.indicators import is_rate_unit
from tip_indicators.io.sdmx_structure import column_id
from tip_indicators.profiles import Profile, builtin_profile
from tip_indicators.rules import Family, Rule, default_rules

__all__ = [
    "VTL_COMPARABLE",
    "vtl_data_structure",
    "vtl_datapoints",
    "vtl_identifiers",
    "vtl_script",
]

VTL_COMPARABLE = (
    "partition of a dimension whose codes are listed (sex, a case status)",
    "bound of a dimension that does not partition (forms of exploitation, activities)",
    "bound of one indicator by another (bounded_by)",
    "stated absolute change (CHG) against the levels of the period and the base period",
)
"""What the script checks as the library does, on data without censored or missing values.
Everything else it approximates, as its comments say."""

_SAFE = re.compile(r"[^A-Za-z0-9_]")


def vtl_identifiers(profile: Profile | None = None) -> tuple[str, ...]:
    """The identifiers of ``DS`` in order: indicator, period, reporter, each dimension of the
    catalogue under its SDMX id (as in ``schema sdmx``), measure and base period."""
    catalogue = (profile or builtin_profile()).catalogue
    dims = tuple(column_id(d) for d in catalogue.dimensions)
    return ("INDICATOR", "TIME_PERIOD", "REPORTER", *dims, "MEASURE", "BASE_PER")


def vtl_data_structure(profile: Profile | None = None) -> dict[str, Any]:
    """The VTL JSON data structure of ``DS``: string identifiers and the number ``OBS_VALUE``."""
    identifiers = [
        {"name": name, "type": "String", "role": "Identifier", "nullable": False}
        for name in vtl_identifiers(profile)
    ]
    value = {"name": "OBS_VALUE", "type": "Number", "role": "Measure", "nullable": True}
    return {"datasets": [{"name": "DS", "DataStructure": [*identifiers, value]}]}


def vtl_datapoints(dataset: Dataset, profile: Profile | None = None) -> pl.DataFrame:
    """The figures of ``dataset`` as the rows of ``DS``: a breakdown not given is ``_T``, the base
    period of a change left empty is the year before a yearly period, and a value is a number
    only when it is exact (a censored or missing value is null)."""
    catalogue = (profile or builtin_profile()).catalogue
    frame = dataset.observations
    period = pl.col("period")
    base = pl.col("base_period").fill_null("")
    change = pl.col("measure").is_in(["CHG", "PCH"])
    yearly = period.str.contains(r"^[0-9]{4}$")
    year_before = (period.cast(pl.Int64, strict=False) - 1).cast(pl.String)
    dims = [
        (pl.col(d).fill_null("_T") if d in frame.columns else pl.lit("_T")).alias(column_id(d))
        for d in catalogue.dimensions
    ]
    return frame.select(
        pl.col("indicator").alias("INDICATOR"),
        period.alias("TIME_PERIOD"),
        pl.col("reporter").alias("REPORTER"),
        *dims,
        pl.col("measure").alias("MEASURE"),
        pl.when(change & (base == "") & yearly)
        .then(year_before)
        .when(change)
        .then(base)
        .otherwise(pl.lit(""))
        .alias("BASE_PER"),
        pl.when(pl.col("low") == pl.col("high"))
        .then(pl.col("low"))
        .otherwise(None)
        .alias("OBS_VALUE"),
    )


def vtl_script(profile: Profile | None = None) -> str:
    """The profile's checks as a VTL 2.x script over the dataset ``DS``."""
    profile = profile or builtin_profile()
    lines = [*_preamble(profile), ""]
    lines += ['levels := DS[filter MEASURE = "N"];', ""]
    for rule in default_rules(profile):
        lines += [*_rule_lines(rule, profile), ""]
    for own in profile.rules:
        lines += [
            f"/* profile rule {_comment(own.name)}: {_comment(own.expression)}",
            "   written in the expression language of tip-indicators; not exported. */",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def _preamble(profile: Profile) -> list[str]:
    identifiers = ", ".join(vtl_identifiers(profile))
    return [
        f"/* Checks of the tip-indicators profile {_comment(profile.label)}, as VTL 2.1.",
        "",
        "   Input: one dataset DS with the identifiers",
        f"   {identifiers}",
        "   (strings; a breakdown not given is _T, BASE_PER is empty but for changes) and the",
        "   measure OBS_VALUE (a number). Each check writes a persistent dataset of the groups",
        "   that fail it, named after the rule.",
        "",
        "   What VTL cannot say, and how this script approximates it:",
        "   - Censored cells (<5) are intervals to tip-indicators, which fails a sum only when it",
        "     certainly fails. VTL values are points: give a censored cell no value (null) and",
        "     the script treats it as zero (partial_zero) in sums and skips it in bounds.",
        "   - Age bands nest (Y_LT15 + Y15T17 = Y_LT18) and any set of disjoint bands that",
        "     covers a band is checked. A VTL ruleset lists codes, so the script checks the",
        "     standard sets only (_T = Y_LT18 + Y_GE18 + _U; Y_LT18 = Y_LT15 + Y15T17).",
        "   - Organisations roll up to their type (NGO.AFESIP is part of NGO) and countries to",
        "     their regions; the script checks the top level only.",
        "   - A missing total with status L is a remainder to derive; the script does not derive.",
        "   - A check that cannot run (the total is not stated) is not evaluated, never a pass:",
        "     the script keeps only the groups whose total is stated and that give a part.",
        "   - Percentage changes are checked to the digits stated, shares to their rounding, and",
        "     rates bracket or add up by their denominator; the script leaves these out.",
        "*/",
    ]


def _rule_lines(rule: Rule, profile: Profile) -> list[str]:
    catalogue = profile.catalogue
    if rule.family is Family.PARTITION and rule.dimension is not None:
        return _partition(rule, catalogue.dimensions[rule.dimension], profile)
    if rule.family is Family.BOUND and rule.dimension is not None:
        return _bound(rule, rule.dimension, profile)
    if rule.family is Family.BOUND and rule.indicator and rule.other:
        return _indicator_bound(rule)
    if rule.family is Family.CHANGE:
        return _change(rule)
    return [f"/* {rule.name}: {_comment(rule.description)} Not exported (see above). */"]


def _scope(profile: Profile, dimension: str, *, partition: bool) -> list[str]:
    """The count indicators broken down by ``dimension`` as a partition (or not)."""
    return sorted(
        i.code
        for i in profile.catalogue
        if dimension in i.dimensions
        and i.dimensions[dimension] == partition
        and not is_rate_unit(i.unit)
    )


def _comment(text: str) -> str:
    """``text`` safe inside a VTL comment: it cannot close the comment early."""
    return " ".join(text.replace("*/", "* /").split())


def _set(codes: Sequence[str]) -> str:
    return "{" + ", ".join(f'"{c}"' for c in codes) + "}"


def _item(code: str) -> str:
    return "'" + code.replace("'", "") + "'"


def _name(*parts: str) -> str:
    return "_".join(_SAFE.sub("_", part).strip("_").lower() for part in parts)


def _hierarchy(dimension: Dimension) -> tuple[list[tuple[str, tuple[str, ...]]], bool]:
    """Parent and children of each relation the script checks, and whether they are exactly the
    library's (False: an approximation)."""
    if dimension.kind is DimensionKind.AGE:
        return [("_T", ("Y_LT18", "Y_GE18", "_U")), ("Y_LT18", ("Y_LT15", "Y15T17"))], False
    if dimension.kind is DimensionKind.ORGANISATION:
        types = ("FAMILY", "GOV", "NGO", "IO", "RETAINED", "OTHER", "_U")
        return [("_T", types)], False
    if dimension.kind is DimensionKind.NATIONALITY:
        return [("_T", ("NATIONAL", "FOREIGN", "_U"))], False
    if dimension.kind is DimensionKind.FLAT and dimension.codes:
        children = tuple(dict.fromkeys(c for c in (*dimension.codes, "_U") if c != "_T"))
        return [("_T", children)], True
    return [], False


def _partition(rule: Rule, dimension: Dimension, profile: Profile) -> list[str]:
    scope = _scope(profile, dimension.id, partition=True)
    relations, exact = _hierarchy(dimension)
    column = column_id(dimension.id)
    name = _name(rule.name)
    head = [
        f"/* {rule.name}: {rule.description}",
        f"   Tolerance: none. Missing data: {rule.missing}.",
    ]
    if not relations or not scope:
        return [*head, "   Its codes follow a pattern a ruleset cannot list: not exported. */"]
    if not exact:
        head.append("   Approximation: only the relations listed below (see above).")
    sense = "=" if rule.closed else ">="
    lines = [*head, "*/"]
    rules = [
        f"  {_name(dimension.id, parent)} : {_item(parent)} {sense} "
        + " + ".join(_item(c) for c in children)
        + f' errorcode "{"partition" if rule.closed else "partition-exceeds"}" errorlevel 1'
        for parent, children in relations
    ]
    lines += [
        f"define hierarchical ruleset hr_{name} (variable rule {column}) is",
        " ;\n".join(rules),
        "end hierarchical ruleset;",
    ]
    complete = sorted(dimension.complete)
    if complete and not rule.closed:
        lines += [
            "/* A breakdown that gives every category is closed by construction. */",
            f"define hierarchical ruleset hr_{name}_complete (variable rule {column}) is",
            f"  {_name(dimension.id, 'complete')} : '_T' = "
            + " + ".join(_item(c) for c in complete)
            + ' errorcode "partition-shortfall" errorlevel 1',
            "end hierarchical ruleset;",
        ]
    lines += [
        f"{name}_scope := levels[filter INDICATOR in {_set(scope)}];",
        f'{name}_totals := {name}_scope[filter {column} = "_T"][rename OBS_VALUE to STATED];',
        f'{name}_parts := count({name}_scope[filter {column} <> "_T"] group except {column});',
        f"{name}_sums := check_hierarchy({name}_scope, hr_{name} rule {column} partial_zero "
        "dataset invalid);",
        f"{name} <- inner_join({name}_sums, {name}_totals, {name}_parts[rename int_var to PARTS]"
        " drop STATED, PARTS);",
    ]
    if complete and not rule.closed:
        lines.append(
            f"{name}_complete <- check_hierarchy({name}_scope, hr_{name}_complete rule {column} "
            "non_null dataset invalid);"
        )
    return lines


def _bound(rule: Rule, dimension: str, profile: Profile) -> list[str]:
    scope = _scope(profile, dimension, partition=False)
    column = column_id(dimension)
    name = _name(rule.name)
    head = [f"/* {rule.name}: {rule.description}", f"   Missing data: {rule.missing}. */"]
    if not scope:
        return [*head[:1], "   No count indicator has this breakdown: not exported. */"]
    return [
        *head,
        f"define datapoint ruleset dp_{name} (variable PART, WHOLE) is",
        f'  {name} : PART <= WHOLE errorcode "bound-exceeded" errorlevel 1',
        "end datapoint ruleset;",
        f"{name}_scope := levels[filter INDICATOR in {_set(scope)}];",
        f'{name}_largest := max({name}_scope[filter {column} <> "_T"] group except {column});',
        f"{name}_pairs := inner_join({name}_largest[rename OBS_VALUE to PART], "
        f'{name}_scope[filter {column} = "_T"][sub {column} = "_T"][rename OBS_VALUE to WHOLE]);',
        f"{name} <- check_datapoint({name}_pairs, dp_{name} invalid);",
    ]


def _indicator_bound(rule: Rule) -> list[str]:
    part, whole = rule.indicator or "", rule.other or ""
    name = _name("bound", part)
    level = 1 if rule.severity.value == "error" else 2
    return [
        f"/* {rule.name}: {rule.description} */",
        f"define datapoint ruleset dp_{name} (variable PART, WHOLE) is",
        f'  {name} : PART <= WHOLE errorcode "bound-exceeded" errorlevel {level}',
        "end datapoint ruleset;",
        f"{name}_pairs := inner_join("
        f'levels[sub INDICATOR = "{part}"][rename OBS_VALUE to PART], '
        f'levels[sub INDICATOR = "{whole}"][rename OBS_VALUE to WHOLE]);',
        f"{name} <- check_datapoint({name}_pairs, dp_{name} invalid);",
    ]


def _change(rule: Rule) -> list[str]:
    return [
        f"/* {rule.name}: {rule.description}",
        "   The base period is stated in BASE_PER (the year before when the data left it empty).",
        "   A change whose level or base level is not stated is not evaluated. */",
        "define datapoint ruleset dp_change (variable CHANGE, LEVEL, BASE_LEVEL) is",
        '  change : CHANGE = LEVEL - BASE_LEVEL errorcode "change-mismatch" errorlevel 1',
        "end datapoint ruleset;",
        'change_stated := DS[sub MEASURE = "CHG"][rename OBS_VALUE to CHANGE];',
        'change_level := levels[sub MEASURE = "N", BASE_PER = ""][rename OBS_VALUE to LEVEL];',
        "change_base := change_level[rename TIME_PERIOD to BASE_PER, LEVEL to BASE_LEVEL];",
        "change_pairs := inner_join(change_stated, change_level, change_base);",
        "change <- check_datapoint(change_pairs, dp_change invalid);",
    ]
