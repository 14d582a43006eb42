"""Profiles: a published standard made of an indicator catalogue, codelists and rule settings.

The built-in profile is the default for every command. A coalition writes its own in YAML on top
of it: its indicators and dimensions (same tables as ``catalogue.toml``), its member
organisations, the reporters it accepts, the breakdowns it declares closed (every category is
given, so parts short of their total are an error), the breakdowns it requires, and its own rules
in a small expression language. Profiles may include other profiles. A profile is data: it is
parsed, never evaluated as code; a malformed one is rejected with its line and column.

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
import math
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from tip_indicators.codelists import is_destination_code
from tip_indicators.errors import CodeError, DefinitionError
from tip_indicators.indicators import Catalogue, builtin_catalogue, parse_catalogue

if TYPE_CHECKING:
    from tip_indicators._private.yamlnodes import Scalar

__all__ = ["Profile", "ProfileRule", "builtin_profile", "load_profile", "profile_schema"]

_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]{1,3})?$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_KEYS = frozenset(
    {
        "profile",
        "version",
        "description",
        "include",
        "indicators",
        "dimensions",
        "organisations",
        "restrict_organisations",
        "reporters",
        "closed",
        "required",
        "rules",
        "select",
        "ignore",
    }
)
_RULE_KEYS = frozenset({"name", "expression", "severity", "tolerance", "description"})
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
    source: str = ""
    line: int | None = None


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
    organisations: Mapping[str, str] = attrs.field(factory=dict, eq=False)
    restrict_organisations: bool = False
    reporters: frozenset[str] = frozenset()
    required: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, eq=False)
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
    """Read a YAML profile (and the profiles it includes) on top of the built-in profile."""
    return _load(os.fspath(path), builtin_profile(), ())


def _load(path: str, base: Profile, chain: tuple[str, ...]) -> Profile:
    from tip_indicators._private.textfile import ReadLimits, decode_text, read_input_bytes
    from tip_indicators._private.yamlnodes import Node, Scalar, load_nodes, plain

    real = os.path.realpath(path)
    if real in chain:
        raise DefinitionError(path, "profile includes itself (include cycle)")
    if len(chain) >= MAX_INCLUDE_DEPTH:
        raise DefinitionError(path, f"includes nested deeper than {MAX_INCLUDE_DEPTH}")
    data = read_input_bytes(path, ReadLimits(max_file_bytes=16 * 1024 * 1024), text=True)
    root = load_nodes(decode_text(data, path), path)
    if not isinstance(root, Node) or not isinstance(root.value, dict):
        raise DefinitionError(path, "a profile is a mapping (profile, version, ...)", line=1)
    fields = root.value
    for key, node in fields.items():
        if key not in _KEYS:
            line = node.line if isinstance(node, (Node, Scalar)) else None
            raise DefinitionError(path, f"unknown key {key!r}", line=line)

    def text(key: str, default: str | None = None) -> str:
        node = fields.get(key)
        if node is None:
            if default is None:
                raise DefinitionError(path, f"{key!r} is required", line=root.line)
            return default
        if not isinstance(node, Scalar):
            raise DefinitionError(path, f"{key!r} must be text", line=node.line, column=node.column)
        return node.text

    for include in _list_of_text(fields.get("include"), "include", path):
        base = _load(os.path.join(os.path.dirname(path), include), base, (*chain, real))
    name, version = text("profile"), text("version")
    if not _NAME.match(name):
        raise DefinitionError(path, f"profile name {name!r}: letters, digits, '_', '-', '.'")
    document: dict[str, Any] = {
        key: plain(fields[key]) for key in ("indicators", "dimensions") if key in fields
    }
    catalogue = parse_catalogue(document, path, base.catalogue) if document else base.catalogue
    organisations = dict(base.organisations)
    node = fields.get("organisations")
    if node is not None:
        if not isinstance(node, Node) or not isinstance(node.value, dict):
            raise DefinitionError(path, "organisations: a mapping of code to name", line=node.line)
        for code, title in node.value.items():
            if not is_destination_code(code) or "." not in code:
                raise DefinitionError(
                    path,
                    f"organisations: {code!r} is not TYPE.ID (e.g. NGO.AFESIP)",
                    line=title.line,
                )
            organisations[code] = str(plain(title))
    closed_nodes = _scalars(fields.get("closed"), "closed", path)
    for item in closed_nodes:
        _known_dimension(catalogue, item, "closed", path)
    closed = base.closed | frozenset(item.text for item in closed_nodes)
    reporters = base.reporters | frozenset(
        _list_of_text(fields.get("reporters"), "reporters", path)
    )
    required = dict(base.required)
    node = fields.get("required")
    if node is not None:
        for indicator, dims in _mapping(node, "required", path).items():
            try:
                catalogue.indicator(indicator)
            except CodeError as error:
                raise DefinitionError(
                    path, f"required: {error}", line=getattr(dims, "line", None)
                ) from None
            items = _scalars(dims, f"required.{indicator}", path)
            for item in items:
                _known_dimension(catalogue, item, f"required.{indicator}", path)
            required[indicator] = tuple(item.text for item in items)
    rules = base.rules + tuple(_rules(fields.get("rules"), path))
    for rule in rules:
        _check_rule(rule, catalogue)
    restrict = _flag(fields.get("restrict_organisations"), "restrict_organisations", path)
    chosen = {
        key: (*getattr(base, key), *_list_of_text(fields.get(key), key, path))
        for key in ("select", "ignore")
    }
    return Profile(
        name,
        version,
        catalogue,
        closed,
        organisations,
        restrict or base.restrict_organisations,
        reporters,
        required,
        rules,
        text("description", ""),
        select=chosen["select"],
        ignore=chosen["ignore"],
    )


def _check_rule(rule: ProfileRule, catalogue: Catalogue) -> None:
    """Parse a rule's expression and check that its indicators and dimensions exist."""
    from tip_indicators.errors import CodeError
    from tip_indicators.expressions import Selection, Total, parse_expression

    parsed = parse_expression(rule.expression, source=rule.source, line=rule.line)
    stack: list[object] = [parsed.left, parsed.right]
    while stack:
        term = stack.pop()
        if isinstance(term, Total):
            stack.extend(term.terms)
        elif isinstance(term, Selection):
            try:
                catalogue.indicator(term.indicator)
                for dimension, _ in term.filters:
                    catalogue.dimension(dimension)
            except CodeError as error:
                raise DefinitionError(
                    rule.source, f"rule {rule.name!r}: {error}", line=rule.line
                ) from None


def _mapping(node: Any, key: str, path: str) -> dict[str, Any]:
    from tip_indicators._private.yamlnodes import Node

    if not isinstance(node, Node) or not isinstance(node.value, dict):
        raise DefinitionError(path, f"{key}: expected a mapping", line=getattr(node, "line", None))
    return node.value


def _list_of_text(node: Any, key: str, path: str) -> list[str]:
    return [item.text for item in _scalars(node, key, path)]


def _scalars(node: Any, key: str, path: str) -> list[Scalar]:
    """The items of a list of text, each keeping its line for the errors about it."""
    from tip_indicators._private.yamlnodes import Node, Scalar

    if node is None:
        return []
    if not isinstance(node, Node) or not isinstance(node.value, list):
        raise DefinitionError(path, f"{key}: expected a list", line=getattr(node, "line", None))
    values = []
    for item in node.value:
        if not isinstance(item, Scalar):
            raise DefinitionError(
                path, f"{key}: items are text", line=item.line, column=item.column
            )
        values.append(item)
    return values


def _known_dimension(catalogue: Catalogue, item: Scalar, key: str, path: str) -> None:
    """Refuse a dimension the catalogue lacks, at the line that names it, with a hint."""
    try:
        catalogue.dimension(item.text)
    except CodeError as error:
        raise DefinitionError(path, f"{key}: {error}", line=item.line, column=item.column) from None


def _flag(node: Any, key: str, path: str) -> bool:
    """A yes-or-no setting: a YAML boolean (``true``/``false``; YAML 1.1 also reads ``yes``,
    ``no``, ``on`` and ``off`` unquoted as booleans). Anything else, quoted text such as
    ``"true"`` or a slip such as ``ture``, is refused rather than read as false."""
    from tip_indicators._private.yamlnodes import Scalar

    if node is None:
        return False
    if isinstance(node, Scalar) and node.tag.endswith(":bool"):
        return node.text.lower() in {"true", "yes", "on", "y"}
    shown = node.text if isinstance(node, Scalar) else "a list or mapping"
    raise DefinitionError(
        path,
        f"{key}: {shown!r} is not true or false (write an unquoted true or false)",
        line=node.line,
        column=node.column,
    )


def _tolerance(node: Any, key: str, path: str, line: int) -> float:
    """A tolerance: a finite number, not negative. ``nan`` would make every comparison with it
    false, so a rule with it could never fail; ``inf`` would let everything pass."""
    from tip_indicators._private.yamlnodes import Scalar

    where = getattr(node, "line", line)
    text = node.text if isinstance(node, Scalar) else "a list or mapping"
    try:
        bound = float(text)
    except ValueError:
        bound = math.nan
    if not math.isfinite(bound) or not _NUMBER.match(text.strip()):
        raise DefinitionError(
            path, f"tolerance.{key}: {text!r} is not a finite number (such as 0.5)", line=where
        )
    if bound < 0:
        raise DefinitionError(path, f"tolerance.{key}: {text!r} is negative", line=where)
    return bound


def _rules(node: Any, path: str) -> list[ProfileRule]:
    from tip_indicators._private.yamlnodes import Node, Scalar

    if node is None:
        return []
    if not isinstance(node, Node) or not isinstance(node.value, list):
        raise DefinitionError(path, "rules: expected a list", line=getattr(node, "line", None))
    found = []
    for item in node.value:
        fields = _mapping(item, "rules[]", path)
        unknown = set(fields) - _RULE_KEYS
        if unknown:
            raise DefinitionError(
                path, f"rules: unknown key {sorted(unknown)[0]!r}", line=item.line
            )
        values = {k: v for k, v in fields.items() if isinstance(v, Scalar)}
        if "name" not in values or "expression" not in values:
            raise DefinitionError(
                path, "rules: each rule needs a name and an expression", line=item.line
            )
        severity = values["severity"].text if "severity" in values else "error"
        if severity not in {"error", "warning", "info"}:
            raise DefinitionError(
                path, f"rules: severity {severity!r}", line=values["severity"].line
            )
        tolerance = (
            _mapping(fields["tolerance"], "tolerance", path) if "tolerance" in fields else {}
        )
        bounds = {}
        for key in ("absolute", "relative"):
            if key in tolerance:
                bounds[key] = _tolerance(tolerance[key], key, path, item.line)
        expression = values["expression"]
        found.append(
            ProfileRule(
                values["name"].text,
                expression.text,
                severity,
                bounds.get("absolute", 0.0),
                bounds.get("relative", 0.0),
                values["description"].text if "description" in values else "",
                path,
                expression.line,
            )
        )
    return found
