"""The code examples of the documentation pages, as the docs tests run them.

Every ```python block of a page runs, in order, in one namespace per page (a block may use
names an earlier block of the same page defined). A block whose fence directly follows a
``<!-- no-test -->`` line is skipped. A ```text block that directly follows a python block
(blank lines between are allowed) is that block's expected output.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"

NO_TEST = "<!-- no-test -->"
_OPEN = re.compile(r"^```(\w+)\s*$")
_CLOSE = re.compile(r"^```\s*$")


@dataclass(frozen=True)
class Block:
    """One python block of a page: where it starts, its code and its expected output."""

    line: int
    code: str
    expected: str | None
    skip: bool


def _fences(lines: list[str]) -> list[tuple[int, int, str]]:
    """(first content line, closing line, language) of every fenced block."""
    out = []
    k = 0
    while k < len(lines):
        m = _OPEN.match(lines[k])
        if m is None:
            k += 1
            continue
        end = k + 1
        while end < len(lines) and not _CLOSE.match(lines[end]):
            end += 1
        out.append((k + 1, end, m.group(1)))
        k = end + 1
    return out


def parse(text: str) -> list[Block]:
    """The python blocks of a Markdown page, each with its expected output (if shown)."""
    lines = text.splitlines()
    fences = _fences(lines)
    blocks = []
    for n, (start, end, lang) in enumerate(fences):
        if lang != "python":
            continue
        prev = start - 2
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        skip = prev >= 0 and lines[prev].strip() == NO_TEST
        expected = None
        if n + 1 < len(fences):
            n_start, n_end, n_lang = fences[n + 1]
            between = lines[end + 1 : n_start - 1]
            if n_lang == "text" and all(not x.strip() for x in between):
                expected = "\n".join(lines[n_start:n_end])
        blocks.append(Block(start, "\n".join(lines[start:end]), expected, skip))
    return blocks


def normalise(text: str) -> str:
    """Trailing spaces and surrounding blank lines removed."""
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()).strip("\n")


def run_page(page: str) -> list[tuple[Block, str]]:
    """Run every block of ``page``; returns each block with what it printed."""
    namespace: dict[str, object] = {"__name__": f"docs_{page.replace('-', '_')}"}
    out = []
    for block in parse((DOCS / page).read_text(encoding="utf-8")):
        if block.skip:
            continue
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(block.code, f"docs/{page}:{block.line}", "exec"), namespace)
        out.append((block, buffer.getvalue()))
    return out
