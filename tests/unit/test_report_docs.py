"""docs/reports.md: every python block runs, in order in one namespace, and prints what the
page shows in the ```text block right after it (trailing spaces and surrounding blank lines
ignored); a block right after ``<!-- no-test -->`` is skipped. Plots and workbooks go to a
temporary directory."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reports.md"
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


def _norm(text: str) -> str:
    return "\n".join(x.rstrip() for x in text.strip("\n").splitlines()).strip("\n")


def test_reports_page_runs_and_prints_what_it_shows() -> None:
    found = blocks(PAGE.read_text(encoding="utf-8"))
    assert len(found) >= 8
    namespace: dict[str, object] = {"__name__": "docs_reports"}
    for line, code, expected in found:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(code, f"docs/reports.md:{line}", "exec"), namespace)
        if expected is not None:
            assert _norm(buffer.getvalue()) == _norm(expected), f"docs/reports.md:{line}"
