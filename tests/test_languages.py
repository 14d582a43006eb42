"""Tests for tip_indicators.languages and findings.wording: messages in French, Spanish, Khmer.

The catalogues are checked against the code with Babel (what the code asks for is in the
template, every translation keeps its placeholders, the shipped ``.mo`` files are the compiled
``.po`` files), and the findings of the bundled examples are worded in every language.
"""

from __future__ import annotations

import configparser
import contextlib
import io
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from tip_indicators import ArgumentError, DefinitionError
from tip_indicators.cli import main
from tip_indicators.findings import wording
from tip_indicators.findings.wording import placeholders, worded, worded_text
from tip_indicators.languages import LANGUAGES, current_language, language, translate

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "tip_indicators" / "locale"
TRANSLATED = [code for code in LANGUAGES if code != "en"]
KEYWORDS: dict[str, Any] = {"worded": None, "worded_text": None}


def _catalogue(path: Path) -> Catalog:
    with path.open("rb") as stream:
        return read_po(stream)


def _ids(catalogue: Catalog) -> set[str]:
    return {str(message.id) for message in catalogue if message.id}


def _extracted() -> set[str]:
    """The templates the code words findings with, extracted as ``babel.cfg`` says."""
    config = configparser.RawConfigParser()
    config.read(ROOT / "babel.cfg", encoding="utf-8")
    method_map = [
        (pattern.strip(), method.strip())
        for method, _, pattern in (section.partition(":") for section in config.sections())
    ]
    found = extract_from_dir(
        ROOT,
        method_map,
        keywords=KEYWORDS,
        directory_filter=lambda path: (
            not Path(path).name.startswith(".") and Path(path).name != "__pycache__"
        ),
    )
    return {str(message) for _, _, message, _, _ in found}


def test_the_template_holds_exactly_the_messages_of_the_code() -> None:
    """Every message the code words is in the .pot, and the .pot holds no other."""
    template = _ids(_catalogue(LOCALE / "tip_indicators.pot"))
    assert _extracted() == template


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_catalogue_has_the_messages_of_the_template(code: str) -> None:
    """A language's .po file lists every message of the .pot, and no other."""
    template = _ids(_catalogue(LOCALE / "tip_indicators.pot"))
    assert _ids(_catalogue(LOCALE / code / "LC_MESSAGES" / "tip_indicators.po")) == template


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_translation_keeps_the_placeholders_of_its_message(code: str) -> None:
    """Every translation names exactly the placeholders of the message it translates."""
    catalogue = _catalogue(LOCALE / code / "LC_MESSAGES" / "tip_indicators.po")
    for message in catalogue:
        if message.id and message.string:
            assert placeholders(str(message.string)) == placeholders(str(message.id)), message.id


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_shipped_mo_file_is_the_compiled_po_file(code: str) -> None:
    """The .mo file in the package is what Babel compiles from the .po file beside it."""
    folder = LOCALE / code / "LC_MESSAGES"
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue(folder / "tip_indicators.po"))
    assert (folder / "tip_indicators.mo").read_bytes() == compiled.getvalue()


@pytest.mark.parametrize("code", ["fr", "es"])
def test_french_and_spanish_translate_every_message(code: str) -> None:
    """The French and Spanish catalogues leave no message in English."""
    catalogue = _catalogue(LOCALE / code / "LC_MESSAGES" / "tip_indicators.po")
    assert [m.id for m in catalogue if m.id and not m.string] == []


def test_an_untranslated_message_falls_back_to_english() -> None:
    """A message a catalogue does not translate is written as the code gives it."""
    catalogue = _catalogue(LOCALE / "km" / "LC_MESSAGES" / "tip_indicators.po")
    untranslated = [str(m.id) for m in catalogue if m.id and not m.string]
    translated = [(str(m.id), str(m.string)) for m in catalogue if m.id and m.string]
    assert all(translate(message, "km") == message for message in untranslated)
    assert all(translate(message, "km") == text for message, text in translated)


def test_an_unknown_language_is_refused() -> None:
    """A language with no catalogue raises the library's ArgumentError naming it."""
    with pytest.raises(ArgumentError, match="'de'"), language("de"):
        pass  # pragma: no cover


def test_a_language_block_ends_where_it_ends() -> None:
    """Blocks nest, and the language outside a block is the one before it."""
    assert current_language() == "en"
    with language("fr"):
        with language("km"):
            assert current_language() == "km"
        assert current_language() == "fr"
    assert current_language() == "en"


@pytest.mark.parametrize(
    "template", ["{}", "{a!r}", "{a:>3}", "{a.b}", "{a", "a}", "{0}"], ids=repr
)
def test_a_placeholder_must_be_a_plain_name(template: str) -> None:
    """A placeholder without a name, with a conversion, a format or an unmatched brace is an
    error."""
    with pytest.raises(DefinitionError):
        placeholders(template)


def test_a_translation_with_other_placeholders_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A translation that drops a placeholder or adds an unknown one raises, naming both."""
    monkeypatch.setattr(wording, "translate", lambda message, code=None: "{a} et {c}")
    with pytest.raises(DefinitionError, match="unknown: c; missing: b"), language("fr"):
        worded("{a} and {b} (a test message)", a=pl.lit("x"), b=pl.lit("y"))


def test_a_message_must_be_given_its_placeholders() -> None:
    """A builder that passes other columns than its message names raises."""
    with pytest.raises(DefinitionError, match="missing: b"):
        worded_text("{a} (another test message)", a="x", b="y")


_NAMES = st.sampled_from(["a", "b", "value", "period_2"])
_TEXT = st.text(alphabet="ab {}:;%é\u17a2", max_size=6)


@given(
    pieces=st.lists(st.tuples(_TEXT, _NAMES), max_size=5),
    tail=_TEXT,
    rows=st.lists(st.fixed_dictionaries({n: st.text(max_size=4) for n in ("a", "b")}), max_size=4),
)
def test_worded_fills_a_template_as_str_format_does(
    pieces: list[tuple[str, str]], tail: str, rows: list[dict[str, str]]
) -> None:
    """A template filled from columns is, row by row, the template filled by str.format."""
    escaped = [(text.replace("{", "{{").replace("}", "}}"), name) for text, name in pieces]
    template = "".join(f"{text}{{{name}}}" for text, name in escaped)
    template += tail.replace("{", "{{").replace("}", "}}")
    names = {name for _, name in pieces}
    frame = pl.DataFrame(
        {"a": [r["a"] for r in rows], "b": [r["b"] for r in rows]},
        schema={"a": pl.String, "b": pl.String},
    ).with_columns(pl.col("a").alias("value"), pl.col("b").alias("period_2"))
    columns = {name: pl.col(name) for name in names}
    got = frame.with_columns(worded(template, **columns).alias("m")).get_column("m").to_list()
    assert got == [template.format(**row) for row in frame.iter_rows(named=True)]


CASES = {
    "cambodia-2010": ["examples/cambodia-2010/report-2010.csv"],
    "coalition": ["examples/coalition/submissions", "--profile", "examples/coalition/profile.yaml"],
    "invalid": ["tests/fixtures/invalid.csv"],
    "glotip": ["tests/fixtures/glotip/slices.csv"],
}


@cache
def _report(case: str, code: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out):
        main(["validate", *CASES[case], "--format", "json", "--lang", code])
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def _key(finding: dict[str, Any]) -> str:
    """A finding apart from its message: the same in every language."""
    return json.dumps({k: v for k, v in finding.items() if k != "message"}, sort_keys=True)


def _numbers(message: str) -> Counter[str]:
    return Counter(re.findall(r"\d+", message))


@given(code=st.sampled_from(TRANSLATED), case=st.sampled_from(sorted(CASES)), data=st.data())
def test_a_finding_in_any_language_names_the_same_figures(
    code: str, case: str, data: st.DataObject
) -> None:
    """Any finding of the examples, in any language, fills every placeholder and names the
    numbers the English message names; codes and figures do not change."""
    english, other = _report(case, "en"), _report(case, code)
    assert {k: v for k, v in other.items() if k not in ("findings", "created")} == {
        k: v for k, v in english.items() if k not in ("findings", "created")
    }
    assert sorted(map(_key, other["findings"])) == sorted(map(_key, english["findings"]))
    finding = data.draw(st.sampled_from(other["findings"]))
    assert re.search(r"\{[a-z_0-9]+\}", finding["message"]) is None
    originals = [f["message"] for f in english["findings"] if _key(f) == _key(finding)]
    assert _numbers(finding["message"]) in [_numbers(m) for m in originals]


def test_lang_fr_words_the_worked_example_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    """validate --lang fr writes the change finding of the worked example with the French
    catalogue's words, and exits as in English."""
    argv = ["validate", "examples/cambodia-2010/report-2010.csv"]
    with contextlib.chdir(ROOT):
        english_status = main(argv)
        english = capsys.readouterr().out
        status = main([*argv, "--lang", "fr"])
        french = capsys.readouterr().out
    message = next(
        m for m in _ids(_catalogue(LOCALE / "tip_indicators.pot")) if "level {base}" in m
    )
    catalogue = _catalogue(LOCALE / "fr" / "LC_MESSAGES" / "tip_indicators.po")
    translation = str(catalogue[message].string)
    words = [text for kind, text in wording._pieces(translation) if kind == "text"]
    assert status == english_status == 1
    assert all(text in french for text in words)
    assert " is stated as " in english
    assert " is stated as " not in french


def test_an_unknown_lang_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    """validate --lang with a language with no catalogue exits 2 with one line naming it."""
    with contextlib.chdir(ROOT):
        status = main(["validate", "examples/cambodia-2010/report-2010.csv", "--lang", "de"])
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.splitlines()) == 1
    assert "'de'" in err
    assert "Traceback" not in err
