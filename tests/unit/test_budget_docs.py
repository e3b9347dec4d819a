"""docs/budgets.md: every python block runs and prints what the page shows.

Same rules as ``test_docs_examples.py``: blocks run in order in one namespace; a ```text block
right after a python block is its expected output (trailing spaces and surrounding blank lines
ignored); a block right after ``<!-- no-test -->`` is skipped.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "budgets.md"
_FENCE = re.compile(r"^```(\w*)\s*$")


def blocks(text: str) -> list[tuple[int, str, str | None]]:
    """(line, code, expected output or None) of every python block that is not skipped."""
    lines = text.splitlines()
    fences: list[tuple[int, int, str]] = []
    k = 0
    while k < len(lines):
        m = _FENCE.match(lines[k])
        if m is None or not m.group(1):
            k += 1
            continue
        end = k + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        fences.append((k + 1, end, m.group(1)))
        k = end + 1
    out = []
    for n, (start, end, lang) in enumerate(fences):
        if lang != "python":
            continue
        prev = start - 2
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        if prev >= 0 and lines[prev].strip() == "<!-- no-test -->":
            continue
        expected = None
        if n + 1 < len(fences):
            n_start, n_end, n_lang = fences[n + 1]
            if n_lang == "text" and not any(x.strip() for x in lines[end + 1 : n_start - 1]):
                expected = "\n".join(lines[n_start:n_end])
        out.append((start, "\n".join(lines[start:end]), expected))
    return out


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()).strip("\n")


def run() -> list[tuple[int, str, str | None]]:
    """Each block's line, what it printed and what the page shows."""
    namespace: dict[str, object] = {"__name__": "docs_budgets"}
    printed = []
    for line, code, expected in blocks(PAGE.read_text(encoding="utf-8")):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(code, f"docs/budgets.md:{line}", "exec"), namespace)
        printed.append((line, buffer.getvalue(), expected))
    return printed


def test_budget_page_examples_print_what_the_page_shows() -> None:
    results = run()
    assert len(results) >= 9
    for line, printed, expected in results:
        assert expected is not None, f"docs/budgets.md:{line} shows no output"
        assert normalise(printed) == normalise(expected), f"docs/budgets.md:{line} differs"


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
