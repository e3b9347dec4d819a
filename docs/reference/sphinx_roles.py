"""Griffe extension of the documentation build: Sphinx roles as code, attributes described once.

Some docstrings of ``src/`` name other objects with Sphinx roles (``:class:`Source```,
``:func:`~ibm_engine.tables.prepare```). mkdocstrings' numpydoc parser does not know roles and
would print them as they are written. This extension, loaded by ``mkdocs.yml``, rewrites each
role to inline code before the docstrings are parsed: the text of the target, or only its last
component when the target starts with ``~`` (the Sphinx convention). It never adds a link, so a
target that is not on any page cannot break the strict build.

Examples
--------
>>> to_code("See :class:`~ibm_engine.budget.BudgetResult` and :func:`fit_regression`.")
'See `BudgetResult` and `fit_regression`.'
>>> to_code(":attr:`problems` and ``:data:`X``` stay readable")
'`problems` and ``:data:`X``` stay readable'
"""

from __future__ import annotations

import re
from typing import Any

import griffe

#: a Sphinx role: ``:class:`target``` or ``:func:`~module.name```
ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|mod|data|exc|obj|const):`(~?)([^`]+)`")
#: inline code in double backticks (its text is kept as written)
LITERAL = re.compile(r"(``.+?``)")
#: a numpydoc ``Attributes`` section, up to the next section's title or the end
ATTRIBUTES = re.compile(
    r"^Attributes\n-{3,}\n.*?(?=^\S[^\n]*\n-{3,}\n|\Z)", flags=re.MULTILINE | re.DOTALL
)


def _replace(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


def to_code(text: str) -> str:
    """``text`` with every Sphinx role outside double-backtick code replaced by its target."""
    parts = LITERAL.split(text)
    return "".join(p if k % 2 else ROLE.sub(_replace, p) for k, p in enumerate(parts))


def attributes_section(docstring: griffe.Docstring) -> dict[str, str]:
    r"""Name -> description of the ``Attributes`` section of a numpydoc docstring.

    Examples
    --------
    >>> text = "A result.\n\nAttributes\n----------\nitems, participants : DataFrame\n    Rows."
    >>> attributes_section(griffe.Docstring(text))
    {'items': 'Rows.', 'participants': 'Rows.'}
    """
    described = {}
    for section in griffe.parse_numpy(docstring, warnings=False):
        if section.kind is griffe.DocstringSectionKind.attributes:
            for attribute in section.value:
                for name in attribute.name.split(","):
                    described[name.strip()] = attribute.description.strip()
    return described


def without_attributes_section(text: str) -> str:
    r"""``text`` without its numpydoc ``Attributes`` section (the sections after it stay).

    Examples
    --------
    >>> doc = "Doc.\n\nAttributes\n----------\na : int\n    A.\n\nNotes\n-----\nN."
    >>> without_attributes_section(doc)
    'Doc.\n\nNotes\n-----\nN.'
    """
    return ATTRIBUTES.sub("", text).rstrip("\n")


class SphinxRolesToCode(griffe.Extension):
    """Rewrite the Sphinx roles of every loaded docstring (modules, classes, functions, data).

    Also moves a class's ``Attributes`` table onto the attributes it describes, when none of
    them has a docstring of its own: each attribute then appears once, with its type and its
    description, instead of once in the table and again with its type alone.
    """

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring, if it has one."""
        if obj.docstring is not None:
            obj.docstring.value = to_code(obj.docstring.value)

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        """Give each attribute of the class's table its description, and drop the table."""
        if cls.docstring is None:
            return
        described = attributes_section(cls.docstring)
        members = {name: cls.members.get(name) for name in described}
        plain = {
            name: m
            for name, m in members.items()
            if isinstance(m, griffe.Attribute) and m.docstring is None
        }
        if not described or len(plain) < len(described):
            return  # a name of the table that is no plain attribute: keep the table as written
        for name, member in plain.items():
            member.docstring = griffe.Docstring(described[name], parent=member)
        cls.docstring.value = without_attributes_section(cls.docstring.value)
