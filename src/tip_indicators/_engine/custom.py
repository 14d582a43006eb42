"""Profile rules written in the expression language, evaluated column-wise per group.

The group is every key column except the indicator and the dimensions the rule filters on. Each
selection is summed per group; a group is evaluated only when every selection has figures there
and none is missing. The rule is linear, so it also feeds error localisation.
"""

from __future__ import annotations

import polars as pl

from tip_indicators._engine.base import ID, Run, interval_texts
from tip_indicators.expressions import Comparison, Number, Selection, Total, parse_expression
from tip_indicators.findings import Severity, messages
from tip_indicators.profiles import ProfileRule


def _selections(total: Total) -> list[tuple[Selection, int]]:
    found: list[tuple[Selection, int]] = []
    for term, sign in zip(total.terms, total.signs, strict=True):
        if isinstance(term, Selection):
            found.append((term, sign))
        elif isinstance(term, Total):
            found += [(selection, sign * inner) for selection, inner in _selections(term)]
    return found


def _constant(total: Total) -> float:
    value = 0.0
    for term, sign in zip(total.terms, total.signs, strict=True):
        if isinstance(term, Number):
            value += sign * term.value
        elif isinstance(term, Total):
            value += sign * _constant(term)
    return value


def _match(selection: Selection, filtered: set[str]) -> pl.Expr:
    condition = pl.col("indicator") == selection.indicator
    given = dict(selection.filters)
    for dimension in filtered:
        code = given.get(dimension, "_T")
        column = pl.col(dimension)
        if code == "*":
            condition &= column != "_T"
        elif code.endswith(".*"):
            condition &= column.str.starts_with(code[:-1])
        else:
            condition &= column == code
    return condition


def evaluate_profile_rule(run: Run, rule: ProfileRule) -> None:
    """Evaluate one profile rule over every group of the data.

    Long because a profile rule is compiled, grouped, judged and worded over one frame; split, each
    step would pass that frame on."""
    parsed: Comparison = parse_expression(rule.expression, source=rule.source, line=rule.line)
    terms = [(s, sign) for s, sign in _selections(parsed.left)] + [
        (s, -sign) for s, sign in _selections(parsed.right)
    ]
    if not terms:
        return
    filtered = {d for s, _ in terms for d, _ in s.filters if d in run.dimensions}
    group = [k for k in run.keys if k != "indicator" and k not in filtered]
    levels = run.levels()
    joined: pl.DataFrame | None = None
    for index, (selection, _) in enumerate(terms):
        part = (
            levels.filter(_match(selection, filtered))
            .group_by(group, maintain_order=True)
            .agg(
                pl.col("low").sum().alias(f"l{index}"),
                pl.col("high").sum().alias(f"h{index}"),
                pl.col("low").is_null().sum().alias(f"m{index}"),
                pl.col(ID).alias(f"i{index}"),
            )
        )
        joined = (
            part
            if joined is None
            else joined.join(
                part,
                on=group,
                how="full",
                coalesce=True,
                nulls_equal=True,
                maintain_order="left_right",
            )
        )
    assert joined is not None
    constant = _constant(parsed.left) - _constant(parsed.right)
    low = pl.lit(constant)
    high = pl.lit(constant)
    for index, (_, sign) in enumerate(terms):
        if sign > 0:
            low, high = low + pl.col(f"l{index}"), high + pl.col(f"h{index}")
        else:
            low, high = low - pl.col(f"h{index}"), high - pl.col(f"l{index}")
    missing = pl.any_horizontal(
        [pl.col(f"i{k}").is_null() | (pl.col(f"m{k}") > 0) for k in range(len(terms))]
    )
    right_size = pl.sum_horizontal(
        [pl.lit(0.0)]
        + [pl.col(f"h{k}").fill_null(0).abs() for k, (_, s) in enumerate(terms) if s < 0]
    )
    tol = pl.lit(rule.absolute) + pl.lit(rule.relative) * right_size
    comparator = parsed.comparator
    fails = {
        "==": (pl.col("d_low") > pl.col("tol")) | (pl.col("d_high") < -pl.col("tol")),
        "<=": pl.col("d_low") > pl.col("tol"),
        "<": pl.col("d_low") >= pl.col("tol"),
        ">=": pl.col("d_high") < -pl.col("tol"),
        ">": pl.col("d_high") <= -pl.col("tol"),
    }[comparator]
    judged = (
        joined.with_columns(
            low.alias("d_low"), high.alias("d_high"), tol.alias("tol"), missing.alias("missing")
        )
        .with_columns(
            pl.when(pl.col("missing"))
            .then(pl.lit("not_evaluated"))
            .when(fails)
            .then(pl.lit("fail"))
            .otherwise(pl.lit("pass"))
            .alias("outcome"),
            pl.when(pl.col("missing"))
            .then(pl.lit("a figure the rule names is not stated"))
            .otherwise(pl.lit(None))
            .alias("reason"),
            pl.format("{} {}: {}", "period", "reporter", pl.lit(rule.name)).alias("group"),
            pl.concat_list([pl.col(f"i{k}").fill_null([]) for k in range(len(terms))]).alias("ids"),
            pl.concat_list(
                [
                    pl.col(f"i{k}").fill_null([]).list.eval(pl.lit(float(sign)))
                    for k, (_, sign) in enumerate(terms)
                ]
            ).alias("coefs"),
        )
        .with_row_index("_row")
        .with_columns(pl.col("ids").list.first().alias("anchor"))
    )
    run.add_evaluations(f"profile.{rule.name}", judged, "anchor")
    severity = Severity(rule.severity)
    failures = judged.filter(pl.col("outcome") == "fail")
    numbers = run.record(
        failures.with_columns(_figures_named(run, failures).alias("_figures")),
        code="profile-rule",
        severity=severity.value,
        message=messages.profile_rule(
            rule=pl.lit(rule.name),
            expression=pl.lit(rule.expression),
            period=pl.col("period"),
            reporter=pl.col("reporter"),
            difference=pl.lit(_intervals(failures)),
            figures=pl.col("_figures"),
            description=pl.lit(rule.description or None, pl.String),
        ),
        rule=f"profile.{rule.name}",
        located_at="anchor",
        cited=pl.col("ids"),
        expected=pl.lit(0.0),
        actual=pl.when(pl.col("d_low") == pl.col("d_high")).then(pl.col("d_low")),
        actual_text=pl.when(pl.col("d_low") != pl.col("d_high")).then(pl.lit(_intervals(failures))),
        imbalance=pl.col("d_low"),
        tolerance=pl.col("tol"),
    )
    finding_rows = failures.select("_row").with_columns(numbers)
    sense = "eq" if comparator == "==" else "ge"
    flip = -1.0 if comparator in {"<=", "<"} else 1.0
    run.add_constraints(
        judged.filter(~pl.col("missing"))
        .join(finding_rows, on="_row", how="left", maintain_order="left")
        .select(
            pl.col("ids"),
            (pl.col("coefs").list.eval(pl.element() * flip)).alias("coefs"),
            pl.lit(constant * flip).alias("constant"),
            pl.lit(sense).alias("sense"),
            pl.col("tol"),
            ((pl.col("outcome") == "fail") & pl.lit(severity is Severity.ERROR)).alias("failed"),
            (pl.col("outcome") != "fail").alias("holds"),
            pl.col("finding"),
        )
    )


def _intervals(failures: pl.DataFrame) -> pl.Series:
    return interval_texts(failures.get_column("d_low"), failures.get_column("d_high"))


def _figures_named(run: Run, failures: pl.DataFrame) -> pl.Series:
    """``label = value, ...`` of the figures each failure cites, in order."""
    cited = failures.select(pl.int_range(pl.len()).alias("_failure"), "ids").explode("ids")
    cited = run.with_texts(cited.filter(pl.col("ids").is_not_null()), figure="ids")
    named = cited.group_by("_failure", maintain_order=True).agg(
        pl.format("{} = {}", "figure_label", "figure_value").str.join(", ").alias("text")
    )
    return (
        pl.DataFrame({"_failure": pl.int_range(failures.height, eager=True)})
        .join(named, on="_failure", how="left", maintain_order="left")
        .get_column("text")
        .fill_null("")
    )
