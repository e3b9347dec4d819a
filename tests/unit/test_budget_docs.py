"""docs/budgets.md: every python block runs and prints what the page shows.

The rules of ``helpers.docs_pages`` (as for ``test_docs_examples.py``); here every block must
show its output.
"""

from __future__ import annotations

from helpers.docs_pages import DOCS, normalise, run_page

PAGE = DOCS / "budgets.md"


def test_budget_page_examples_print_what_the_page_shows() -> None:
    results = run_page("budgets.md")
    assert len(results) >= 9
    for block, printed in results:
        assert block.expected is not None, f"docs/budgets.md:{block.line} shows no output"
        assert normalise(printed) == normalise(block.expected), (
            f"docs/budgets.md:{block.line} differs"
        )


def test_page_has_a_section_per_formula() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for heading in (
        "## 1. The costed plan",
        "## 2. A flat amount per target group",
        "## 3. Need levels",
        "## 4. Points, with a visible informal-care adjustment",
        "## 5. Regression on historical spend",
        "## 6. Calibration to a programme pot",
        "## 7. Transition protection",
    ):
        assert heading in text
