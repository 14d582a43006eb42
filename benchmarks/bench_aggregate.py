"""Time the aggregation of synthetic case records into standard indicators.

``python benchmarks/bench_aggregate.py [--records 1000000] [--by sex,age,exploitation]
[--bands Y_LT18,Y_GE18] [--defective 0] [--repeat 3]`` builds the records column-wise (no
Python object per record; the same size always gives the same records), then times
:func:`tip_indicators.cases.aggregate`, which also runs every record check, and prints the best
of the repeats. The records mix exact ages, birth dates, CTDC-style age bands and unknown ages,
one or two forms of exploitation, and referrals, as a coalition's case system would hold them.
``--defective 30`` gives 30% of them one defect each (a repeated case identifier, an impossible
age, an unknown sex code, 'not specified' beside a form of exploitation, or a birth after the
registration), as a member's first export often has: then nearly every record check finds
something, and the cost of the findings shows.
"""

from __future__ import annotations

import argparse
import datetime
import time

import polars as pl

from tip_indicators.cases import aggregate, case_schema

REPORTERS = [f"NGO.M{index:02d}" for index in range(20)]
SEXES = ["F", "F", "F", "M", "M", "_O", "_U"]
BANDS = ["Y_LT9", "Y9T17", "Y18T20", "Y21T23", "Y24T26", "Y27T29", "Y30T38", "Y39T47", "Y_GE48"]
COUNTRIES = ["KH", "TH", "VN", "LA", "MM", "MY", "CN", "ID", "PH", "BD", "NP", "IN"]
FORMS = ["SEXUAL", "FORCED_LABOUR", "FORCED_MARRIAGE", "BEGGING", "FORCED_CRIMINALITY", "OTHER"]
DESTINATIONS = ["NGO.AFESIP", "NGO.HAGAR", "GOV.MOSVY", "FAMILY", "IO", "OTHER"]
STATUSES = ["OPEN", "MONITORING", "CLOSED", "CLOSED"]


def _pick(options: list[str], seed: int) -> pl.Expr:
    """A deterministic pseudo-random choice among ``options`` for each record."""
    index = (pl.col("n").hash(seed) % len(options)).cast(pl.Int64)
    return pl.lit(pl.Series(options)).gather(index)


def _chance(seed: int, percent: int) -> pl.Expr:
    return (pl.col("n").hash(seed) % 100) < percent


def synthetic_records(count: int, defective: int = 0) -> pl.DataFrame:
    """``count`` case records, the same for the same count; ``defective`` percent of them
    have one defect each."""
    base = pl.DataFrame({"n": pl.int_range(count, eager=True)})
    start = datetime.date(2015, 1, 1)
    registered = pl.lit(start) + pl.duration(days=(pl.col("n").hash(3) % 3650).cast(pl.Int64))
    age = (pl.col("n").hash(5) % 60).cast(pl.Int32) + 5
    kind = pl.col("n").hash(7) % 10
    form = _pick(FORMS, 11)
    second = pl.when(_chance(13, 25)).then(_pick(FORMS, 17))
    referral = pl.struct(
        _pick(DESTINATIONS, 19).alias("to"),
        (registered + pl.duration(days=30)).alias("date"),
    )
    frame = base.select(
        pl.format("C{}", pl.col("n")).alias("case_id"),
        _pick(REPORTERS, 1).alias("reporter"),
        registered.alias("registered"),
        registered.dt.year().cast(pl.Int32).alias("year"),
        _pick(SEXES, 2).alias("sex"),
        pl.when(kind < 6).then(age).alias("age"),
        pl.when(kind.is_between(6, 7)).then(_pick(BANDS, 23)).alias("age_band"),
        pl.when(kind == 8)
        .then(registered - pl.duration(days=age.cast(pl.Int64) * 365 + 40))
        .alias("birth_date"),
        _pick(COUNTRIES, 29).alias("nationality"),
        _pick(COUNTRIES, 31).alias("country"),
        pl.concat_list(form, second).list.drop_nulls().alias("exploitation"),
        pl.when(_chance(37, 50))
        .then(pl.concat_list(referral))
        .otherwise(pl.lit([], dtype=case_schema()["referrals"]))
        .alias("referrals"),
        _pick(STATUSES, 41).alias("case_status"),
        pl.lit("synthetic.csv").alias("path"),
        (pl.col("n") + 2).alias("line"),
    )
    defect = pl.when(_chance(43, defective)).then(pl.col("n").hash(47) % 5)
    defects = base.select(defect.alias("defect")).get_column("defect")
    registered = pl.col("registered")
    return frame.with_columns(defects).select(
        # a placeholder identifier, given to many records by one reporter
        _defect(0, pl.lit("C0"), "case_id"),
        _defect(0, pl.lit(REPORTERS[0]), "reporter"),
        pl.exclude("case_id", "reporter", "age", "sex", "exploitation", "birth_date", "defect"),
        _defect(1, pl.lit(200, pl.Int32), "age"),
        _defect(2, pl.lit("Female"), "sex"),
        _defect(3, pl.concat_list(pl.lit("_U"), pl.col("exploitation")), "exploitation"),
        _defect(4, registered + pl.duration(days=400), "birth_date"),
    )


def _defect(kind: int, value: pl.Expr, column: str) -> pl.Expr:
    """``column``, set to ``value`` in the records given defect ``kind``."""
    return pl.when(pl.col("defect") == kind).then(value).otherwise(pl.col(column)).alias(column)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--by", default="sex,age,exploitation")
    parser.add_argument("--bands", default="Y_LT18,Y_GE18")
    parser.add_argument("--defective", type=int, default=0, metavar="PERCENT")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    records = synthetic_records(args.records, args.defective)
    built = time.perf_counter() - started
    by = [item for item in args.by.split(",") if item]
    bands = args.bands.split(",")
    times: list[float] = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        dataset = aggregate(records, by, bands)
        times.append(time.perf_counter() - started)
    print(
        f"{records.height:,} records (built in {built:.2f} s) by {','.join(by) or 'total'}: "
        f"{len(dataset):,} aggregates, {len(dataset.problem_table):,} findings; "
        f"aggregate best of {args.repeat}: {min(times):.2f} s"
    )


if __name__ == "__main__":
    main()
