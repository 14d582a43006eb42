"""Reading YAML and JSON as plain data without ever constructing objects from tags.

Documents are composed into nodes with PyYAML's safe composer, then walked here: only mappings,
sequences and scalars are accepted; anchors, aliases and non-standard tags (``!!python/...``) are
rejected, so no document can run code or expand into a billion laughs. Scalars keep the text as
written (``45.10`` keeps its two decimals), and every value remembers its line.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

import attrs
import yaml

from tip_indicators.errors import DefinitionError

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)
MAX_NODES = 500_000
MAX_DEPTH = 64
# A lone surrogate (a JSON or YAML escape such as \ud800) is not a character: no file can hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Loader(yaml.SafeLoader):
    """The safe loader, reading ``1e-3`` as a number as YAML 1.2 and JSON do (YAML 1.1 wants a
    dot in the mantissa, and would keep it as text)."""


_EXPONENT = re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT, list("-+0123456789"))


@attrs.frozen
class Scalar:
    """A scalar as written, with its resolved YAML tag and 1-based line and column.

    ``style`` is how it was written (None plain, ``'`` or ``"`` quoted, ``|`` or ``>`` a block)
    and ``end_line`` the line it ends on, so that a column inside the text can be placed in the
    file when the scalar sits on one line.
    """

    text: str
    tag: str
    line: int
    column: int
    style: str | None = None
    end_line: int | None = None

    @property
    def is_null(self) -> bool:
        """Whether the scalar is YAML null (``~``, ``null`` or empty)."""
        return self.tag.endswith(":null")


def _check_shape(text: str, source: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH and more than MAX_NODES values from the parser's
    event stream, before the tree is composed: composing costs some 50 microseconds and 700
    bytes a value, so a 6 MB document of 3 million values took minutes and gigabytes to refuse,
    and composing recurses, so deep nesting could exhaust the stack. The events come from
    libyaml where PyYAML has it (a few times faster); when libyaml refuses the text, the pure
    Python parser counts instead, so that what one parser refuses the other still bounds."""
    loaders: list[type[yaml.SafeLoader] | type[yaml.CSafeLoader]] = [yaml.SafeLoader]
    if getattr(yaml, "__with_libyaml__", False):
        loaders.insert(0, yaml.CSafeLoader)
    for loader in loaders:
        depth = nodes = 0
        try:
            for event in yaml.parse(text, Loader=loader):
                if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _refusal(source, f"nested deeper than {MAX_DEPTH} levels", event)
                elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    depth -= 1
                    continue
                elif not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                    continue
                nodes += 1
                if nodes > MAX_NODES:
                    raise _refusal(source, f"more than {MAX_NODES:,} values", event)
        except DefinitionError:
            raise
        except (yaml.YAMLError, ValueError):
            continue  # the other parser counts; composing reports the error with its position
        return


def _refusal(source: str, reason: str, event: yaml.Event) -> DefinitionError:
    mark = event.start_mark
    return DefinitionError(
        source,
        reason,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
    )


@attrs.frozen
class Node:
    """A mapping or sequence with its position; ``value`` holds Scalars and Nodes."""

    value: dict[str, Any] | list[Any]
    line: int
    column: int
    keys: dict[str, Scalar] = attrs.field(factory=dict, eq=False)
    """A mapping's keys as written, with their positions, by their text."""


def load_nodes(text: str, source: str) -> Node | Scalar | None:
    """Parse YAML (or JSON) text into Nodes and Scalars, rejecting anything unsafe."""
    _check_shape(text, source)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise DefinitionError(
            source, f"not valid YAML/JSON: {error.problem}", line=line, column=column
        ) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        reason = f"character U+{error.character:04X} is not allowed (write it as an escape)"
        raise DefinitionError(source, f"not valid YAML/JSON: {reason}", line=line) from None
    except (yaml.YAMLError, RecursionError) as error:
        raise DefinitionError(source, f"not valid YAML/JSON: {type(error).__name__}") from None
    if root is None:
        return None
    budget = [MAX_NODES]
    anchors: set[int] = set()
    return _walk(root, source, 0, budget, anchors)


def _walk(
    node: yaml.Node, source: str, depth: int, budget: list[int], seen: set[int]
) -> Node | Scalar:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if id(node) in seen:
        raise DefinitionError(
            source, "anchors and aliases are not allowed", line=line, column=column
        )
    seen.add(id(node))
    budget[0] -= 1
    if budget[0] < 0:
        raise DefinitionError(source, f"more than {MAX_NODES:,} values", line=line)
    if depth > MAX_DEPTH:
        raise DefinitionError(
            source, f"nested deeper than {MAX_DEPTH} levels", line=line, column=column
        )
    if node.tag not in _STANDARD_TAGS:
        raise DefinitionError(source, f"tag {node.tag!r} is not allowed", line=line, column=column)
    if isinstance(node, yaml.ScalarNode):
        text = str(node.value)
        surrogate = _SURROGATE.search(text)
        if surrogate is not None:
            reason = (
                f"the escape \\u{ord(surrogate[0]):04x} is half of a surrogate pair, not a "
                "character (write the character itself)"
            )
            raise DefinitionError(source, reason, line=line, column=column)
        return Scalar(text, node.tag, line, column, node.style, node.end_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        return Node(
            [_walk(item, source, depth + 1, budget, seen) for item in node.value], line, column
        )
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        keys: dict[str, Scalar] = {}
        for key_node, value_node in node.value:
            key = _walk(key_node, source, depth + 1, budget, seen)
            if not isinstance(key, Scalar):
                raise DefinitionError(source, "mapping keys must be plain text", line=key.line)
            if key.text in mapping:
                raise DefinitionError(
                    source, f"key {key.text!r} appears twice", line=key.line, column=key.column
                )
            mapping[key.text] = _walk(value_node, source, depth + 1, budget, seen)
            keys[key.text] = key
        return Node(mapping, line, column, keys)
    raise DefinitionError(source, "unsupported YAML node", line=line)  # pragma: no cover


def plain(value: Node | Scalar | None) -> Any:
    """Convert nodes to plain Python: mappings, lists and scalar text (null as None)."""
    if value is None:
        return None
    if isinstance(value, Scalar):
        return None if value.is_null else value.text
    if isinstance(value.value, dict):
        return {key: plain(item) for key, item in value.value.items()}
    return [plain(item) for item in value.value]


def typed(value: Node | Scalar | None, source: str) -> Any:
    """Convert nodes to Python values of their YAML types: text, booleans, numbers, null, dates.

    What a schema then checks is what YAML read: ``true`` is a boolean, ``"true"`` text, ``2.1``
    a number. A scalar that cannot be the value its tag says (``!!int abc``, a date with month
    13, ``!!map`` on a scalar) is refused at its place.
    """
    if value is None:
        return None
    if isinstance(value, Scalar):
        return _built(value, source)
    if isinstance(value.value, dict):
        return {key: typed(item, source) for key, item in value.value.items()}
    return [typed(item, source) for item in value.value]


def _built(scalar: Scalar, source: str) -> Any:
    kind = scalar.tag.rsplit(":", 1)[-1]
    if kind == "str":
        return scalar.text
    build = yaml.constructor.SafeConstructor.yaml_constructors.get(scalar.tag)
    if kind in {"map", "seq"} or build is None:
        raise _not_valid(scalar, kind, source)
    try:
        return build(_CONSTRUCTOR, yaml.ScalarNode(scalar.tag, scalar.text))
    except Exception:  # any failure of PyYAML's constructors is this refusal
        raise _not_valid(scalar, kind, source) from None


def _not_valid(scalar: Scalar, kind: str, source: str) -> DefinitionError:
    """The refusal of a scalar that cannot be the value its tag says, at its place."""
    reason = f"{scalar.text!r} is not a valid {kind} (quote it to keep it as text)"
    return DefinitionError(source, reason, line=scalar.line, column=scalar.column)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _Dumper(yaml.SafeDumper):
    """A safe dumper that double-quotes text holding NEL, LS or PS, so they stay escaped.

    Written raw, a reader takes those characters for line breaks and folds them to spaces.
    """


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(char in text for char in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)
# Text the loader would read as a number (``1e-3``) is written quoted.
_Dumper.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT, list("-+0123456789"))


def dump_yaml(document: Any, handle: TextIO) -> None:
    """Write plain data as YAML in document order, line breaks of every kind kept escaped."""
    yaml.dump(document, handle, _Dumper, sort_keys=False, allow_unicode=True)
