"""The column tables of the documentation pages, generated from the tables' column specs.

A table is marked by a ``<!-- columns: NAME -->`` line and a blank line above it; the Markdown
table that follows (its lines start with ``|``) must be ``markdown_table(TABLES[NAME])``. Run this
file (``python tests/helpers/docs_tables.py``) to rewrite every marked table from its specs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ibm_engine.domain._columns import ColumnSpec, markdown_table
from ibm_engine.region._capacity_input import CAPACITIES
from ibm_engine.region._capacity_neighbours import NEIGHBOURS
from ibm_engine.region._disruptions import DISRUPTIONS, PAUSES
from ibm_engine.region._indicators import TARGETS
from ibm_engine.region._periods_table import PERIODS
from ibm_engine.scenarios._prices import PRICES
from ibm_engine.tables import PARTICIPANTS, PLAN_ITEMS, SERVICES

DOCS = Path(__file__).resolve().parents[2] / "docs"

#: every table whose columns a docs page shows, by the name its marker uses
TABLES: dict[str, tuple[ColumnSpec, ...]] = {
    "services": SERVICES,
    "participants": PARTICIPANTS,
    "plan_items": PLAN_ITEMS,
    "periods": PERIODS,
    "capacities": CAPACITIES,
    "neighbours": NEIGHBOURS,
    "disruptions": DISRUPTIONS,
    "pauses": PAUSES,
    "prices": PRICES,
    "targets": TARGETS,
}
_MARK = re.compile(r"^<!-- columns: (\w+) -->$")


def marked(lines: list[str]) -> list[tuple[str, int, int]]:
    """(table name, first line, end line) of every marked table of a page's lines."""
    out = []
    for k, line in enumerate(lines):
        m = _MARK.match(line.strip())
        if m is None:
            continue
        start = k + 1
        while start < len(lines) and not lines[start].strip():
            start += 1
        end = start
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        out.append((m.group(1), start, end))
    return out


def refresh(path: Path) -> int:
    """Rewrite the marked tables of one page; returns how many there are."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = marked(lines)
    for name, start, end in reversed(found):
        mark = start - 1
        while not _MARK.match(lines[mark].strip()):
            mark -= 1
        lines[mark + 1 : end] = ["", *markdown_table(TABLES[name]).splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(found)


if __name__ == "__main__":
    for page in sorted(DOCS.glob("*.md")):
        if refresh(page):
            print(page.name, file=sys.stderr)
