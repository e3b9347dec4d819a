"""The code examples of the documentation pages run against the current code.

Every ```python block of a page runs, in order, in one namespace per page (a block may use
names an earlier block of the same page defined). A block whose fence directly follows a
``<!-- no-test -->`` line is skipped. A ```text block that directly follows a python block
(blank lines between are allowed) is that block's expected output: what the block prints must
equal it, ignoring trailing spaces and leading or trailing blank lines.
"""

from __future__ import annotations

import re

import pytest

import ibm_engine
from helpers.docs_pages import DOCS, NO_TEST, normalise, parse, run_page

#: the pages whose examples this file keeps honest
PAGES = (
    "index.md",
    "getting-started.md",
    "contract.md",
    "problem-and-policies.md",
    "architecture.md",
    "api.md",
    "errors.md",
    "periods.md",
    "scenarios.md",
    "capacities.md",
    "delivery.md",
    "merges.md",
    "waiting-lists.md",
    "counterfactuals.md",
    "explanations.md",
    "archive.md",
    "records.md",
)

_LINK = re.compile(r"\]\(([^)#\s]*\.md)?(?:#([^)\s]*))?\)")
_HEADING = re.compile(r"^#{1,6} (.+?)\s*$", flags=re.MULTILINE)


def test_parse_finds_blocks_outputs_and_skips() -> None:
    text = "\n".join(
        [
            "```python",
            "print(1)",
            "```",
            "",
            "```text",
            "1",
            "```",
            NO_TEST,
            "```python",
            "raise SystemExit",
            "```",
            "```bash",
            "make test",
            "```",
        ]
    )
    first, second = parse(text)
    assert (first.code, first.expected, first.skip) == ("print(1)", "1", False)
    assert (second.code, second.expected, second.skip) == ("raise SystemExit", None, True)


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run_and_print_what_the_page_shows(page: str) -> None:
    for block, printed in run_page(page):
        if block.expected is not None:
            assert normalise(printed) == normalise(block.expected), (
                f"docs/{page}, block at line {block.line}: the output differs"
            )


def anchors(text: str) -> set[str]:
    """GitHub-style anchors of a page's headings (fenced blocks left out)."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in _HEADING.findall(prose)}


@pytest.mark.parametrize("page", PAGES)
def test_links_to_these_pages_resolve(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    for target, anchor in _LINK.findall(text):
        name = target or page
        if name not in PAGES:
            continue  # pages of other authors are checked by their own tests
        assert (DOCS / name).is_file(), f"docs/{page} links to missing {name}"
        if anchor:
            found = anchors((DOCS / name).read_text(encoding="utf-8"))
            assert anchor in found, f"docs/{page} links to missing anchor {name}#{anchor}"


def test_api_page_documents_every_public_name() -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^#{2,4} `([A-Za-z_][A-Za-z0-9_]*)", text, flags=re.MULTILINE))
    missing = sorted(set(ibm_engine.__all__) - headings)
    stale = sorted(headings - set(ibm_engine.__all__))
    assert not missing, f"docs/api.md does not document {missing}"
    assert not stale, f"docs/api.md documents names that are not public: {stale}"
