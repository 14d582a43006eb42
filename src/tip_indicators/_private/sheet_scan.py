"""A sheet's XML read straight from the archive: formulas without a cached value, merged ranges
and cells beyond the header, which openpyxl's read-only mode does not report."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

from tip_indicators.errors import InputError


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class Merges:
    """Merged ranges, asked row by row in increasing order (ranges may span a million rows)."""

    def __init__(self) -> None:
        self.ranges: list[tuple[int, int, int, int, str]] = []
        self.next = 0
        self.active: list[tuple[int, int, int, int, str]] = []

    def add(self, low_row: int, high_row: int, low_col: int, high_col: int, ref: str) -> None:
        self.ranges.append((low_row, high_row, low_col, high_col, ref))

    def row(self, number: int, width: int) -> dict[int, str]:
        """The merged range covering each of the first ``width`` columns of row ``number``."""
        if self.next == 0:
            self.ranges.sort()
        while self.next < len(self.ranges) and self.ranges[self.next][0] <= number:
            self.active.append(self.ranges[self.next])
            self.next += 1
        self.active = [r for r in self.active if r[1] >= number]
        return {
            column: ref
            for _, _, low, high, ref in self.active
            for column in range(low, min(high, width) + 1)
        }


def scan_sheet(
    data: bytes, title: str, path: str, width: int
) -> tuple[dict[tuple[int, int], str], Merges, dict[int, list[int]]]:
    """Formulas without a cached value, the merged ranges of sheet ``title``, and the columns
    beyond ``width`` holding a value, by row."""
    formulas: dict[tuple[int, int], str] = {}
    merged = Merges()
    beyond: dict[int, list[int]] = {}
    try:
        _scan(data, title, formulas=formulas, merged=merged, beyond=beyond, width=width)
    except (ElementTree.ParseError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise InputError(path, f"sheet {title!r} is not readable: {error}") from None
    return formulas, merged, beyond


def _scan(
    data: bytes,
    title: str,
    *,
    formulas: dict[tuple[int, int], str],
    merged: Merges,
    beyond: dict[int, list[int]],
    width: int,
) -> None:
    from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = _sheet_part(archive, title)
        if part is None:
            return
        row = column = 0
        with archive.open(part) as source:
            for event, element in ElementTree.iterparse(source, events=("start", "end")):
                tag = _local(element.tag)
                if event == "start":
                    if tag == "row":
                        # A row or cell without a reference follows the one before it.
                        row = int(element.get("r") or row + 1)
                        column = 0
                    continue
                if tag == "c":
                    reference = element.get("r")
                    if reference:
                        row, column = coordinate_to_tuple(reference)
                    else:
                        column += 1
                    formula = value = None
                    for child in element:
                        if _local(child.tag) == "f":
                            formula = child.text or ""
                        elif _local(child.tag) == "v":
                            value = child.text
                        elif _local(child.tag) == "is":
                            value = "".join(child.itertext())
                    if formula is not None and not value:
                        formulas[(row, column)] = formula
                    if column > width and value and row > 1:
                        beyond.setdefault(row, []).append(column)
                    element.clear()
                elif tag == "row":
                    element.clear()
                elif tag == "mergeCell" and element.get("ref"):
                    reference = element.get("ref", "")
                    low_col, low_row, high_col, high_row = range_boundaries(reference)
                    merged.add(low_row or 1, high_row or 1, low_col or 1, high_col or 1, reference)


def _sheet_part(archive: zipfile.ZipFile, title: str) -> str | None:
    """The archive member holding sheet ``title`` (from the workbook and its relationships)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    targets = {
        r.get("Id"): r.get("Target", "") for r in relations if _local(r.tag) == "Relationship"
    }
    for element in workbook.iter():
        if _local(element.tag) == "sheet" and element.get("name") == title:
            identifier = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            target = targets.get(identifier)
            if not target:
                return None
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None
