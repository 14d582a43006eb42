"""Tests of the public surface: ``__all__`` is honest, documented and free of private names."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from types import ModuleType

import pytest

import tip_indicators

PUBLIC = sorted(name for name in tip_indicators.__all__ if name != "__version__")


def is_private(module_name: str) -> bool:
    """Whether a dotted module name has a component starting with an underscore."""
    return any(part.startswith("_") for part in module_name.split("."))


def public_modules() -> list[str]:
    """Every importable module of the package outside private ones."""
    found = ["tip_indicators"]
    for info in pkgutil.walk_packages(tip_indicators.__path__, "tip_indicators."):
        if not is_private(info.name):
            found.append(info.name)
    return sorted(found)


def test_all_has_no_duplicates_and_only_existing_names() -> None:
    """Every name in __all__ is listed once and exists in the package."""
    names = tip_indicators.__all__
    assert len(names) == len(set(names))
    assert [name for name in names if not hasattr(tip_indicators, name)] == []


def test_version_is_a_version_string() -> None:
    """__version__ is the only dunder exported, and it is a release number."""
    assert [n for n in tip_indicators.__all__ if n.startswith("_")] == ["__version__"]
    assert re.fullmatch(
        r"[0-9]+\.[0-9]+\.[0-9]+([ab]|rc|\.dev|\.post)?[0-9]*", tip_indicators.__version__
    )


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_has_a_docstring(name: str) -> None:
    """Each exported class and function documents itself (its own docstring, not a parent's)."""
    obj = getattr(tip_indicators, name)
    assert callable(obj), name
    assert (obj.__doc__ or "").strip(), name


@pytest.mark.parametrize("name", PUBLIC)
def test_no_public_name_comes_from_a_private_module(name: str) -> None:
    """No exported object says it lives in a private module (its docs and pickles would)."""
    obj = getattr(tip_indicators, name)
    assert not is_private(obj.__module__), f"{name} is from {obj.__module__}"
    home = importlib.import_module(obj.__module__)
    assert getattr(home, obj.__name__) is obj


def test_package_and_public_modules_have_docstrings() -> None:
    """The package and each public module open with a docstring."""
    missing = [
        m for m in public_modules() if not (importlib.import_module(m).__doc__ or "").strip()
    ]
    assert missing == []


@pytest.mark.parametrize("module_name", public_modules())
def test_public_modules_declare_an_honest_all(module_name: str) -> None:
    """Each public module has __all__ naming objects it has, none private."""
    module: ModuleType = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    assert names is not None, module_name
    assert [n for n in names if not hasattr(module, n)] == []
    assert [n for n in names if n.startswith("_") and n != "__version__"] == []
    leaks = [
        n
        for n in names
        if is_private(getattr(getattr(module, n), "__module__", None) or module_name)
    ]
    assert leaks == []


_FRESH_PACKAGE = """
import tip_indicators, tip_indicators.check
from tip_indicators import check
assert callable(check) and tip_indicators.check is check, tip_indicators.check
assert tip_indicators.ages.parse_age("Y_LT15").code == "Y_LT15"
assert set(tip_indicators.__all__) <= set(dir(tip_indicators))
try:
    tip_indicators.no_such_name
except AttributeError as error:
    assert "no_such_name" in str(error)
else:
    raise AssertionError("an unknown name resolved")
print("ok")
"""


def test_names_resolve_in_a_fresh_interpreter() -> None:
    """In a fresh interpreter, ``check`` is the function even once its module is imported again,
    submodules are reachable as attributes, ``dir`` lists every public name, and an unknown name
    is an AttributeError."""
    done = subprocess.run(
        [sys.executable, "-c", _FRESH_PACKAGE], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "ok", "")


def test_every_public_name_is_bound_once_the_package_is_imported() -> None:
    """The package imports its public names as it loads: each is in its namespace, and no
    module-level ``__getattr__`` makes names up later."""
    namespace = vars(tip_indicators)
    assert [name for name in tip_indicators.__all__ if name not in namespace] == []
    assert "__getattr__" not in namespace


_HEAVY = (
    "babel",
    "highspy",
    "jsonschema",
    "narwhals",
    "numpy",
    "openpyxl",
    "pint",
    "pydantic",
    "scipy",
    "yaml",
)

_IMPORTED = f"""
import sys, tip_indicators
print(sorted(name for name in {_HEAVY!r} if name in sys.modules))
"""


def test_importing_the_package_leaves_the_heavy_dependencies_unloaded() -> None:
    """Importing the package loads none of the dependencies only some functions need (the
    solver, workbooks, YAML, JSON Schema models, units, frames): those functions import them."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTED], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
