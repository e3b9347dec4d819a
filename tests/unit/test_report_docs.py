"""docs/reports.md: every python block runs and prints what the page shows (the rules of
``helpers.docs_pages``). Plots and workbooks go to a temporary directory (the page's own
code)."""

from __future__ import annotations

import matplotlib

from helpers.docs_pages import normalise, run_page

matplotlib.use("Agg")


def test_reports_page_runs_and_prints_what_it_shows() -> None:
    results = run_page("reports.md")
    assert len(results) >= 8
    for block, printed in results:
        if block.expected is not None:
            assert normalise(printed) == normalise(block.expected), f"docs/reports.md:{block.line}"
