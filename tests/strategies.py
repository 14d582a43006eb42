"""Hypothesis strategies for the consistency checks: consistent datasets, one family at a time.

Each strategy draws a :class:`Case`: long-CSV rows whose figures agree with every rule of their
family (partitions by sex, age band, referral destination and nationality, alone or crossed;
changes and percentage changes; indicator bounds; mirror figures between organisations), the
linear relations among the rows, and the figures the checks must derive. :func:`defects` changes
one exact figure of a consistent case, and :func:`single_fixes` is an oracle, built from the
relations the generator knows rather than from the engine, saying which single figures could be
changed to make every relation hold again and to what value.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import attrs
from hypothesis import strategies as st

from tip_indicators import Report, check, parse_long_csv
from tip_indicators._engine.localise import MAX_SUGGESTIONS
from tip_indicators.ages import age_band
from tip_indicators.findings import Finding, Severity
from tip_indicators.indicators import builtin_catalogue
from tip_indicators.profiles import Profile

__all__ = [
    "COLUMNS",
    "LINEAR_CODES",
    "SUGGESTION_LIMIT",
    "Case",
    "Defect",
    "Node",
    "Relation",
    "age_trees",
    "blame_problems",
    "bound_cases",
    "change_cases",
    "check_text",
    "combine",
    "consistency_problems",
    "consistent_cases",
    "defects",
    "destination_trees",
    "exact_cases",
    "involves",
    "mirror_cases",
    "nationality_trees",
    "partition_cases",
    "percent_text",
    "sex_trees",
    "single_fixes",
]

Row = dict[str, str]
"""A long-CSV row: column name to cell text; absent columns are empty cells."""

CATALOGUE = builtin_catalogue()
COLUMNS = (
    "indicator",
    "period",
    "reporter",
    "sex",
    "age",
    "destination",
    "referrer",
    "nationality",
    "country",
    "measure",
    "base_period",
    "value",
    "status",
)
"""The columns every generated file has, in this order (the header is line 1)."""

LINEAR_CODES = frozenset(
    {
        "partition-exceeds",
        "partition-shortfall",
        "derived-negative",
        "bound-exceeded",
        "change-mismatch",
        "mirror-mismatch",
    }
)
"""Finding codes of linear rules: the ones the error localiser attaches suggestions to."""

counts = st.integers(0, 9) | st.integers(10, 999) | st.integers(1_000, 99_999)
"""Head counts of every size: one digit, a few, many."""

small_counts = st.integers(0, 6) | counts
"""Head counts that are often small enough to be censored."""

SUGGESTION_LIMIT = MAX_SUGGESTIONS
"""How many suggestions a finding lists at most."""


@attrs.frozen
class Relation:
    """``sum(coef x figure) = 0`` (``equality``) or ``>= 0`` among the rows of a case."""

    terms: tuple[tuple[int, int], ...]
    equality: bool

    def slack(self, values: Sequence[Fraction]) -> Fraction:
        """The left-hand side for the given figure values."""
        return sum((coef * values[index] for index, coef in self.terms), Fraction(0))

    def holds(self, values: Sequence[Fraction]) -> bool:
        """Whether the relation holds for the given figure values."""
        slack = self.slack(values)
        return slack == 0 if self.equality else slack >= 0

    def coefficient(self, index: int) -> int:
        """The coefficient of row ``index`` (0 when the row is not in the relation)."""
        return sum(coef for i, coef in self.terms if i == index)


@attrs.frozen
class Case:
    """Generated long-CSV rows with their true values, relations and expected derivations.

    ``truth`` holds each row's true value (a percentage change exactly, before its rounding);
    ``derived`` maps rows written with status L to the interval the checks must derive.
    """

    rows: tuple[Row, ...]
    truth: tuple[Fraction, ...]
    relations: tuple[Relation, ...] = ()
    derived: Mapping[int, tuple[Fraction, Fraction]] = attrs.field(factory=dict)

    @staticmethod
    def line(index: int) -> int:
        """The physical CSV line of row ``index`` (the header is line 1)."""
        return index + 2

    def text(self, values: Mapping[int, str] | None = None) -> str:
        """The case as long-CSV text, with the value cells of ``values`` replaced."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for index, row in enumerate(self.rows):
            cells = dict(row)
            if values and index in values:
                cells["value"] = values[index]
            writer.writerow([cells.get(column, "") for column in COLUMNS])
        return out.getvalue()

    def exact(self, index: int) -> bool:
        """Whether row ``index`` states an exact figure (not censored, not missing)."""
        text = self.rows[index]["value"]
        return bool(text) and not text.startswith("<")

    def targets(self, *, equality_only: bool) -> list[tuple[int, int]]:
        """(row, direction) pairs whose change by any amount breaks a relation of exact figures.

        A row qualifies in a direction when a relation holding it is an equality, or an
        inequality that holds exactly and that a move in that direction violates. Counts never
        go below zero. With ``equality_only`` only equalities count.
        """
        found: list[tuple[int, int]] = []
        for index in range(len(self.rows)):
            if not self.exact(index) or self.rows[index].get("measure") == "PCH":
                continue
            directions: set[int] = set()
            for relation in self.relations:
                coef = relation.coefficient(index)
                if coef == 0:
                    continue
                if relation.equality:
                    directions |= {1, -1}
                elif not equality_only and relation.slack(self.truth) == 0:
                    directions.add(-1 if coef > 0 else 1)
            if self.rows[index].get("measure") != "CHG" and self.truth[index] == 0:
                directions.discard(-1)
            found += [(index, direction) for direction in sorted(directions)]
        return found


@attrs.frozen
class Defect:
    """A consistent case with the figure of row ``index`` changed from its true value."""

    case: Case
    index: int
    value: int

    @property
    def original(self) -> int:
        """The true value of the changed figure."""
        return int(self.case.truth[self.index])

    @property
    def line(self) -> int:
        """The CSV line of the changed figure."""
        return Case.line(self.index)

    def text(self) -> str:
        """The case as long-CSV text with the defect in place."""
        return self.case.text({self.index: str(self.value)})

    def values(self) -> list[Fraction]:
        """Every figure's value as stated in the defective file."""
        values = list(self.case.truth)
        values[self.index] = Fraction(self.value)
        return values


@attrs.frozen
class Node:
    """A code of a breakdown tree: the sum of its children (exactly so when ``closed``)."""

    code: str
    children: tuple[Node, ...] = ()
    closed: bool = False

    def nodes(self) -> Iterator[Node]:
        """This node and every node below it, parents first."""
        yield self
        for child in self.children:
            yield from child.nodes()

    def leaves(self) -> tuple[Node, ...]:
        """The nodes without children at or below this one."""
        if not self.children:
            return (self,)
        return tuple(leaf for child in self.children for leaf in child.leaves())


class _Builder:
    """Collects rows, true values, relations and derivations into a :class:`Case`."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.truth: list[Fraction] = []
        self.relations: list[Relation] = []
        self.derived: dict[int, tuple[Fraction, Fraction]] = {}

    def add(self, row: Row, truth: Fraction | int) -> int:
        self.rows.append(row)
        self.truth.append(Fraction(truth))
        return len(self.rows) - 1

    def relate(self, terms: Sequence[tuple[int, int]], equality: bool) -> None:
        self.relations.append(Relation(tuple(terms), equality))

    def case(self) -> Case:
        return Case(tuple(self.rows), tuple(self.truth), tuple(self.relations), dict(self.derived))


def combine(cases: Sequence[Case]) -> Case:
    """Put cases one after the other in one file."""
    builder = _Builder()
    for case in cases:
        offset = len(builder.rows)
        builder.rows += [dict(row) for row in case.rows]
        builder.truth += case.truth
        builder.relations += [
            Relation(tuple((i + offset, c) for i, c in r.terms), r.equality) for r in case.relations
        ]
        builder.derived.update({i + offset: v for i, v in case.derived.items()})
    return builder.case()


def check_text(text: str, *, path: str = "case.csv", profile: Profile | None = None) -> Report:
    """Read long-CSV text and check it with the built-in (or given) profile."""
    return check(parse_long_csv(text, path=path), profile)


def involves(finding: Finding, line: int) -> bool:
    """Whether ``finding`` cites the figure on ``line``."""
    return any(ref.location.line == line for ref in finding.observations)


def percent_text(change: int, base: int, decimals: int, *, truncate: bool) -> str:
    """``100 x change / base`` rounded half up, or truncated toward zero, to ``decimals``."""
    exact = Decimal(100 * change) / Decimal(base)
    quantum = Decimal(1).scaleb(-decimals)
    return str(exact.quantize(quantum, rounding=ROUND_DOWN if truncate else ROUND_HALF_UP))


def _indicators(*dimensions: str) -> list[str]:
    return sorted(
        indicator.code
        for indicator in CATALOGUE
        if all(indicator.partitions(dimension) for dimension in dimensions)
    )


# ---------------------------------------------------------------- breakdown trees


@st.composite
def sex_trees(draw: st.DrawFn, *, lone: bool = False) -> Node:
    """F and M with sometimes _O and _U (closed when all four); with ``lone``, maybe one part."""
    if lone and draw(st.integers(0, 3)) == 0:
        return Node("_T", (Node(draw(st.sampled_from(["F", "M", "_U"]))),))
    codes = ["F", "M"] + [code for code in ("_O", "_U") if draw(st.booleans())]
    return Node("_T", tuple(Node(code) for code in codes), closed=len(codes) == 4)


@st.composite
def age_trees(draw: st.DrawFn) -> Node:
    """Random cuts of 0..inf into bands, some runs joined under a coarse band, maybe ``_U``.

    The bands cover every age, so the breakdown is closed exactly when ``_U`` is given; a coarse
    band is closed by construction (its bands cover it).
    """
    cuts = sorted(draw(st.lists(st.integers(1, 90), min_size=1, max_size=4, unique=True)))
    starts = [0, *cuts]
    fine = [
        age_band(low, starts[k + 1] - 1 if k + 1 < len(starts) else None)
        for k, low in enumerate(starts)
    ]
    joins = [draw(st.booleans()) if len(fine) > 2 else False for _ in fine[1:]]
    if all(joins):
        joins[draw(st.integers(0, len(joins) - 1))] = False
    groups: list[list[int]] = [[0]]
    for k, joined in enumerate(joins, start=1):
        if joined:
            groups[-1].append(k)
        else:
            groups.append([k])
    children: list[Node] = []
    for group in groups:
        if len(group) == 1:
            children.append(Node(fine[group[0]].code))
            continue
        first, last = fine[group[0]], fine[group[-1]]
        assert first.low is not None
        coarse = age_band(first.low, last.high)
        children.append(Node(coarse.code, tuple(Node(fine[k].code) for k in group), closed=True))
    unknown = draw(st.booleans())
    if unknown:
        children.append(Node("_U"))
    return Node("_T", tuple(children), closed=unknown)


@st.composite
def destination_trees(draw: st.DrawFn) -> Node:
    """Destination types, some with named organisations (under their type row or not), and
    maybe a RETAINED remainder and an unknown destination; every level is open."""
    types = draw(
        st.lists(st.sampled_from(["FAMILY", "GOV", "NGO", "IO", "OTHER"]), min_size=1, unique=True)
    )
    children: list[Node] = []
    for kind in sorted(types):
        organisations = tuple(
            Node(f"{kind}.D{number}") for number in range(1, draw(st.integers(0, 2)) + 1)
        )
        if not organisations:
            children.append(Node(kind))
        elif draw(st.booleans()):
            children.append(Node(kind, organisations))
        else:
            children.extend(organisations)
    if draw(st.booleans()) or len(children) < 2:
        children.append(Node("RETAINED"))
    if draw(st.integers(0, 4)) == 0:
        children.append(Node("_U"))
    return Node("_T", tuple(children))


@st.composite
def nationality_trees(draw: st.DrawFn) -> Node:
    """NATIONAL, FOREIGN over countries and the M49 region Africa (``002``, as in "1 African",
    maybe over African countries), and maybe ``_U``; every level is open."""
    countries = [
        Node(code)
        for code in draw(st.lists(st.sampled_from(["TH", "VN", "MY", "IN", "CN"]), unique=True))
    ]
    africa = draw(st.integers(0, 2))
    if africa == 1:
        countries.append(Node("002"))
    elif africa == 2:
        members = draw(st.lists(st.sampled_from(["NG", "ZA", "KE"]), min_size=1, unique=True))
        countries.append(Node("002", tuple(Node(code) for code in sorted(members))))
    children: list[Node] = []
    if draw(st.booleans()):
        children.append(Node("NATIONAL"))
    if not countries or draw(st.booleans()):
        children.append(Node("FOREIGN", tuple(countries)))
    else:
        children.extend(countries)
    if draw(st.booleans()) or len(children) < 2:
        children.append(Node("_U"))
    if len(children) < 2:
        children.insert(0, Node("NATIONAL"))
    return Node("_T", tuple(children))


def _tree(dimension: str, *, lone: bool) -> st.SearchStrategy[Node]:
    if dimension == "sex":
        return sex_trees(lone=lone)
    if dimension == "age":
        return age_trees()
    if dimension in {"destination", "referrer"}:
        return destination_trees()
    return nationality_trees()


_BREAKDOWN_DIMENSIONS = ("sex", "age", "destination", "referrer", "nationality", "country")


# ---------------------------------------------------------------- partitions


def _split(draw: st.DrawFn, total: int, parts: int) -> list[int]:
    """``parts`` non-negative whole numbers adding up to ``total``."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    edges = [0, *cuts, total]
    return [edges[k + 1] - edges[k] for k in range(parts)]


def _written(draw: st.DrawFn, truth: int, censored: bool) -> str:
    """How a true count is written: exactly, or censored below 5 or 10 when it is small."""
    bounds = [bound for bound in (5, 10) if truth < bound]
    if censored and bounds and draw(st.integers(0, 2)) == 0:
        return f"<{draw(st.sampled_from(bounds))}"
    return str(truth)


def _interval(text: str) -> tuple[Fraction, Fraction]:
    if text.startswith("<"):
        return Fraction(0), Fraction(int(text[1:]) - 1)
    return Fraction(text), Fraction(text)


def _breakdown(
    draw: st.DrawFn,
    builder: _Builder,
    key: Row,
    trees: Sequence[tuple[str, Node]],
    *,
    root: tuple[int, int] | None = None,
    censored: bool = False,
    remainder: bool = False,
    crossed_remainder: bool = False,
) -> None:
    """Add every row of a (crossed) breakdown of ``key`` and its relations to ``builder``.

    ``root`` is (row, value) of an existing total the breakdown must add up to; ``remainder``
    blanks one part (status L) of a one-dimensional breakdown, and of a crossed table of exact
    figures too when ``crossed_remainder`` is set.
    """
    leaves = list(itertools.product(*(tree.leaves() for _, tree in trees)))
    single = len(trees) == 1
    lone = single and len(trees[0][1].children) == 1
    if root is None:
        cells = [draw(small_counts if censored else counts) for _ in leaves]
        slack = draw(counts) if lone else 0
    else:
        parts = _split(draw, root[1], len(leaves) + (1 if lone else 0))
        cells, slack = parts[: len(leaves)], (parts[-1] if lone else 0)
    value_of = dict(zip(leaves, cells, strict=True))
    explicit_total = draw(st.booleans())
    combos = list(itertools.product(*(list(tree.nodes()) for _, tree in trees)))
    index: dict[tuple[Node, ...], int] = {}
    for combo in combos:
        covered = itertools.product(*(node.leaves() for node in combo))
        truth = sum(value_of[leaf] for leaf in covered)
        is_root = all(node.code == "_T" for node in combo)
        if is_root:
            truth += slack
        if is_root and root is not None:
            index[combo] = root[0]
            continue
        row = dict(key)
        for (dimension, _), node in zip(trees, combo, strict=True):
            if node.code != "_T" or explicit_total:
                row[dimension] = node.code
        row["value"] = _written(draw, truth, censored)
        index[combo] = builder.add(row, truth)
    for position, (_, tree) in enumerate(trees):
        for parent in tree.nodes():
            if not parent.children:
                continue
            for combo in combos:
                if combo[position] is not tree:
                    continue
                at = [*combo]
                whole = index[(*at[:position], parent, *at[position + 1 :])]
                terms = [(whole, 1)] + [
                    (index[(*at[:position], child, *at[position + 1 :])], -1)
                    for child in parent.children
                ]
                builder.relate(terms, parent.closed)
    if remainder and single:
        _remainder(draw, builder, trees[0][1], index)
    elif remainder and not censored and crossed_remainder:
        inner = [combo for combo in combos if not all(node.code == "_T" for node in combo)]
        target = index[draw(st.sampled_from(inner))]
        builder.rows[target]["value"] = ""
        builder.rows[target]["status"] = "L"
        builder.derived[target] = (builder.truth[target], builder.truth[target])


def _remainder(
    draw: st.DrawFn, builder: _Builder, tree: Node, index: Mapping[tuple[Node, ...], int]
) -> None:
    """Blank one part of a relation with two or more parts (status L) and expect its value."""
    parents = [node for node in tree.nodes() if len(node.children) > 1]
    if not parents:
        return
    parent = draw(st.sampled_from(parents))
    child = draw(st.sampled_from(parent.children))
    target = index[(child,)]
    total_low, total_high = _interval(builder.rows[index[(parent,)]]["value"])
    siblings = [_interval(builder.rows[index[(c,)]]["value"]) for c in parent.children]
    siblings.pop(parent.children.index(child))
    low = max(Fraction(0), total_low - sum((high for _, high in siblings), Fraction(0)))
    high = total_high - sum((low for low, _ in siblings), Fraction(0))
    builder.rows[target]["value"] = ""
    builder.rows[target]["status"] = "L"
    builder.derived[target] = (low, high)


@st.composite
def partition_cases(
    draw: st.DrawFn,
    *,
    reporter: str = "GOV.UNIT",
    dimensions: Sequence[str] | None = None,
    censored: bool = True,
    remainder: bool = True,
    lone: bool = True,
    crossed: bool = True,
    crossed_remainder: bool = False,
) -> Case:
    """A consistent breakdown of one total along one dimension, or a table along two.

    Parts add up to their totals exactly; with ``lone`` a single part may sit below its total;
    with ``censored`` small figures may be written ``<5``; with ``remainder`` one part of a
    one-dimensional breakdown may be left blank with status L, to be derived (with
    ``crossed_remainder``, one figure of a crossed table of exact figures too).
    """
    if dimensions is None:
        size = 2 if crossed and draw(st.integers(0, 3)) == 0 else 1
        chosen = draw(
            st.lists(st.sampled_from(_BREAKDOWN_DIMENSIONS), min_size=size, max_size=size)
            .map(sorted)
            .filter(lambda d: len(set(d)) == len(d) and bool(_indicators(*d)))
        )
        dimensions = tuple(chosen)
    indicator = draw(st.sampled_from(_indicators(*dimensions)))
    key: Row = {
        "indicator": indicator,
        "period": str(draw(st.integers(2000, 2030))),
        "reporter": reporter,
    }
    if draw(st.booleans()):
        key["measure"] = "N"
    trees = [(d, draw(_tree(d, lone=lone and len(dimensions) == 1))) for d in dimensions]
    builder = _Builder()
    _breakdown(
        draw,
        builder,
        key,
        trees,
        censored=censored,
        remainder=remainder,
        crossed_remainder=crossed_remainder,
    )
    return builder.case()


# ---------------------------------------------------------------- changes


def _periods(draw: st.DrawFn) -> tuple[list[str], list[tuple[int, int]], bool]:
    """Periods in order, the (period, base) position pairs compared, and whether the base
    period must be written (quarters and gaps) or may be left to its default."""
    shape = draw(st.sampled_from(["years", "quarters", "gap"]))
    year = draw(st.integers(2001, 2030))
    if shape == "gap":
        gap = draw(st.integers(2, 5))
        return [str(year - gap), str(year)], [(1, 0)], True
    length = draw(st.integers(2, 4))
    if shape == "years":
        periods = [str(year + k) for k in range(length)]
    else:
        start = draw(st.integers(0, 3))
        periods = [f"{year + (start + k) // 4}-Q{(start + k) % 4 + 1}" for k in range(length)]
    return periods, [(k + 1, k) for k in range(length - 1)], shape != "years"


@st.composite
def change_cases(
    draw: st.DrawFn,
    *,
    reporter: str = "GOV.UNIT",
    censored: bool = False,
    breakdown: bool = True,
    drop_levels: bool = True,
    zero_truncation: bool = False,
) -> Case:
    """Levels over consecutive periods (or two periods years apart) with the changes (``CHG``)
    and percentage changes (``PCH``, rounded or truncated to 0-2 decimals) between them.

    With ``drop_levels`` a single comparison may lack one level (the change and the other level
    give the percentage); with ``breakdown`` one level may also be the total of a breakdown.
    A truncated decrease that reads as zero (``-0.0``) is drawn only with ``zero_truncation``.
    """
    indicator = draw(st.sampled_from(sorted(CATALOGUE.indicators)))
    periods, pairs, explicit = _periods(draw)
    levels = [draw(small_counts if censored else counts) for _ in periods]
    dropped: int | None = None
    if drop_levels and len(pairs) == 1 and draw(st.integers(0, 2)) == 0:
        dropped = draw(st.sampled_from([0, 1]))
    builder = _Builder()
    key: Row = {"indicator": indicator, "reporter": reporter}
    level_rows: dict[int, int] = {}
    for k, (period, level) in enumerate(zip(periods, levels, strict=True)):
        if k != dropped:
            row = {**key, "period": period, "value": _written(draw, level, censored)}
            level_rows[k] = builder.add(row, level)
    for now, base in pairs:
        change = levels[now] - levels[base]
        stated = {**key, "period": periods[now]}
        if explicit or draw(st.booleans()):
            stated["base_period"] = periods[base]
        with_change = dropped is not None or draw(st.booleans())
        with_percent = levels[base] > 0 and (dropped is not None or draw(st.booleans()))
        if not (with_change or with_percent):
            with_change = True
        if with_change:
            at = builder.add({**stated, "measure": "CHG", "value": str(change)}, change)
            if now in level_rows and base in level_rows:
                builder.relate([(at, 1), (level_rows[now], -1), (level_rows[base], 1)], True)
        if with_percent:
            decimals = draw(st.integers(0, 2))
            truncate = draw(st.booleans())
            text = percent_text(change, levels[base], decimals, truncate=truncate)
            if Decimal(text) == 0 and change < 0 and not zero_truncation:
                text = percent_text(change, levels[base], decimals, truncate=False)
            exact = Fraction(100 * change, levels[base])
            builder.add({**stated, "measure": "PCH", "value": text}, exact)
    dimensions = [d for d in _BREAKDOWN_DIMENSIONS if d in _partitioned_by(indicator)]
    if breakdown and level_rows and dimensions and draw(st.booleans()):
        position = draw(st.sampled_from(sorted(level_rows)))
        dimension = draw(st.sampled_from(dimensions))
        tree = draw(_tree(dimension, lone=False))
        key_at = {**key, "period": periods[position]}
        _breakdown(
            draw,
            builder,
            key_at,
            [(dimension, tree)],
            root=(level_rows[position], levels[position]),
            censored=censored,
        )
    return builder.case()


def _partitioned_by(indicator: str) -> frozenset[str]:
    found = CATALOGUE.indicator(indicator)
    return frozenset(d for d in found.dimensions if found.partitions(d))


# ---------------------------------------------------------------- pairs


_BOUNDS = sorted(
    (indicator.code, limit, severity)
    for indicator in CATALOGUE
    for limit, severity in indicator.bounded_by.items()
)


@st.composite
def bound_cases(draw: st.DrawFn, *, reporter: str = "GOV.UNIT") -> Case:
    """An indicator and the one it cannot exceed (persons convicted <= persons prosecuted)."""
    part_code, whole_code, _ = draw(st.sampled_from(_BOUNDS))
    whole = draw(counts)
    part = draw(st.integers(0, whole))
    period = str(draw(st.integers(2000, 2030)))
    builder = _Builder()
    rows = [
        (
            {"indicator": whole_code, "period": period, "reporter": reporter, "value": str(whole)},
            whole,
        ),
        (
            {"indicator": part_code, "period": period, "reporter": reporter, "value": str(part)},
            part,
        ),
    ]
    if draw(st.booleans()):
        rows.reverse()
    at = {row["indicator"]: builder.add(row, truth) for row, truth in rows}
    builder.relate([(at[whole_code], 1), (at[part_code], -1)], False)
    return builder.case()


@st.composite
def mirror_cases(draw: st.DrawFn, *, number: int = 1) -> Case:
    """A sends v persons to B (A's row with destination B) and B receives v from A (B's row with
    referrer A), each maybe within its own breakdown adding up to its total."""
    indicator = draw(st.sampled_from(_indicators("destination", "referrer")))
    sender, receiver = f"GOV.SENDER{number}", f"NGO.RECEIVER{number}"
    period = str(draw(st.integers(2000, 2030)))
    flow = draw(counts)
    builder = _Builder()
    key: Row = {"indicator": indicator, "period": period}
    sent = builder.add(
        {**key, "reporter": sender, "destination": receiver, "value": str(flow)}, flow
    )
    received = builder.add(
        {**key, "reporter": receiver, "referrer": sender, "value": str(flow)}, flow
    )
    builder.relate([(sent, 1), (received, -1)], True)
    for reporter, dimension, own, others in (
        (sender, "destination", sent, ["FAMILY", "OTHER"]),
        (receiver, "referrer", received, ["FAMILY", "GOV.POLICE"]),
    ):
        if not draw(st.booleans()):
            continue
        chosen = draw(st.lists(st.sampled_from(others), unique=True))
        values = [draw(counts) for _ in chosen]
        parts = [own] + [
            builder.add({**key, "reporter": reporter, dimension: code, "value": str(value)}, value)
            for code, value in zip(chosen, values, strict=True)
        ]
        total = flow + sum(values)
        whole = builder.add({**key, "reporter": reporter, "value": str(total)}, total)
        builder.relate([(whole, 1)] + [(part, -1) for part in parts], False)
    return builder.case()


# ---------------------------------------------------------------- datasets


@st.composite
def consistent_cases(draw: st.DrawFn, *, censored: bool = True, remainder: bool = True) -> Case:
    """One to three consistent cases of any family, each with its own reporter."""
    families = draw(
        st.lists(
            st.sampled_from(["partition", "change", "bound", "mirror"]), min_size=1, max_size=3
        )
    )
    cases: list[Case] = []
    for number, family in enumerate(families, start=1):
        reporter = f"GOV.UNIT{number}"
        if family == "partition":
            cases.append(
                draw(partition_cases(reporter=reporter, censored=censored, remainder=remainder))
            )
        elif family == "change":
            cases.append(draw(change_cases(reporter=reporter, censored=censored)))
        elif family == "bound":
            cases.append(draw(bound_cases(reporter=reporter)))
        else:
            cases.append(draw(mirror_cases(number=number)))
    return combine(cases)


@st.composite
def exact_cases(draw: st.DrawFn) -> Case:
    """Consistent cases whose figures are all exact and whose relations all hold tightly:
    partitions without lone parts, changes, and mirror figures."""
    families = draw(
        st.lists(st.sampled_from(["partition", "change", "mirror"]), min_size=1, max_size=2)
    )
    cases: list[Case] = []
    for number, family in enumerate(families, start=1):
        reporter = f"GOV.UNIT{number}"
        if family == "partition":
            cases.append(
                draw(
                    partition_cases(reporter=reporter, censored=False, remainder=False, lone=False)
                )
            )
        elif family == "change":
            cases.append(draw(change_cases(reporter=reporter, drop_levels=False)))
        else:
            cases.append(draw(mirror_cases(number=number)))
    return combine(cases)


def _transposed(value: int) -> list[int]:
    """The numbers made by swapping two adjacent different digits of ``value``."""
    digits = str(abs(value))
    sign = -1 if value < 0 else 1
    found = []
    for k in range(len(digits) - 1):
        if digits[k] == digits[k + 1] or (k == 0 and digits[k + 1] == "0"):
            continue
        swapped = digits[:k] + digits[k + 1] + digits[k] + digits[k + 2 :]
        found.append(sign * int(swapped))
    return found


@st.composite
def defects(
    draw: st.DrawFn, cases: st.SearchStrategy[Case] | None = None, *, equality_only: bool = True
) -> Defect:
    """One exact figure of a consistent case changed so that a relation certainly breaks:
    by a digit transposition when one goes the right way, else by a random amount.

    With ``equality_only`` the figure is one that an equality (a closed breakdown, a change, a
    mirror) holds; else it may be held only by an open breakdown.
    """
    source = cases if cases is not None else exact_cases()
    case = draw(source.filter(lambda c: bool(c.targets(equality_only=equality_only))))
    targets = case.targets(equality_only=equality_only)
    index, direction = draw(st.sampled_from(targets))
    original = int(case.truth[index])
    swaps = [v for v in _transposed(original) if (v - original) * direction > 0]
    transpose: bool = draw(st.booleans())
    if swaps and transpose:
        return Defect(case, index, draw(st.sampled_from(swaps)))
    is_change = case.rows[index].get("measure") == "CHG"
    largest = 1_000 if direction > 0 or is_change else original
    return Defect(case, index, original + direction * draw(st.integers(1, max(1, largest))))


def consistency_problems(case: Case, report: Report) -> list[str]:
    """What is wrong with ``report`` on the consistent ``case`` (empty when nothing is).

    No error or warning may be found; every info is a derived value with the value ``case``
    expects, and ``report.derived`` holds each expected figure once, marked derived.
    """
    problems = [
        f"{f.severity.value} {f.code}: {f.message}"
        for f in report.findings
        if f.severity is not Severity.INFO
    ]
    expected = {Case.line(index): bounds for index, bounds in case.derived.items()}
    seen: dict[int, int] = {}
    for finding in report.findings:
        if finding.severity is not Severity.INFO:
            continue
        line = finding.location.line if finding.location else None
        if finding.code != "derived-value" or line not in expected:
            problems.append(f"unexpected info {finding.code} at line {line}: {finding.message}")
            continue
        seen[line] = seen.get(line, 0) + 1
        low, high = expected[line]
        want: float | str = float(low) if low == high else f"{low}..{high}"
        if finding.expected != want and not _same_interval(finding.expected, low, high):
            problems.append(f"line {line} derived as {finding.expected}, expected {want}")
    problems += [f"line {line} derived {n} times" for line, n in seen.items() if n != 1]
    problems += [f"line {line} not derived" for line in expected if line not in seen]
    frame = report.derived
    rows = [] if frame is None else list(frame.select("line", "low", "high", "derived").iter_rows())
    lines = [row[0] for row in rows]
    if sorted(lines) != sorted(expected):
        problems.append(f"Report.derived holds lines {sorted(lines)}, expected {sorted(expected)}")
    for line, low, high, derived in rows:
        if line in expected and (Fraction(low), Fraction(high)) != expected[line]:
            problems.append(f"Report.derived line {line} is {low}..{high}, not {expected[line]}")
        if derived is not True:
            problems.append(f"Report.derived line {line} is not marked derived")
    return problems


def _same_interval(text: object, low: Fraction, high: Fraction) -> bool:
    if not isinstance(text, str) or ".." not in text:
        return False
    first, _, last = text.partition("..")
    try:
        return (Fraction(first.replace(",", "")), Fraction(last.replace(",", ""))) == (low, high)
    except ValueError:
        return False


def blame_problems(defect: Defect, report: Report) -> list[str]:
    """What is wrong with how ``report`` blames the single ``defect`` (empty when nothing is).

    Every error and warning cites the changed figure; each suggestion of a linear rule is a
    single-figure fix that :func:`single_fixes` confirms, with its value; the changed figure is
    suggested with its true value unless more single fixes exist than a finding may list; and
    when it is the only single fix it is the first suggestion of every linear error.
    """
    line, original = defect.line, str(defect.original)
    raised = [f for f in report.findings if f.severity is not Severity.INFO]
    problems = [
        f"{f.code} at {f.location} does not cite line {line}"
        for f in raised
        if not involves(f, line)
    ]
    if not raised:
        return [f"no error or warning for line {line} changed to {defect.value}"]
    linear = [f for f in raised if f.code in LINEAR_CODES and f.severity is Severity.ERROR]
    if not linear:
        return [*problems, f"no linear error for line {line}: {[f.code for f in raised]}"]
    fixes = single_fixes(defect.case, defect.values())
    for finding in linear:
        suggested = [(s.location.line, s.value) for s in finding.suggestions]
        problems += [
            f"{finding.code} suggests line {at} = {value}, which is no single fix {fixes}"
            for at, value in suggested
            if not fixes_alone(defect.case, defect.values(), at, value)
        ]
        if len(fixes) <= SUGGESTION_LIMIT and (line, original) not in suggested:
            problems.append(f"{finding.code} does not suggest line {line} = {original}")
        if set(fixes) == {defect.index} and suggested[:1] != [(line, original)]:
            problems.append(
                f"{finding.code}: first suggestion {suggested[:1]}, the only fix is "
                f"line {line} = {original}"
            )
    return problems


def fixes_alone(case: Case, values: Sequence[Fraction], line: int | None, value: str) -> bool:
    """Whether the figure on ``line`` set to ``value`` alone makes every relation hold (counts
    whole, levels non-negative)."""
    index = (line or 0) - Case.line(0)
    if not 0 <= index < len(values):
        return False
    changed = list(values)
    changed[index] = Fraction(value)
    if changed[index] == values[index]:
        return False
    if case.rows[index].get("measure") != "CHG" and changed[index] < 0:
        return False
    return all(relation.holds(changed) for relation in case.relations)


def single_fixes(case: Case, values: Sequence[Fraction]) -> dict[int, Fraction]:
    """Rows whose change alone makes every relation hold, with the nearest such value.

    Counts stay whole and levels stay non-negative; every figure is taken as exact.
    """
    found: dict[int, Fraction] = {}
    members = sorted({index for relation in case.relations for index, _ in relation.terms})
    for index in members:
        holding = [r for r in case.relations if r.coefficient(index) != 0]
        if not all(r.holds(values) for r in case.relations if r.coefficient(index) == 0):
            continue
        lows: list[Fraction] = [] if case.rows[index].get("measure") == "CHG" else [Fraction(0)]
        highs: list[Fraction] = []
        for relation in holding:
            coef = relation.coefficient(index)
            bound = -(relation.slack(values) - coef * values[index]) / coef
            if relation.equality or coef > 0:
                lows.append(bound)
            if relation.equality or coef < 0:
                highs.append(bound)
        low = math.ceil(max(lows)) if lows else None
        high = math.floor(min(highs)) if highs else None
        if low is not None and high is not None and low > high:
            continue
        nearest = values[index]
        if low is not None and nearest < low:
            nearest = Fraction(low)
        if high is not None and nearest > high:
            nearest = Fraction(high)
        if nearest != values[index]:
            found[index] = nearest
    return found
