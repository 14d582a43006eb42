"""Profiles: a published standard made of an indicator catalogue, codelists and rule settings.

The built-in profile is the default for every command. A coalition writes its own in YAML on top
of it: its indicators and dimensions (same tables as ``catalogue.toml``), its member
organisations, the reporters it accepts, the breakdowns it declares closed (every category is
given, so parts short of their total are an error), the breakdowns it requires, and its own rules
in a small expression language. Profiles may include other profiles. A profile is data: it is
parsed, never evaluated as code; each value is typed by the profile schema, and a malformed one
is rejected with its file, line and column. ``dump_profile`` writes a profile back to YAML.

Example::

    profile: cosecam
    version: "2.1"
    include: [base.yaml]
    organisations: {NGO.AFESIP: AFESIP Cambodia, NGO.HAGAR: Hagar}
    restrict_organisations: true
    closed: [sex]
    required: {victims_received: [sex, age]}
    ignore: [partition-incomplete]
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from tip_indicators._private.nearest import closest
from tip_indicators.codelists import is_destination_code
from tip_indicators.errors import ArgumentError, CodeError, DefinitionError, InputError
from tip_indicators.indicators import Catalogue, Indicator, builtin_catalogue, parse_catalogue

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

    from tip_indicators._private.profile_model import ProfileModel
    from tip_indicators._private.yamlnodes import Node, Scalar

    _Located = Node | Scalar

__all__ = [
    "Profile",
    "ProfileRule",
    "builtin_profile",
    "dump_profile",
    "load_profile",
    "profile_schema",
]

MAX_INCLUDE_DEPTH = 8


@attrs.frozen
class ProfileRule:
    """A rule a profile adds, written in the expression language (see ``expressions``)."""

    name: str
    expression: str
    severity: str = "error"
    absolute: float = 0.0
    relative: float = 0.0
    description: str = ""
    source: str = attrs.field(default="", eq=False)
    """The file the rule was read from: where it came from, not what it says."""
    line: int | None = attrs.field(default=None, eq=False)


@attrs.frozen(repr=False)
class Profile:
    """A named, versioned standard: catalogue, organisation registry and rule settings.

    ``closed`` lists dimensions whose breakdowns are complete in every dataset checked with this
    profile; ``organisations`` maps organisation codes (``NGO.AFESIP``) to names; ``reporters``,
    when not empty, is the list of reporters a submission may use; ``required`` maps indicators
    to the breakdowns every submission must give.
    """

    name: str
    version: str
    catalogue: Catalogue = attrs.field(eq=False)
    closed: frozenset[str] = frozenset()
    organisations: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    restrict_organisations: bool = False
    reporters: frozenset[str] = frozenset()
    required: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, hash=False)
    rules: tuple[ProfileRule, ...] = ()
    description: str = ""
    select: tuple[str, ...] = ()
    """Finding codes or rule families a check reports (all when empty), as ``--select``."""
    ignore: tuple[str, ...] = ()
    """Finding codes or rule families a check leaves out, as ``--ignore``."""

    @property
    def label(self) -> str:
        """``name@version``, as reports record it."""
        return f"{self.name}@{self.version}"

    def __repr__(self) -> str:
        closed = ", ".join(sorted(self.closed)) or "none"
        return (
            f"<Profile {self.label}: {len(self.catalogue)} indicators, closed breakdowns: "
            f"{closed}, {len(self.organisations)} organisations, {len(self.reporters)} "
            f"reporters allowed, {len(self.rules)} rules>"
        )


def profile_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a profile document, for editors that complete and
    check YAML as it is written."""
    import json

    from tip_indicators._private.profile_model import ProfileModel

    schema = ProfileModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://tip-indicators.org/schema/profile.json"
    copied: dict[str, Any] = json.loads(json.dumps(schema))
    return copied


@functools.cache
def builtin_profile() -> Profile:
    """The profile shipped with tip-indicators: the built-in catalogue, all breakdowns open."""
    return Profile(
        "builtin",
        "1",
        builtin_catalogue(),
        description="The tip-indicators catalogue and codelists; every breakdown open.",
    )


def load_profile(path: str | os.PathLike[str]) -> Profile:
    """Read a YAML profile (and the profiles it includes) on top of the built-in profile.

    Every value is checked against the profile schema with the type YAML gives it, then codes
    against the catalogue and rules by the expression parser; a problem raises
    :class:`~tip_indicators.errors.DefinitionError` naming file, line and column.
    """
    return _load(os.fspath(path), builtin_profile(), ())


def dump_profile(profile: Profile) -> str:
    """Write ``profile`` as a YAML profile document that :func:`load_profile` reads back equal.

    What the profile adds to the built-in one is written: its indicators and dimensions that the
    built-in catalogue lacks or defines otherwise, organisations, reporters, breakdowns, rules
    and choices of findings; included profiles are written out in full, not as ``include``.
    A coalition can so build its standard in code and publish it as a file.
    """
    from io import StringIO

    from pydantic import ValidationError

    from tip_indicators._private.profile_model import ProfileModel
    from tip_indicators._private.yamlnodes import dump_yaml

    base = builtin_profile()
    document: dict[str, Any] = {"profile": profile.name, "version": profile.version}
    if profile.description:
        document["description"] = profile.description
    indicators, dimensions = _catalogue_document(profile.catalogue, base.catalogue)
    settings: dict[str, Any] = {
        "indicators": indicators,
        "dimensions": dimensions,
        "organisations": {
            code: name
            for code, name in profile.organisations.items()
            if base.organisations.get(code) != name
        },
        "restrict_organisations": profile.restrict_organisations,
        "reporters": sorted(profile.reporters),
        "closed": sorted(profile.closed),
        "required": {indicator: list(dims) for indicator, dims in profile.required.items()},
        "rules": [_rule_document(rule) for rule in profile.rules],
        "select": list(profile.select),
        "ignore": list(profile.ignore),
    }
    document.update({key: value for key, value in settings.items() if value})
    try:
        ProfileModel.model_validate(document)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(step) for step in problem["loc"])
        raise ArgumentError(f"profile.{where}", problem["input"], problem["msg"]) from None
    handle = StringIO()
    dump_yaml(document, handle)
    return handle.getvalue()


def _catalogue_document(
    catalogue: Catalogue, base: Catalogue
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The indicator and dimension tables of what ``catalogue`` adds to ``base``."""
    from tip_indicators.dimensions import DimensionKind

    missing = [code for code in base.indicators if code not in catalogue.indicators]
    missing += [name for name in base.dimensions if name not in catalogue.dimensions]
    if missing:
        reason = "a profile builds on the built-in catalogue; it cannot leave out what it has"
        raise ArgumentError("profile.catalogue", missing[0], reason)
    indicators: dict[str, Any] = {}
    for code, indicator in catalogue.indicators.items():
        table = _indicator_document(indicator)
        if code not in base.indicators or _indicator_document(base.indicators[code]) != table:
            indicators[code] = table
    dimensions: dict[str, Any] = {}
    for name, dimension in catalogue.dimensions.items():
        if base.dimensions.get(name) == dimension:
            continue
        table = {"name": dimension.name, "description": dimension.description}
        if dimension.kind is DimensionKind.FLAT:
            table["codes"] = list(dimension.codes[1:-1])
            table["complete"] = sorted(dimension.complete)
        elif dimension.kind is DimensionKind.PATTERN and dimension.pattern is not None:
            table["pattern"] = dimension.pattern
        else:
            raise ArgumentError(
                f"profile.dimensions.{name}", dimension.kind.value, "only codes or a pattern"
            )
        dimensions[name] = table
    return indicators, dimensions


def _indicator_document(indicator: Indicator) -> dict[str, Any]:
    return {
        "name": indicator.name,
        "definition": indicator.definition,
        "unit": indicator.unit,
        "additive": indicator.additive,
        "dimensions": {
            name: "partition" if partitions else "breakdown"
            for name, partitions in indicator.dimensions.items()
        },
        "bounded_by": dict(indicator.bounded_by),
    }


def _rule_document(rule: ProfileRule) -> dict[str, Any]:
    table: dict[str, Any] = {
        "name": rule.name,
        "expression": rule.expression,
        "severity": rule.severity,
    }
    if rule.absolute or rule.relative:
        table["tolerance"] = {"absolute": rule.absolute, "relative": rule.relative}
    if rule.description:
        table["description"] = rule.description
    return table


def _load(path: str, base: Profile, chain: tuple[str, ...]) -> Profile:
    """Read the profile at ``path`` on top of ``base``, its includes first (``chain`` holds the
    files being read, to refuse a cycle).

    Long because each section of a profile is checked in turn at its place in the file, against
    the catalogue the earlier sections build.
    """
    from tip_indicators._private.textfile import ReadLimits, decode_text, read_input_bytes
    from tip_indicators._private.yamlnodes import Node, load_nodes

    real = os.path.realpath(path)
    data = read_input_bytes(path, ReadLimits(max_file_bytes=16 * 1024 * 1024), text=True)
    root = load_nodes(decode_text(data, path), path)
    if not isinstance(root, Node) or not isinstance(root.value, dict):
        line, column = (root.line, root.column) if root is not None else (1, 1)
        raise DefinitionError(
            path, "a profile is a mapping (profile, version, ...)", line=line, column=column
        )
    model = _validated(root, path)
    for index, include in enumerate(model.include):
        where = _node(root, ("include", index))
        target = os.path.join(os.path.dirname(path), include)
        if os.path.realpath(target) in (*chain, real):
            _refuse(path, where, f"include {include!r}: profile includes itself (include cycle)")
        if len(chain) + 1 >= MAX_INCLUDE_DEPTH:
            _refuse(path, where, f"includes nested deeper than {MAX_INCLUDE_DEPTH}")
        try:
            base = _load(target, base, (*chain, real))
        except InputError as error:
            _refuse(path, where, f"include {include!r}: {error}")
    catalogue = base.catalogue
    if model.indicators or model.dimensions:
        catalogue = _catalogue(model, root, path, base.catalogue)
    organisations = dict(base.organisations)
    for code, title in model.organisations.items():
        if not is_destination_code(code) or "." not in code:
            reason = f"organisations: {code!r} is not TYPE.ID (e.g. NGO.AFESIP)"
            _refuse(path, _key(root, ("organisations", code)), reason)
        organisations[code] = title
    for index, dimension in enumerate(model.closed):
        _known(catalogue.dimension, dimension, "closed", path, _node(root, ("closed", index)))
    required = dict(base.required)
    for indicator, dimensions in model.required.items():
        where = _key(root, ("required", indicator))
        _known(catalogue.indicator, indicator, "required", path, where)
        for index, dimension in enumerate(dimensions):
            where = _node(root, ("required", indicator, index))
            _known(catalogue.dimension, dimension, f"required.{indicator}", path, where)
        required[indicator] = tuple(dimensions)
    rules = []
    for index, rule in enumerate(model.rules):
        expression = _node(root, ("rules", index, "expression"))
        tolerance = rule.tolerance
        found = ProfileRule(
            rule.name,
            rule.expression,
            rule.severity,
            tolerance.absolute if tolerance else 0.0,
            tolerance.relative if tolerance else 0.0,
            rule.description,
            path,
            expression.line,
        )
        _check_rule(found, catalogue, f"rules[{index}].expression", expression)
        rules.append(found)
    return Profile(
        model.profile,
        model.version,
        catalogue,
        base.closed | frozenset(model.closed),
        organisations,
        model.restrict_organisations or base.restrict_organisations,
        base.reporters | frozenset(model.reporters),
        required,
        base.rules + tuple(rules),
        model.description,
        select=(*base.select, *model.select),
        ignore=(*base.ignore, *model.ignore),
    )


def _validated(root: Node, path: str) -> ProfileModel:
    """The profile document checked by the profile schema, values of their YAML types; the
    first problem in the file is raised at its line and column."""
    from pydantic import ValidationError

    from tip_indicators._private.profile_model import ProfileModel
    from tip_indicators._private.yamlnodes import typed

    try:
        return ProfileModel.model_validate(typed(root, path))
    except ValidationError as error:
        problems = [(*_located(root, found), found["type"]) for found in error.errors()]
    # Of a union's members, the one that got deepest says most: an item of the wrong type in a
    # list of codes, rather than "not a mapping" for the list. A key left out is placed at the
    # mapping that lacks it, so a misspelt key inside that mapping comes first.
    deepest = [
        (where, reason, kind)
        for where, steps, reason, kind in problems
        if not any(
            len(other) > len(steps) and other[: len(steps)] == steps for _, other, *_ in problems
        )
    ]
    where, reason, _ = min(
        deepest, key=lambda found: (found[2] == "missing", found[0].line, found[0].column)
    )
    _refuse(path, where, reason)


def _located(root: Node, problem: ErrorDetails) -> tuple[_Located, tuple[str | int, ...], str]:
    """Where a schema problem sits in the file, and what it is in words: pydantic's location
    (``rules``, 0, ``tolerance``) walked down the document's nodes. Steps that name no value
    (the member of a union tried) are passed over."""
    from tip_indicators._private.yamlnodes import Node

    node: _Located = root
    steps: list[str | int] = []
    key: Scalar | None = None
    loc = problem["loc"]
    for index, step in enumerate(loc):
        value = node.value if isinstance(node, Node) else None
        if step == "[key]" and key is not None:
            node = key
        elif isinstance(value, dict) and isinstance(step, str) and step in value:
            key, node = node.keys[step], value[step]  # type: ignore[union-attr]
            steps.append(step)
        elif isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
            node = value[step]
            steps.append(step)
        elif index == len(loc) - 1 and isinstance(step, str) and isinstance(value, dict):
            steps.append(step)  # a key that is missing: the mapping that lacks it is the place
    if problem["type"] == "extra_forbidden" and key is not None:
        node = key
    return node, tuple(steps), _explain(problem, node, tuple(steps))


def _explain(problem: ErrorDetails, node: _Located, steps: tuple[str | int, ...]) -> str:
    """A schema problem in the words of the profiles guide, quoting the value as written."""
    from tip_indicators._private.profile_model import CODE, NAME, model_at
    from tip_indicators._private.yamlnodes import Scalar

    kind = problem["type"]
    field = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps).lstrip(".")
    parent = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps[:-1]).lstrip(".")
    context = f"{parent}: " if parent else ""
    if isinstance(node, Scalar):
        written = repr(node.text)
    else:
        written = "a mapping" if isinstance(node.value, dict) else "a list"
    if kind == "missing":
        return f"{context}{steps[-1]!r} is required"
    if kind == "extra_forbidden":
        model = model_at(tuple(steps[:-1]))
        hint = closest(str(steps[-1]), list(model.model_fields)) if model else None
        also = f" (did you mean {hint!r}?)" if hint else ""
        return f"{context}unknown key {steps[-1]!r}{also}"
    if kind == "bool_type":
        return f"{field}: {written} is not true or false (write an unquoted true or false)"
    if kind in {"float_type", "finite_number"}:
        return f"{field}: {written} is not a finite number (such as 0.5)"
    if kind == "greater_than_equal":
        return f"{field}: {written} is negative"
    if kind == "string_type" and isinstance(node, Scalar):
        if node.is_null:
            return f"{field}: empty, where text belongs (write the text, or leave the key out)"
        read = {"int": "a number", "float": "a number", "bool": "a boolean"}
        as_read = read.get(node.tag.rsplit(":", 1)[-1], "a date")
        return f"{field}: {node.text} is read by YAML as {as_read}; quote it ('{node.text}')"
    if kind in {"string_type", "dict_type", "list_type"}:
        shape = {"string_type": "text", "dict_type": "a mapping", "list_type": "a list"}[kind]
        return f"{field}: expected {shape}, not {written}"
    if kind == "string_pattern_mismatch":
        pattern = problem.get("ctx", {}).get("pattern")
        rule = {
            NAME: "letters, digits, '_', '-', '.'",
            CODE: "codes are lower_snake_case",
        }.get(str(pattern), f"does not match {pattern}")
        return f"{field}: {written}: {rule}"
    if kind == "literal_error":
        return f"{field}: {written} is not {problem.get('ctx', {}).get('expected')}"
    if kind == "string_too_short":
        return f"{field}: must not be empty"
    return f"{field}: {problem['msg'].removeprefix('Value error, ')}"


def _catalogue(model: ProfileModel, root: Node, path: str, base: Catalogue) -> Catalogue:
    """The catalogue with the profile's indicators and dimensions, each reference to a dimension
    or indicator checked at the line that makes it."""
    dimensions = {*base.dimensions, *model.dimensions}
    indicators = {*base.indicators, *model.indicators}
    for code, table in model.indicators.items():
        checks: list[tuple[str, set[str], Mapping[str, str], str]] = [
            ("dimensions", dimensions, table.dimensions, "dimension"),
            ("bounded_by", indicators, table.bounded_by, "indicator"),
        ]
        for key, known, named, codelist in checks:
            for name in named:
                if name not in known:
                    error = CodeError(codelist, name, closest(name, sorted(known)))
                    at = _key(root, ("indicators", code, key, name))
                    _refuse(path, at, f"indicators.{code}.{key}: {error}")
    document = {
        key: {
            code: table.model_dump(exclude_none=True) for code, table in getattr(model, key).items()
        }
        for key in ("indicators", "dimensions")
    }
    for table in document["dimensions"].values():
        if isinstance(table.get("codes"), list):
            table["codes"] = {code: code for code in table["codes"]}
    try:
        return parse_catalogue(document, path, base)
    except DefinitionError as error:
        # What the schema cannot say (a unit the catalogue lacks, complete codes not among the
        # codes): the value quoted in the reason, within the entry it names.
        where: _Located = root
        kind, _, name = error.reason.split(":", 1)[0].partition(".")
        tables = root.value.get(kind) if isinstance(root.value, dict) else None
        entry = tables.keys.get(name.split(".")[0]) if tables is not None else None
        if tables is not None and entry is not None:
            quoted = re.search(r"'([^']*)'", error.reason.split(":", 1)[-1])
            found = _find(tables.value[entry.text], quoted[1]) if quoted else None
            where = found or entry
        _refuse(path, where, error.reason)


def _find(node: _Located, text: str) -> _Located | None:
    """The first value or key under ``node`` written as ``text``."""
    from tip_indicators._private.yamlnodes import Node

    if not isinstance(node, Node):
        return node if node.text == text else None
    if isinstance(node.value, dict):
        if text in node.keys:
            return node.keys[text]
        items = list(node.value.values())
    else:
        items = node.value
    return next((found for item in items if (found := _find(item, text)) is not None), None)


def _node(root: Node, loc: tuple[str | int, ...]) -> _Located:
    """The node at a path of keys and indexes that the schema has already found there."""
    node: Any = root
    for step in loc:
        node = node.value[step]
    located: _Located = node
    return located


def _key(root: Node, loc: tuple[str | int, ...]) -> Scalar:
    """The key, as written, of the value at ``loc``."""
    parent: Any = _node(root, loc[:-1])
    key: Scalar = parent.keys[loc[-1]]
    return key


def _refuse(path: str, where: _Located, reason: str) -> NoReturn:
    raise DefinitionError(path, reason, line=where.line, column=where.column)


def _known(
    lookup: Callable[[str], object], code: str, key: str, path: str, where: _Located
) -> None:
    """Refuse a dimension or indicator the catalogue lacks, where it is named, with a hint."""
    try:
        lookup(code)
    except CodeError as error:
        _refuse(path, where, f"{key}: {error}")


def _check_rule(rule: ProfileRule, catalogue: Catalogue, key: str, where: _Located) -> None:
    """Parse a rule's expression and check that its indicators and dimensions exist; a problem
    is placed at its column in the file when the expression is written on one line."""
    from tip_indicators._private.yamlnodes import Scalar
    from tip_indicators.expressions import Selection, Total, parse_expression

    try:
        parsed = parse_expression(rule.expression, source=rule.source, line=rule.line)
    except DefinitionError as error:
        column = where.column
        text = rule.expression
        if (
            isinstance(where, Scalar)
            and error.column is not None
            and where.end_line == where.line
            and where.style in {None, "'", '"'}
            and not any(mark in text for mark in "'\"\\")
        ):
            column += error.column - 1 + (where.style is not None)
        raise DefinitionError(
            rule.source, f"{key}: {error.reason}", line=where.line, column=column
        ) from None
    stack: list[object] = [parsed.left, parsed.right]
    while stack:
        term = stack.pop()
        if isinstance(term, Total):
            stack.extend(term.terms)
        elif isinstance(term, Selection):
            _known(catalogue.indicator, term.indicator, f"rule {rule.name!r}", rule.source, where)
            for dimension, _ in term.filters:
                _known(catalogue.dimension, dimension, f"rule {rule.name!r}", rule.source, where)
