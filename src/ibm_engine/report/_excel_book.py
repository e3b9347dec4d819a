"""A write-only openpyxl workbook of formatted table sheets, shared by the Excel report and
:func:`ibm_engine.io.write_tables` (``format="xlsx"``).

Every sheet has a styled, frozen header row, an autofilter and column widths fitted to its
contents; its cells come from :func:`~ibm_engine.report._excel_cells.column_cells`, so numbers
stay numbers and text stays text (never a formula), whoever writes the workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd

from ibm_engine.report._excel_cells import column_cells, text_cell

__all__ = ["Book"]

_HEADER_FILL: Final = "FF3572B0"


class Book:
    """A new write-only workbook; ``add_table`` and ``add_rows`` add sheets, ``save`` writes it.

    Raises ImportError naming the extra when openpyxl is not installed.
    """

    def __init__(self, what: str = "Writing Excel files") -> None:
        try:
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Font, PatternFill
            from openpyxl.utils import get_column_letter
        except ImportError as exc:
            raise ImportError(f"{what} needs openpyxl: pip install ibm_engine[excel]") from exc
        self._book = Workbook(write_only=True)
        self._cell = WriteOnlyCell
        self._letter = get_column_letter
        self._font = Font(bold=True, color="FFFFFFFF")
        self._fill = PatternFill("solid", fgColor=_HEADER_FILL)

    def _header(self, ws: Any, labels: Sequence[str]) -> list[Any]:
        cells = []
        for text in labels:
            cell = self._cell(ws, value=text)
            cell.font, cell.fill, cell.data_type = self._font, self._fill, "s"  # never a formula
            cells.append(cell)
        return cells

    def _start(self, ws: Any, widths: Sequence[int], n_rows: int) -> None:
        # a write-only sheet writes its view and columns before the first row
        for k, w in enumerate(widths, start=1):
            ws.column_dimensions[self._letter(k)].width = float(min(max(w + 2, 8), 50))
        ws.freeze_panes = "A2"
        if widths:
            ws.auto_filter.ref = f"A1:{self._letter(len(widths))}{n_rows + 1}"

    def add_summary(
        self, name: str, heads: tuple[str, str], rows: Sequence[tuple[str, Any, str | None]]
    ) -> None:
        """A sheet of (label, value, number format or None) rows under the header ``heads``."""
        ws = self._book.create_sheet(name)
        self._start(ws, [max(len(heads[0]), *(len(r[0]) for r in rows)), 18], len(rows))
        ws.append(self._header(ws, heads))
        for label, value, fmt in rows:
            cell = self._cell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a label of a code is text, whatever it begins with
            elif isinstance(value, float):
                cell._value = repr(value)  # exact, and a float reads back as a float
            if fmt is not None:
                cell.number_format = fmt
            ws.append([self._text(ws, label), cell])

    def _text(self, ws: Any, text: str) -> Any:
        return text_cell(ws, text, self._cell)

    def add_table(
        self, name: str, df: pd.DataFrame, labels: Sequence[str], *, display: bool = False
    ) -> None:
        """A sheet holding ``df`` under the header ``labels`` (see :func:`column_cells`)."""
        ws = self._book.create_sheet(name)
        columns, widths = [], []
        for c, label in zip(df.columns, labels, strict=True):
            cells, width = column_cells(ws, str(c), df[c], self._cell, display=display)
            columns.append(cells)
            widths.append(max(width, len(label)))
        self._start(ws, widths, len(df))
        ws.append(self._header(ws, labels))
        for row in zip(*columns, strict=True):
            ws.append(list(row))

    def save(self, path: str | Path) -> Path:
        """Write the workbook (missing folders are created) and return its path."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        self._book.save(out)
        return out
