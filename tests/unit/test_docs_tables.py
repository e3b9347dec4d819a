"""The docs pages' column tables are generated from the column specs (one definition)."""

from __future__ import annotations

import pytest

from helpers.docs_tables import DOCS, TABLES, marked
from ibm_engine.domain._columns import markdown_table
from ibm_engine.tables import ITEM_RESULT_COLUMNS, PARTICIPANT_RESULT_COLUMNS

PAGES = sorted(DOCS.glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_marked_tables_are_the_generated_ones(page: object) -> None:
    lines = page.read_text(encoding="utf-8").splitlines()  # type: ignore[attr-defined]
    for name, start, end in marked(lines):
        assert name in TABLES, f"{page}: no specs for table {name}"
        shown = "\n".join(lines[start:end])
        assert shown == markdown_table(TABLES[name]), (
            f"{page}: the {name} table is stale; run python tests/helpers/docs_tables.py"
        )


def test_every_table_is_shown_on_a_page() -> None:
    shown = {name for p in PAGES for name, _, _ in marked(p.read_text("utf-8").splitlines())}
    assert shown == set(TABLES)


def _first_column(lines: list[str], heading: str) -> list[str]:
    """The first column's names of the table under a heading (backticks removed)."""
    k = lines.index(heading)
    while not lines[k].startswith("|"):
        k += 1
    names = []
    while k < len(lines) and lines[k].startswith("|"):
        names.append(lines[k].split("|")[1].strip().strip("`"))
        k += 1
    return names[2:]  # after the header and the rule


def test_result_tables_list_the_result_columns_in_order() -> None:
    """The result tables of the contract page (hand-written: they show pandas dtypes and what
    the contract requires) name the specs' result columns, in the order the results have."""
    lines = (DOCS / "contract.md").read_text(encoding="utf-8").splitlines()
    items = _first_column(lines, "### `result.items`: one row per accepted plan item")
    assert items == list(ITEM_RESULT_COLUMNS)
    people = _first_column(lines, "### `result.participants`: one row per accepted participant")
    assert people == ["budget_eur", *PARTICIPANT_RESULT_COLUMNS]
