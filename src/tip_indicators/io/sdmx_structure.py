"""SDMX structures: our catalogue as an SDMX 3.0 data structure definition, and anyone's read back.

:func:`write_structure` writes the catalogue (built-in or a profile's) as a data structure
definition with its codelists and concept scheme, in SDMX-ML 3.0 and SDMX-JSON 2.0, so that an
office can load the standard into its own SDMX tools. :func:`read_structure` reads a structure
file (ours or another organisation's, SDMX-ML 2.1/3.0 or SDMX-JSON, from disk: no network) into a
:class:`Structure`: its components and the codes each accepts. Each indicator code carries its
unit and its breakdowns as annotations, so a structure read back says which codes are counts and
which are rates. Needs the ``sdmx`` extra (pysdmx).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from tip_indicators._private.resources import read_table
from tip_indicators._private.textfile import ReadLimits, decode_text, read_input_bytes
from tip_indicators.codelists import codelist
from tip_indicators.dimensions import DimensionKind
from tip_indicators.errors import InputError
from tip_indicators.indicators import Catalogue, builtin_catalogue

__all__ = [
    "AGENCY",
    "STRUCTURE_FILES",
    "Structure",
    "StructureComponent",
    "column_id",
    "read_structure",
    "write_structure",
]

AGENCY = "TIP"
"""The maintenance agency our structures are published under."""
DSD_ID = "TIP_INDICATORS"
VERSION = "1.0"
STRUCTURE_FILES = ("tip-indicators.structure.xml", "tip-indicators.structure.json")
"""The files :func:`write_structure` writes: SDMX-ML 3.0 and SDMX-JSON 2.0."""

_CONCEPTS = "CS_TIP_INDICATORS"
_UNIT = "TIP_UNIT"
_BREAKDOWNS = "TIP_BREAKDOWNS"
_MAX_BYTES = 64 * 1024 * 1024


@attrs.frozen
class StructureComponent:
    """One component of a structure: its id, role (``dimension``, ``time``, ``measure`` or
    ``attribute``), name, and the codes of its codelist (empty when it is free text)."""

    id: str
    role: str
    name: str = ""
    codes: tuple[str, ...] = ()
    annotations: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict, eq=False)
    """Per code, its annotations by type (our indicators carry ``TIP_UNIT``)."""


@attrs.frozen
class Structure:
    """A data structure definition as read from a file: who maintains it and its components."""

    agency: str
    id: str
    version: str
    name: str
    components: tuple[StructureComponent, ...]

    @property
    def dimensions(self) -> tuple[StructureComponent, ...]:
        """The key: dimensions and the time dimension, in order."""
        return tuple(c for c in self.components if c.role in {"dimension", "time"})

    def component(self, identifier: str) -> StructureComponent | None:
        """The component ``identifier``, or None."""
        return next((c for c in self.components if c.id == identifier), None)


def require_pysdmx(path: str) -> Any:
    """Import pysdmx, or raise InputError saying how to install it."""
    try:
        import pysdmx
    except ImportError:
        raise InputError(
            path, "SDMX structures need pysdmx: pip install tip-indicators[sdmx]"
        ) from None
    return pysdmx


def write_structure(
    directory: str | os.PathLike[str], catalogue: Catalogue | None = None
) -> tuple[str, ...]:
    """Write the catalogue as an SDMX 3.0 structure (SDMX-ML and SDMX-JSON) into ``directory``
    (made if missing); returns the paths written."""
    folder = os.fspath(directory)
    require_pysdmx(folder)
    from pysdmx.io import write_sdmx
    from pysdmx.io.format import Format
    from pysdmx.model.message import Header

    artefacts = _artefacts(catalogue or builtin_catalogue())
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise InputError(folder, f"cannot make the folder: {error.strerror or error}") from None
    written = []
    formats = (Format.STRUCTURE_SDMX_ML_3_0, Format.STRUCTURE_SDMX_JSON_2_0_0)
    for name, form in zip(STRUCTURE_FILES, formats, strict=True):
        path = os.path.join(folder, name)
        header = Header(id=f"{DSD_ID}_STRUCTURE", sender=AGENCY)  # type: ignore[arg-type]
        text = write_sdmx(artefacts, sdmx_format=form, header=header)
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text or "")
        except OSError as error:
            raise InputError(path, f"cannot write: {error.strerror or error}") from None
        written.append(path)
    return tuple(written)


def _artefacts(catalogue: Catalogue) -> list[Any]:
    """The codelists, the concept scheme and the data structure definition of ``catalogue``.

    Long because it declares the SDMX artefacts (codelists, concepts, the structure) one after
    another.
    """
    from pysdmx.model import (
        Code,
        Codelist,
        Component,
        Components,
        Concept,
        ConceptScheme,
        DataStructureDefinition,
        DataType,
        Role,
    )
    from pysdmx.model.__base import Annotation, ItemReference

    def listed(identifier: str, name: str, codes: Sequence[tuple[str, str, str]]) -> Any:
        items = [Code(id=c, name=n or c, description=d or None) for c, n, d in codes]
        return Codelist(id=identifier, agency=AGENCY, version=VERSION, name=name, items=items)

    indicators = Codelist(
        id="CL_INDICATOR",
        agency=AGENCY,
        version=VERSION,
        name="Indicators",
        items=[
            Code(
                id=i.code,
                name=i.name,
                description=i.definition,
                annotations=[
                    Annotation(type=_UNIT, text=i.unit),
                    Annotation(
                        type=_BREAKDOWNS,
                        text=",".join(
                            f"{d}={'partition' if p else 'breakdown'}"
                            for d, p in i.dimensions.items()
                        ),
                    ),
                ],
            )
            for i in catalogue
        ],
    )
    codelists: dict[str, Any] = {"INDICATOR": indicators}
    for name in ("measure", "obs_status", "conf_status"):
        table = codelist(name)
        codelists[name.upper()] = listed(
            f"CL_{name.upper()}", table.name, [(c.code, c.name, "") for c in table]
        )
    units = sorted({i.unit for i in catalogue} | {"percent"})
    codelists["UNIT_MEASURE"] = listed("CL_UNIT", "Units", [(u, u, "") for u in units])
    for dimension in catalogue.dimensions.values():
        if dimension.kind is DimensionKind.FLAT and dimension.codes:
            names = _code_names(dimension.id)
            codes = ("_T", *(c for c in dimension.codes if c != "_T"))
            if dimension.id not in {"sex", "exploitation"}:
                codes = (*codes, "_U")
            codelists[column_id(dimension.id)] = listed(
                f"CL_{dimension.id.upper()}",
                dimension.name,
                [(c, names.get(c, c), "") for c in dict.fromkeys(codes)],
            )
        elif dimension.kind is DimensionKind.ORGANISATION:
            types = codelist("destination_type")
            codelists[column_id(dimension.id)] = listed(
                f"CL_{dimension.id.upper()}",
                dimension.name,
                [(c.code, c.name, "") for c in types],
            )

    concepts: list[tuple[str, str, str]] = [
        ("INDICATOR", "Indicator", "dimension"),
        ("REPORTER", "Reporter", "dimension"),
        *(
            (column_id(d.id), d.name, "dimension")
            for d in catalogue.dimensions.values()
            if column_id(d.id) not in {"INDICATOR", "REPORTER"}
        ),
        ("MEASURE", "Measure", "dimension"),
        ("TIME_PERIOD", "Period", "time"),
        ("OBS_VALUE", "Value", "measure"),
        *((row["sdmx"], row["note"], "attribute") for row in _attribute_rows()),
    ]
    scheme = ConceptScheme(
        id=_CONCEPTS,
        agency=AGENCY,
        version=VERSION,
        name="tip-indicators concepts",
        items=[Concept(id=c, name=n) for c, n, _ in concepts],
    )
    roles = {"dimension": Role.DIMENSION, "time": Role.DIMENSION, "measure": Role.MEASURE}
    components = []
    for identifier, name, role in concepts:
        local = codelists.get(identifier)
        dtype = DataType.PERIOD if role == "time" else DataType.STRING
        if identifier == "OBS_VALUE":
            dtype = DataType.DOUBLE
        components.append(
            Component(
                id=identifier,
                required=role != "attribute",
                role=roles.get(role, Role.ATTRIBUTE),
                concept=ItemReference(
                    sdmx_type="Concept",
                    agency=AGENCY,
                    id=_CONCEPTS,
                    version=VERSION,
                    item_id=identifier,
                ),
                name=name,
                local_dtype=None if local is not None else dtype,
                local_codes=local,
                local_enum_ref=None if local is None else _urn(local),
                attachment_level="O" if role == "attribute" else None,
            )
        )
    structure = DataStructureDefinition(
        id=DSD_ID,
        agency=AGENCY,
        version=VERSION,
        name="Trafficking-in-persons indicators",
        description="The tip-indicators catalogue: indicators, their breakdowns and codelists.",
        components=Components(components),
    )
    return [*codelists.values(), scheme, structure]


def _urn(codes: Any) -> str:
    return f"urn:sdmx:org.sdmx.infomodel.codelist.Codelist={AGENCY}:{codes.id}({VERSION})"


def column_id(column: str) -> str:
    """The SDMX id of one of our columns, as our SDMX-CSV writes it (``country`` is
    ``COUNTERPART_AREA``; a dimension a catalogue adds is its id in upper case)."""
    for row in read_table("sdmx_columns.tsv"):
        if row["column"] == column and row["write"] == "yes":
            return row["sdmx"]
    return column.upper()


def _code_names(identifier: str) -> dict[str, str]:
    if identifier in {"sex", "exploitation"}:
        return {c.code: c.name for c in codelist(identifier)}
    return {}


def _attribute_rows() -> list[dict[str, str]]:
    """The attributes our SDMX-CSV writes: every written column that is no key or value."""
    key = {"INDICATOR", "TIME_PERIOD", "REPORTER", "MEASURE", "OBS_VALUE"}
    columns = {
        "base_period",
        "status",
        "conf_status",
        "unit",
        "source",
        "id",
        "note",
        "derived",
        "value",
    }
    return [
        row
        for row in read_table("sdmx_columns.tsv")
        if row["write"] == "yes" and row["sdmx"] not in key and row["column"] in columns
    ]


def read_structure(path: str | os.PathLike[str], *, identifier: str | None = None) -> Structure:
    """Read the data structure definition in an SDMX-ML or SDMX-JSON structure file (the one
    named ``identifier`` when the file holds several); InputError when there is none."""
    name = os.fspath(path)
    require_pysdmx(name)
    from pysdmx.errors import PysdmxError
    from pysdmx.io import read_sdmx

    text = decode_text(read_input_bytes(name, ReadLimits(max_file_bytes=_MAX_BYTES)), name)
    try:
        message = read_sdmx(text, validate=False)
        found = message.get_data_structure_definitions()
    except (PysdmxError, ValueError, KeyError, TypeError, AttributeError, SyntaxError) as error:
        reason = " ".join(str(error).split())[:300]
        raise InputError(name, f"not an SDMX structure file: {reason}") from None
    chosen = [d for d in found if identifier in {None, d.id}]
    if not chosen:
        ids = ", ".join(d.id for d in found) or "none"
        raise InputError(name, f"no data structure {identifier or ''} in the file (found: {ids})")
    if len(chosen) > 1:
        ids = ", ".join(d.id for d in chosen)
        raise InputError(name, f"the file holds several data structures ({ids}): name one")
    return _structure(chosen[0])


def _structure(definition: Any) -> Structure:
    from pysdmx.model import Codelist, Role

    components = []
    for component in definition.components:
        role = {Role.DIMENSION: "dimension", Role.MEASURE: "measure"}.get(
            component.role, "attribute"
        )
        if component.id == "TIME_PERIOD":
            role = "time"
        codes = component.local_codes if isinstance(component.local_codes, Codelist) else None
        items = tuple(codes.items) if codes is not None else ()
        components.append(
            StructureComponent(
                component.id,
                role,
                component.name or "",
                tuple(item.id for item in items),
                {
                    item.id: {a.type: a.text for a in item.annotations if a.type and a.text}
                    for item in items
                    if item.annotations
                },
            )
        )
    return Structure(
        definition.agency if isinstance(definition.agency, str) else definition.agency.id,
        definition.id,
        definition.version,
        definition.name or "",
        tuple(components),
    )
