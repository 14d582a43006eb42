"""Tests of YAML profiles: loading, includes, rejection of malformed profiles, conformance."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tip_indicators as ti
from tip_indicators._private.yamlnodes import dump_yaml
from tip_indicators.dimensions import Dimension, DimensionKind
from tip_indicators.errors import DefinitionError, InputError
from tip_indicators.indicators import Catalogue, Indicator, builtin_catalogue
from tip_indicators.profiles import Profile, ProfileRule, dump_profile, load_profile

ROOT = Path(__file__).resolve().parent.parent
COALITION = ROOT / "examples" / "coalition"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _dataset(folder: Path, text: str) -> ti.Dataset:
    return ti.read_long_csv(_write(folder, "data.csv", text))


def test_loads_the_coalition_profile() -> None:
    """The example profile names its organisations, reporters, requirements and one rule."""
    profile = load_profile(COALITION / "profile.yaml")
    assert profile.label == "mekong-shelters@2024.1"
    assert profile.organisations["NGO.AFESIP"] == "AFESIP Cambodia"
    assert "KH" in profile.reporters
    assert profile.required == {"victims_received": ("sex",)}
    assert [rule.name for rule in profile.rules] == ["every-intake-referred-or-retained"]
    assert "victims_received" in profile.catalogue


def test_includes_and_extends_the_catalogue(tmp_path: Path) -> None:
    """An included profile's settings carry over and new indicators join the catalogue."""
    _write(tmp_path, "base.yaml", 'profile: base\nversion: "1"\nclosed: [sex]\n')
    path = _write(
        tmp_path,
        "child.yaml",
        'profile: child\nversion: "2"\ninclude: [base.yaml]\n'
        "indicators:\n  shelter_nights:\n    name: Shelter nights\n"
        "    definition: Nights spent in a shelter.\n    unit: event\n"
        "    dimensions: {sex: partition}\n",
    )
    profile = load_profile(path)
    assert profile.closed == frozenset({"sex"})
    assert profile.catalogue.indicator("shelter_nights").unit == "event"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('profile: x\nversion: "1"\ncolour: blue\n', "unknown key 'colour'", 3),
        ('profile: x\nversion: "1"\nrules:\n  - name: r\n    expression: a ==\n', "expected", 5),
        (
            'profile: x\nversion: "1"\nrules:\n  - name: r\n    expression: nope == 1\n',
            "unknown code 'nope'",
            5,
        ),
        ("profile: x\nversion: !!python/object:os.system 1\n", "tag", 2),
        ('profile: x\nversion: "1"\norganisations: {AFESIP: A}\n', "TYPE.ID", 3),
        ('profile: x\nversion: "1"\nclosed: [colour]\n', "colour", 3),
        ('profile: x\nversion: "1"\nclosed: [sexx]\n', "did you mean 'sex'?", 3),
        ('profile: x\nversion: "1"\nrequired:\n  victims_received: [sexx]\n', "sexx", 4),
        ("profile: x\n", "'version' is required", 1),
    ],
)
def test_rejects_malformed_profiles_with_their_line(
    tmp_path: Path, text: str, message: str, line: int | None
) -> None:
    """A malformed profile raises DefinitionError (or CodeError) naming the line."""
    path = _write(tmp_path, "bad.yaml", text)
    with pytest.raises((DefinitionError, ti.CodeError)) as caught:
        load_profile(path)
    assert message in str(caught.value)
    if line is not None:
        assert isinstance(caught.value, DefinitionError)
        assert caught.value.line == line


_RULE = 'profile: x\nversion: "1"\nrules:\n  - name: r\n    expression: victims_identified >= 0\n'


@pytest.mark.parametrize("bound", ["nan", ".nan", "inf", ".inf", "-1", "-0.5", "lots", "[1]"])
@pytest.mark.parametrize("kind", ["absolute", "relative"])
def test_tolerance_must_be_a_finite_number_not_negative(
    tmp_path: Path, bound: str, kind: str
) -> None:
    """A tolerance of nan (no rule could fail), inf or below zero is refused at its line."""
    path = _write(tmp_path, "p.yaml", _RULE + f"    tolerance:\n      {kind}: {bound}\n")
    with pytest.raises(DefinitionError) as caught:
        load_profile(path)
    assert caught.value.line in {6, 7}
    assert f"tolerance.{kind}" in caught.value.reason


@pytest.mark.parametrize("bound", ["0", "0.5", "2", "1e-3", "0.0"])
def test_finite_tolerances_are_read(tmp_path: Path, bound: str) -> None:
    """A finite tolerance, not negative, is read as the number written."""
    path = _write(tmp_path, "p.yaml", _RULE + f"    tolerance: {{absolute: {bound}}}\n")
    assert load_profile(path).rules[-1].absolute == float(bound)


@pytest.mark.parametrize(
    ("written", "meaning"),
    [("true", True), ("false", False), ("True", True), ("yes", True), ("on", True), ("off", False)],
)
def test_restrict_organisations_reads_yaml_booleans(
    tmp_path: Path, written: str, meaning: bool
) -> None:
    """An unquoted YAML boolean sets restrict_organisations to what YAML reads it as."""
    path = _write(
        tmp_path, "p.yaml", f'profile: x\nversion: "1"\nrestrict_organisations: {written}\n'
    )
    assert load_profile(path).restrict_organisations is meaning


@pytest.mark.parametrize("written", ["ture", '"true"', "'yes'", "1", "0", "[true]", "maybe"])
def test_restrict_organisations_refuses_anything_else(tmp_path: Path, written: str) -> None:
    """A slip (ture), quoted text or a number is refused at its line, never read as false."""
    path = _write(
        tmp_path, "p.yaml", f'profile: x\nversion: "1"\nrestrict_organisations: {written}\n'
    )
    with pytest.raises(DefinitionError) as caught:
        load_profile(path)
    assert caught.value.line == 3
    assert "restrict_organisations" in caught.value.reason


def test_rejects_yaml_bombs(tmp_path: Path) -> None:
    """Anchors and aliases (the billion laughs) are refused before anything expands."""
    bomb = 'profile: x\nversion: "1"\na: &a ["lol","lol"]\nb: &b [*a,*a]\nc: [*b,*b]\n'
    with pytest.raises(DefinitionError, match="anchors and aliases"):
        load_profile(_write(tmp_path, "bomb.yaml", bomb))


def test_rejects_include_cycles(tmp_path: Path) -> None:
    """A profile that includes itself is refused."""
    path = _write(tmp_path, "loop.yaml", 'profile: x\nversion: "1"\ninclude: [loop.yaml]\n')
    with pytest.raises(DefinitionError, match="cycle"):
        load_profile(path)


def test_missing_profile_is_an_input_error(tmp_path: Path) -> None:
    """A profile path that does not exist raises InputError."""
    with pytest.raises(InputError):
        load_profile(tmp_path / "absent.yaml")


def test_conformance_findings(tmp_path: Path) -> None:
    """Unlisted reporters, unregistered organisations and missing breakdowns are errors."""
    profile_path = _write(
        tmp_path,
        "p.yaml",
        'profile: p\nversion: "1"\nreporters: [NGO.A]\norganisations: {NGO.A: A}\n'
        "restrict_organisations: true\nrequired: {victims_received: [sex]}\n",
    )
    dataset = _dataset(
        tmp_path,
        "indicator,period,reporter,destination,value\n"
        "victims_received,2024,NGO.A,,10\n"
        "victims_received,2024,NGO.A,NGO.B,4\n"
        "victims_received,2024,NGO.C,,3\n",
    )
    report = ti.check(dataset, load_profile(profile_path))
    codes = sorted((f.code, f.location.line if f.location else None) for f in report.findings)
    assert ("breakdown-missing", 2) in codes
    assert ("breakdown-missing", 4) in codes
    assert ("unknown-organisation", 3) in codes
    assert ("reporter-not-allowed", 4) in codes
    assert ("unknown-organisation", 4) in codes


def test_profile_rule_fails_with_a_located_suggestion(tmp_path: Path) -> None:
    """A profile rule that does not hold is a finding whose fix restores it."""
    profile_path = _write(
        tmp_path,
        "p.yaml",
        'profile: p\nversion: "1"\nrules:\n  - name: conv\n'
        "    expression: persons_convicted <= persons_prosecuted - 5\n",
    )
    dataset = _dataset(
        tmp_path,
        "indicator,period,reporter,value\n"
        "persons_prosecuted,2024,KH,40\n"
        "persons_convicted,2024,KH,38\n",
    )
    report = ti.check(dataset, load_profile(profile_path))
    (finding,) = [f for f in report.findings if f.code == "profile-rule"]
    assert finding.severity is ti.Severity.ERROR
    assert "conv" in finding.message
    fixes = {(s.location.line, s.value) for s in finding.suggestions}
    assert fixes == {(3, "35"), (2, "43")}


def test_profile_rule_uses_derived_remainders(tmp_path: Path) -> None:
    """A remainder with status L is derived before profile rules run, so they can be judged."""
    profile = load_profile(COALITION / "profile.yaml")
    dataset = _dataset(
        tmp_path,
        "indicator,period,reporter,sex,destination,value,status\n"
        "victims_received,2024,KH,,,20,\n"
        "victims_received,2024,KH,F,,20,\n"
        "victims_received,2024,KH,,FAMILY,12,\n"
        "victims_received,2024,KH,,RETAINED,,L\n",
    )
    report = ti.check(dataset, profile)
    assert report.evaluations is not None
    outcomes = report.evaluations.filter(report.evaluations["rule"].str.starts_with("profile."))
    by_group = dict(zip(outcomes["line"].to_list(), outcomes["outcome"].to_list(), strict=True))
    assert by_group == {2: "pass", 3: "not_evaluated"}
    assert [f.code for f in report.findings] == ["derived-value"]


def test_profile_rule_judges_groups_in_the_order_of_the_file(tmp_path: Path) -> None:
    """A profile rule's evaluations come in the order their groups first appear in the file,
    every time: reports and JUnit output do not change from run to run."""
    profile_path = _write(
        tmp_path,
        "p.yaml",
        'profile: p\nversion: "1"\nrules:\n  - name: conv\n'
        "    expression: persons_convicted <= persons_prosecuted\n",
    )
    reporters = [f"R{n:02d}" for n in (7, 3, 11, 1, 9, 4, 12, 2, 8, 5, 10, 6)]
    rows = [f"persons_prosecuted,2024,{r},40\npersons_convicted,2024,{r},30\n" for r in reporters]
    dataset = _dataset(tmp_path, "indicator,period,reporter,value\n" + "".join(rows))
    profile = load_profile(profile_path)
    for _ in range(5):
        report = ti.check(dataset, profile)
        assert report.evaluations is not None
        judged = report.evaluations.filter(report.evaluations["rule"] == "profile.conv")
        assert judged["line"].to_list() == list(range(3, 3 + 2 * len(reporters), 2))


def test_a_profile_selects_and_ignores_findings(tmp_path: Path) -> None:
    """``select`` and ``ignore`` in a profile choose findings as the options do, in the library
    and on the command line; an unknown code is refused with a hint."""
    import tip_indicators as ti

    example = Path(__file__).parent.parent / "examples" / "cambodia-2010" / "report-2010.csv"
    profile_path = tmp_path / "profile.yaml"
    profile_path.write_text(
        "profile: quiet\nversion: '1'\nignore: [derived-value, percent-change]\n", "utf-8"
    )
    profile = ti.load_profile(profile_path)
    assert profile.ignore == ("derived-value", "percent-change")
    report = ti.check(ti.read_dataset(example), profile)
    assert [f.code for f in report.findings] == ["change-mismatch"]
    chosen = tmp_path / "chosen.yaml"
    chosen.write_text("profile: one\nversion: '1'\nselect: [derived-value]\n", "utf-8")
    assert [
        f.code for f in ti.check(ti.read_dataset(example), ti.load_profile(chosen)).findings
    ] == ["derived-value"]
    typo = tmp_path / "typo.yaml"
    typo.write_text("profile: typo\nversion: '1'\nignore: [derived-valeu]\n", "utf-8")
    with pytest.raises(ti.ArgumentError, match="did you mean 'derived-value'"):
        ti.check(ti.read_dataset(example), ti.load_profile(typo))


def _profile_documents() -> list[Path]:
    root = Path(__file__).parent.parent
    return [
        root / "examples" / "coalition" / "profile.yaml",
        root / "docs" / "examples" / "coalition.yaml",
    ]


@pytest.mark.parametrize("path", _profile_documents(), ids=lambda p: p.name)
def test_the_shipped_profiles_follow_the_published_schema(path: Path) -> None:
    """``schema profile`` describes the profiles the loader reads: editors can check them."""
    import jsonschema
    import yaml

    from tip_indicators.profiles import profile_schema

    load_profile(path)
    jsonschema.validate(yaml.safe_load(path.read_text("utf-8")), profile_schema())


@pytest.mark.parametrize(
    "change",
    [
        {"restrict_organisations": "true"},
        {"rules": [{"name": "r", "expression": "a <= b", "severity": "fatal"}]},
        {"rules": [{"name": "r", "expression": "a <= b", "tolerance": {"absolute": -1}}]},
        {"closedd": ["sex"]},
        {"version": 2.1},
        {"indicators": {"Shelter": {"name": "A", "unit": "case"}}},
        {"reporters": "KH"},
        {"indicators": {"a_b": {"name": "A", "unit": "case", "additive": "true"}}},
    ],
)
def test_the_schema_and_the_loader_refuse_the_same_mistakes(
    change: dict[str, object], tmp_path: Path
) -> None:
    import jsonschema
    import yaml

    from tip_indicators.profiles import profile_schema

    document = {"profile": "p", "version": "1", **change}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(document), "utf-8")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, profile_schema())
    with pytest.raises(DefinitionError):
        load_profile(path)


# ------------------------------------------------------------------ typed values, written back

_UNITS = ("person", "case", "establishment", "event", "vehicle", "organisation")
_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
_NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,10}", fullmatch=True)
_NEW_CODES = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda code: (
        code not in builtin_catalogue().indicators and code not in builtin_catalogue().dimensions
    )
)
_SEVERITIES = st.sampled_from(["error", "warning", "info"])
_TOLERANCES = st.floats(0, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def _dimensions(draw: st.DrawFn, identifier: str) -> Dimension:
    name, description = draw(_TEXT), draw(_TEXT)
    if draw(st.booleans()):
        pattern = draw(st.sampled_from([r"[A-Z]{2}", r"\d+", r"[a-z_]+", "."]))
        return Dimension(
            identifier, name, DimensionKind.PATTERN, description, ("_T", "_U"), pattern
        )
    codes = draw(
        st.lists(st.from_regex(r"[A-Z][A-Z0-9]{0,4}", fullmatch=True), unique=True, max_size=4)
    )
    complete = draw(st.sets(st.sampled_from(["_T", *codes, "_U"])))
    return Dimension(
        identifier,
        name,
        DimensionKind.FLAT,
        description,
        ("_T", *codes, "_U"),
        None,
        frozenset(complete),
    )


def _subset(draw: st.DrawFn, options: Sequence[str], most: int = 3) -> list[str]:
    return draw(st.lists(st.sampled_from(sorted(options)), unique=True, max_size=most))


@st.composite
def _expressions(draw: st.DrawFn, indicators: Sequence[str], dimensions: Sequence[str]) -> str:
    """A rule over known indicators and dimensions, in one of the language's shapes."""
    first, second = (draw(st.sampled_from(sorted(indicators))) for _ in range(2))
    dimension = draw(st.sampled_from(sorted(dimensions)))
    number = draw(st.integers(0, 999))
    comparison = draw(st.sampled_from(["==", "<=", ">=", "<", ">"]))
    left = draw(
        st.sampled_from(
            [
                first,
                f"sum({first}[{dimension}=*])",
                f"{first}[{dimension}=_T] + {number}",
                f"({first} - {number})",
            ]
        )
    )
    return f"{left} {comparison} {second}"


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    """Any valid profile on top of the built-in one: a value for every field a profile has."""
    base = builtin_catalogue()
    new = draw(st.lists(_NEW_CODES, unique=True, max_size=5))
    split = draw(st.integers(0, len(new)))
    dimensions = {code: draw(_dimensions(code)) for code in new[:split]}
    all_dimensions = [*base.dimensions, *dimensions]
    all_indicators = [*base.indicators, *new[split:]]
    indicators = {
        code: Indicator(
            code,
            draw(_TEXT),
            draw(_TEXT),
            draw(st.sampled_from(_UNITS)),
            draw(st.booleans()),
            {name: draw(st.booleans()) for name in _subset(draw, all_dimensions)},
            {name: draw(_SEVERITIES) for name in _subset(draw, all_indicators)},
        )
        for code in new[split:]
    }
    catalogue = base.extended(Catalogue(indicators, dimensions))
    organisations = draw(
        st.dictionaries(
            st.from_regex(r"(NGO|GOV|IO)\.[A-Z0-9][A-Z0-9_]{0,6}", fullmatch=True),
            _TEXT,
            max_size=3,
        )
    )
    required = {
        indicator: tuple(_subset(draw, all_dimensions))
        for indicator in _subset(draw, all_indicators)
    }
    rules = tuple(
        ProfileRule(
            draw(_NAMES),
            draw(_expressions(all_indicators, all_dimensions)),
            draw(_SEVERITIES),
            draw(_TOLERANCES),
            draw(_TOLERANCES),
            draw(_TEXT),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    codes = st.sampled_from(["derived-value", "partition", "percent-change", "bound"])
    return Profile(
        draw(_NAMES),
        draw(_TEXT),
        catalogue,
        frozenset(_subset(draw, all_dimensions)),
        organisations,
        draw(st.booleans()),
        frozenset(draw(st.lists(_TEXT, max_size=3))),
        required,
        rules,
        draw(_TEXT),
        select=tuple(draw(st.lists(codes, max_size=2))),
        ignore=tuple(draw(st.lists(codes, max_size=2))),
    )


def _catalogue_content(profile: Profile) -> tuple[dict[str, Any], dict[str, Any]]:
    catalogue = profile.catalogue
    return (
        {code: attrs.asdict(item) for code, item in catalogue.indicators.items()},
        {code: attrs.asdict(item) for code, item in catalogue.dimensions.items()},
    )


def _written(text: str) -> Iterator[tuple[Path, DefinitionError | Profile]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "written.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            yield path, load_profile(path)
        except DefinitionError as error:
            yield path, error


@given(profiles())
def test_every_profile_round_trips_through_yaml(profile: Profile) -> None:
    """A profile written to YAML and loaded again is the same profile, catalogue included, and
    the published schema accepts what was written."""
    import jsonschema
    import yaml

    from tip_indicators.profiles import profile_schema

    text = dump_profile(profile)
    for _, loaded in _written(text):
        assert isinstance(loaded, Profile), loaded
        assert loaded == profile
        assert dict(loaded.organisations) == dict(profile.organisations)
        assert _catalogue_content(loaded) == _catalogue_content(profile)
        assert dump_profile(loaded) == text
    jsonschema.validate(yaml.safe_load(text), profile_schema())


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _wrong(value: object) -> list[object]:
    """Values of a YAML type other than ``value``'s, none of which a profile could take there."""
    if isinstance(value, bool):
        return ["true", 1, ["yes"]]
    if isinstance(value, (int, float)):
        return ["0.5", True, [1]]
    if isinstance(value, str):
        return [7, 2.5, True, ["x"], {"k": "v"}]
    if isinstance(value, list):
        return ["x", 3, False]
    return ["x", 3, False, ["x"]]


def _position(text: str, path: tuple[str | int, ...]) -> tuple[int, int]:
    """The line and column of the value at ``path``, as PyYAML's own composer marks it."""
    import yaml

    node: Any = yaml.compose(text, Loader=yaml.SafeLoader)
    for step in path:
        if isinstance(step, int):
            node = node.value[step]
        else:
            node = next(value for key, value in node.value if key.value == step)
    return node.start_mark.line + 1, node.start_mark.column + 1


@given(profiles(), st.data())
def test_a_value_of_the_wrong_yaml_type_is_refused_where_it_is(
    profile: Profile, data: st.DataObject
) -> None:
    """Any one value replaced by one of another YAML type (text for a boolean, a number for
    text, a list for a mapping...) is refused, naming file, line and column of that value."""
    import yaml

    document = yaml.safe_load(dump_profile(profile))
    path = data.draw(st.sampled_from(list(_paths(document))))
    *parents, last = path
    holder = document
    for step in parents:
        holder = holder[step]
    holder[last] = data.draw(st.sampled_from(_wrong(holder[last])))
    handle = io.StringIO()
    dump_yaml(document, handle)  # as the library writes: text that reads as a number is quoted
    text = handle.getvalue()
    for written, refused in _written(text):
        assert isinstance(refused, DefinitionError), text
        assert (refused.source, refused.line, refused.column) == (
            str(written),
            *_position(text, path),
        )
        field = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path).lstrip(".")
        assert refused.reason.startswith(f"{field}: "), refused.reason


@pytest.mark.parametrize(("written", "meaning"), [("true", True), ("false", False), ("no", False)])
def test_additive_reads_yaml_booleans(tmp_path: Path, written: str, meaning: bool) -> None:
    """An indicator's ``additive`` is the boolean YAML reads, not text."""
    path = _write(
        tmp_path,
        "p.yaml",
        'profile: x\nversion: "1"\nindicators:\n  shelter_nights:\n    name: Nights\n'
        f"    unit: event\n    additive: {written}\n",
    )
    assert load_profile(path).catalogue.indicator("shelter_nights").additive is meaning


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('profile: x\nversion: "1"\nreporters: [KH, NO]\n', 3, 17, "reporters[1]: NO is read"),
        ("profile: x\nversion: 2024-01-01\n", 2, 10, "as a date; quote it ('2024-01-01')"),
        ('profile: x\nversion: "1"\nclosed: sex\n', 3, 9, "closed: expected a list"),
        ("profile: x\nversion: !!int abc\n", 2, 10, "'abc' is not a valid int"),
        ("profile: x\nversion: 2024-13-45\n", 2, 10, "not a valid timestamp"),
        ('profile: x\nversion: "1"\nreporters: [{a: b}]\n', 3, 13, "expected text, not a mapping"),
        (
            'profile: x\nversion: "1"\nrules:\n  - name: r\n    expresion: a <= b\n',
            5,
            5,
            "rules[0]: unknown key 'expresion' (did you mean 'expression'?)",
        ),
        (
            'profile: x\nversion: "1"\nrules:\n  - name: r\n    expression: "a <== b"\n',
            5,
            22,
            "rules[0].expression: expected a figure, found '='",
        ),
        (
            'profile: x\nversion: "1"\ndimensions:\n  colour: {name: C, codes: [R, 7]}\n',
            4,
            32,
            "dimensions.colour.codes[1]: 7 is read by YAML as a number",
        ),
        (
            'profile: x\nversion: "1"\ndimensions:\n  colour: {name: C}\n',
            4,
            11,
            "give its codes or a pattern",
        ),
        (
            'profile: x\nversion: "1"\nindicators:\n  a_b: {name: A, unit: persn}\n',
            4,
            24,
            "unknown unit 'persn'",
        ),
        (
            'profile: x\nversion: "1"\nindicators:\n  a_b:\n    name: A\n    unit: case\n'
            "    dimensions: {sexx: partition}\n",
            7,
            18,
            "did you mean 'sex'?",
        ),
        ('profile: x\nversion: "1"\ninclude: [absent.yaml]\n', 3, 11, "include 'absent.yaml'"),
    ],
)
def test_every_profile_error_names_line_and_column(
    tmp_path: Path, text: str, line: int, column: int, message: str
) -> None:
    """A profile problem, of the schema or beyond it, is refused at the line and column of the
    value at fault, with a hint where one helps."""
    path = _write(tmp_path, "bad.yaml", text)
    with pytest.raises(DefinitionError) as caught:
        load_profile(path)
    assert (caught.value.source, caught.value.line, caught.value.column) == (
        str(path),
        line,
        column,
    )
    assert message in caught.value.reason


def test_a_profile_can_be_built_in_code_and_published(tmp_path: Path) -> None:
    """A profile made in code is written as YAML that loads back equal and checks the same."""
    profile = Profile(
        "built",
        "1",
        builtin_catalogue(),
        frozenset({"sex"}),
        {"NGO.A": "A"},
        rules=(ProfileRule("bound", "persons_convicted <= persons_prosecuted", "warning"),),
    )
    path = _write(tmp_path, "built.yaml", dump_profile(profile))
    assert load_profile(path) == profile


def test_a_profile_without_the_built_in_catalogue_cannot_be_written() -> None:
    """A catalogue that leaves out a built-in indicator is refused: loading adds it back."""
    catalogue = builtin_catalogue()
    smaller = Catalogue(
        {code: item for code, item in catalogue.indicators.items() if code != "victims_received"},
        catalogue.dimensions,
    )
    with pytest.raises(ti.ArgumentError, match="victims_received"):
        dump_profile(Profile("p", "1", smaller))
