"""Griffe extension of the documentation build: Sphinx roles in docstrings become inline code.

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


def _replace(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


def to_code(text: str) -> str:
    """``text`` with every Sphinx role outside double-backtick code replaced by its target."""
    parts = LITERAL.split(text)
    return "".join(p if k % 2 else ROLE.sub(_replace, p) for k, p in enumerate(parts))


class SphinxRolesToCode(griffe.Extension):
    """Rewrite the Sphinx roles of every loaded docstring (modules, classes, functions, data)."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring, if it has one."""
        if obj.docstring is not None:
            obj.docstring.value = to_code(obj.docstring.value)
