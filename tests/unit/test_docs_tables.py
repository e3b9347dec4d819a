"""The docs pages' column tables are generated from the column specs (one definition)."""

from __future__ import annotations

import pytest

from helpers.docs_tables import DOCS, TABLES, marked
from ibm_engine.domain._columns import markdown_table

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
