"""The documentation site's configuration (``mkdocs.yml``) stays whole, without building it.

The build itself is ``make docs`` (``mkdocs build --strict``, run by ``make test``); these
checks are the fast part: every page of ``docs/`` is in the navigation, every navigation entry
and every object of the generated API reference exists, every public subpackage has a reference
page, every page's lists, tables and code blocks survive Python-Markdown (stricter than GitHub's
Markdown), and the build's griffe extension does what it says.
"""

from __future__ import annotations

import doctest
import functools
import importlib
import importlib.util
import pkgutil
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import ibm_engine

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"

#: pages of docs/ deliberately left out of the navigation, each with its reason
NOT_IN_NAV: dict[str, str] = {}

#: public subpackages without a reference page of their own, each with its reason
NO_REFERENCE_PAGE = {
    "allocation": "every public name is re-exported by ibm_engine and documented on its page",
    "cli": "the command, not an API: docs/cli.md documents it",
}

_DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", flags=re.MULTILINE)


def config() -> dict[str, Any]:
    """``mkdocs.yml`` as data."""
    loaded = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def nav_pages(node: object) -> list[str]:
    """Every page path of a mkdocs ``nav`` (nested lists of titles and paths), in order."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [page for child in node for page in nav_pages(child)]
    if isinstance(node, dict):
        return [page for child in node.values() for page in nav_pages(child)]
    raise TypeError(f"unexpected nav entry {node!r}")


def test_nav_pages_finds_nested_entries() -> None:
    nav = ["index.md", {"Guide": [{"A": "a.md"}, "b.md", {"Sub": [{"C": "c/c.md"}]}]}]
    assert nav_pages(nav) == ["index.md", "a.md", "b.md", "c/c.md"]


def test_every_page_is_in_the_nav_once_and_every_nav_entry_exists() -> None:
    nav = nav_pages(config()["nav"])
    duplicates = sorted({page for page in nav if nav.count(page) > 1})
    assert not duplicates, f"pages in the nav more than once: {duplicates}"
    missing = sorted(page for page in nav if not (DOCS / page).is_file())
    assert not missing, f"mkdocs.yml's nav names pages that do not exist: {missing}"
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    left_out = sorted(pages - set(nav) - set(NOT_IN_NAV))
    assert not left_out, f"pages not in mkdocs.yml's nav (add them or list them): {left_out}"
    stale = sorted(set(NOT_IN_NAV) - pages)
    assert not stale, f"NOT_IN_NAV names pages that do not exist: {stale}"


def test_build_is_strict_and_made_by_make_test() -> None:
    assert config()["strict"] is True
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    test_target = re.search(r"^test:(.*)$", makefile, flags=re.MULTILINE)
    assert test_target is not None and "docs" in test_target.group(1).split()
    docs_recipe = re.search(r"^docs:.*\n\t(.*)$", makefile, flags=re.MULTILINE)
    assert docs_recipe is not None and " build --strict" in docs_recipe.group(1)
    assert re.search(r"^MKDOCS :=.* \$\(VENV\)/bin/mkdocs$", makefile, flags=re.MULTILINE)


def directives() -> dict[str, str]:
    """``identifier -> page`` of every ``::: identifier`` of the API reference."""
    found = {}
    for page in sorted(REFERENCE.glob("*.md")):
        for identifier in _DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            found[identifier] = page.name
    return found


def resolve(identifier: str) -> object:
    """The module, or the object of a module, that a dotted identifier names."""
    parts = identifier.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(identifier)


def test_every_documented_object_exists() -> None:
    found = directives()
    assert found, "docs/reference/ documents nothing"
    for identifier, page in found.items():
        assert identifier.startswith("ibm_engine"), f"{page} documents foreign {identifier}"
        try:
            resolve(identifier)
        except (ImportError, AttributeError) as exc:
            pytest.fail(f"docs/reference/{page} documents {identifier}, which fails: {exc}")


def public_subpackages() -> set[str]:
    """The modules and subpackages of ibm_engine whose names do not start with ``_``."""
    return {m.name for m in pkgutil.iter_modules(ibm_engine.__path__) if not m.name.startswith("_")}


def test_every_public_subpackage_has_a_reference_page() -> None:
    documented = {i.split(".")[1] for i in directives() if i.count(".") >= 1}
    assert "ibm_engine" in directives(), "the top-level package has no reference page"
    missing = sorted(public_subpackages() - documented - set(NO_REFERENCE_PAGE))
    assert not missing, f"public subpackages without a page in docs/reference/: {missing}"
    stale = sorted(set(NO_REFERENCE_PAGE) - public_subpackages())
    assert not stale, f"NO_REFERENCE_PAGE names modules that do not exist: {stale}"


def test_every_reference_page_is_in_the_nav() -> None:
    nav = set(nav_pages(config()["nav"]))
    pages = {f"reference/{p.name}" for p in REFERENCE.glob("*.md")}
    assert pages <= nav, f"reference pages not in the nav: {sorted(pages - nav)}"


def test_changelog_page_includes_the_changelog() -> None:
    page = (DOCS / "changelog.md").read_text(encoding="utf-8")
    included = re.findall(r'^--8<-- "([^"]+)"\s*$', page, flags=re.MULTILINE)
    assert included == ["CHANGELOG.md"]
    assert (ROOT / "CHANGELOG.md").is_file()


# --- Markdown that the site would not render -------------------------------------------------

#: a line of a rendered paragraph that should have been a list item, a table row or a fence
_UNRENDERED = re.compile(r"^\s*([-*+] |\d+\. |\|.*\||```)")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", flags=re.DOTALL)


def markdown_extensions() -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The Markdown extensions of ``mkdocs.yml`` and their options (snippets from the root)."""
    names, options = [], {}
    for entry in config()["markdown_extensions"]:
        name, opts = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        names.append(name)
        options[name] = dict(opts or {})
    if "pymdownx.snippets" in options:
        options["pymdownx.snippets"]["base_path"] = [str(ROOT)]
    return names, options


def unrendered(markdown_text: str) -> list[str]:
    """Lines of ``markdown_text`` that Python-Markdown (as the site uses it) leaves as text.

    Python-Markdown is stricter than GitHub's Markdown: a list needs a blank line before it,
    list content is indented by 4 spaces, and a list item that follows a code block inside the
    previous item needs a blank line; else the marker ends up inside a paragraph.
    """
    import markdown

    names, options = markdown_extensions()
    html = markdown.Markdown(extensions=names, extension_configs=options).convert(markdown_text)
    html = re.sub(r"<pre.*?</pre>", "", html, flags=re.DOTALL)
    found = []
    for paragraph in _PARAGRAPH.findall(html):
        text = re.sub(r"<[^>]+>", "", paragraph)
        found += [line.strip() for line in text.split("\n")[1:] if _UNRENDERED.match(line)]
    return found


def test_unrendered_finds_what_python_markdown_leaves_as_text() -> None:
    good = "Text:\n\n- a\n- b\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    assert unrendered(good) == []
    assert unrendered("Text:\n- a\n- b\n") == ["- a", "- b"]
    swallowed = "1. one\n\n    ```\n    x\n    ```\n\n    after\n2. two\n"
    assert unrendered(swallowed) == ["2. two"]


@pytest.mark.parametrize(
    "page", sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")), ids=str
)
def test_page_renders_its_lists_tables_and_code(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    left = unrendered(text)
    assert not left, f"docs/{page}: Python-Markdown leaves these lines as text: {left}"
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        fenced ^= line.lstrip().startswith("```")
        nested = re.match(r"^( {1,3})([-*+]|\d+\.) ", line)
        assert fenced or not nested, (
            f"docs/{page}:{number}: a nested list item needs 4 spaces of indentation on the site"
        )


# --- the build's griffe extension ----------------------------------------------------------


@functools.cache
def extension() -> ModuleType:
    """``docs/reference/sphinx_roles.py`` (build code, not a package module)."""
    ext = config()["plugins"][2]["mkdocstrings"]["handlers"]["python"]["options"]["extensions"]
    (entry,) = ext
    path, _, cls = entry.partition(":")
    spec = importlib.util.spec_from_file_location("sphinx_roles", ROOT / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert hasattr(module, cls), f"{path} has no {cls}"
    return module


def test_extension_examples() -> None:
    failed, attempted = doctest.testmod(extension())
    assert attempted > 0 and failed == 0


ROLES = ("func", "class", "meth", "attr", "mod", "data", "exc")
_names = st.text(st.sampled_from("abcXYZ_019"), min_size=1, max_size=8)
_text = st.text(st.characters(blacklist_characters="`:"), max_size=20)


@given(
    st.lists(
        st.tuples(
            _text, st.sampled_from(ROLES), st.booleans(), st.lists(_names, min_size=1, max_size=4)
        )
    ),
    _text,
)
def test_extension_rewrites_every_role_to_its_target(
    parts: list[tuple[str, str, bool, list[str]]], tail: str
) -> None:
    to_code = extension().to_code
    text = "".join(
        f"{before}:{role}:`{'~' * short}{'.'.join(path)}`" for before, role, short, path in parts
    )
    expected = "".join(
        f"{before}`{path[-1] if short else '.'.join(path)}`" for before, _, short, path in parts
    )
    assert to_code(text + tail) == expected + tail
    assert to_code(expected + tail) == expected + tail  # nothing left to rewrite


_words = (
    st.text(st.sampled_from("abcdefgh xyz"), min_size=1, max_size=30).map(str.strip).filter(bool)
)


@given(
    st.dictionaries(_names.filter(lambda n: n[0].isalpha()), _words, min_size=1, max_size=5),
    st.booleans(),
)
def test_attributes_section_read_and_removed(described: dict[str, str], notes: bool) -> None:
    ext = extension()
    table = "".join(f"{name} : int\n    {text}\n" for name, text in described.items())
    after = "\n\nNotes\n-----\nSee the guide." if notes else ""
    doc = f"Summary.\n\nAttributes\n----------\n{table}{after}"
    assert ext.attributes_section(ext.griffe.Docstring(doc)) == described
    assert ext.without_attributes_section(doc) == "Summary." + after


def load_with_extension(tmp_path: Path, source: str) -> Any:
    """A one-module package ``pkg`` holding ``source``, loaded by griffe with the extension."""
    ext = extension()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text(source, encoding="utf-8")
    extensions = ext.griffe.load_extensions(ext.SphinxRolesToCode())
    return ext.griffe.load("pkg", search_paths=[str(tmp_path)], extensions=extensions)


def test_extension_moves_the_table_onto_the_attributes(tmp_path: Path) -> None:
    source = '''
from dataclasses import dataclass

@dataclass
class Result:
    """What :func:`run` returns.

    Attributes
    ----------
    items, people : list
        The rows.
    total : int
        The sum, see :class:`~pkg.Other`.
    """

    items: list
    people: list
    total: int
'''
    cls = load_with_extension(tmp_path, source)["Result"]
    assert cls.docstring.value == "What `run` returns."
    assert {n: cls.members[n].docstring.value for n in ("items", "people", "total")} == {
        "items": "The rows.",
        "people": "The rows.",
        "total": "The sum, see `Other`.",
    }
    assert [p.name for p in cls.parameters][1:] == ["items", "people", "total"]


def test_extension_keeps_a_table_that_names_more_than_plain_attributes(tmp_path: Path) -> None:
    source = '''
class Result:
    """A result.

    Attributes
    ----------
    total : int
        The sum.
    mean : float
        A property.
    """

    total: int

    @property
    def mean(self) -> float:
        """The mean."""
        return 0.0
'''
    cls = load_with_extension(tmp_path, source)["Result"]
    assert "Attributes\n----------" in cls.docstring.value
    assert cls.members["total"].docstring is None
