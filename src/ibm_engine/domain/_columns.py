"""One column of a contract table, :class:`ColumnSpec`: the one definition of its rules.

A spec says a column's kind, whether it is required, its bounds, its choices, what it means
and what an empty cell means. Everything else is derived from it: the column-wise validation of
``ibm_engine.tables`` (:attr:`ColumnSpec.rule`, :attr:`ColumnSpec.rule_text`), the pydantic
models' field constraints (:func:`field`), the JSON Schemas (:func:`column_json_schema`) and
the column tables of the documentation (:func:`markdown_table`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from pydantic import Field

from ibm_engine._typing import BoolArray

__all__ = [
    "KINDS",
    "Bounds",
    "ColumnSpec",
    "Kind",
    "bound_keywords",
    "by_name",
    "column_json_schema",
    "field",
    "markdown_table",
    "names",
]

Rule = Callable[[np.ndarray], BoolArray]


@dataclass(frozen=True)
class Kind:
    """A kind of column: its JSON types, what its cells hold, what a broken cell is told and
    its word in the docs' column tables."""

    json: tuple[str, ...]
    words: str
    problem: str
    doc: str


#: the kinds of column, each defined once
KINDS: Final = {
    "id": Kind(
        ("string", "integer"),
        "identifier: text, or a whole number read as its digits",
        "must be text",
        "str (integers are read as their digits)",
    ),
    "text": Kind(("string",), "text", "must be text", "str"),
    "int": Kind(
        ("integer",),
        "whole number (integral numbers such as 3.0 are accepted)",
        "must be a whole number",
        "int",
    ),
    "float": Kind(("number",), "number", "must be a finite number", "float"),
    "money": Kind(
        ("number",),
        "EUR in whole cents (within 1e-6 EUR of a whole number of cents)",
        "must be a finite amount in EUR with whole cents",
        "money",
    ),
    "date": Kind(("string",), "a date (ISO 8601, e.g. 2020-03-12)", "must be a date", "date"),
}


def _num(x: float) -> int | float:
    """A bound as written: ``0`` rather than ``0.0``."""
    return int(x) if float(x).is_integer() else float(x)


@dataclass(frozen=True)
class Bounds:
    """The rule of a bounded column: marks the converted values outside the bounds (equal
    bounds give equal rules)."""

    ge: float | None
    gt: float | None
    le: float | None
    scale: float = 1.0

    def __call__(self, values: np.ndarray) -> BoolArray:
        v = np.asarray(values)
        out = np.zeros(v.shape, dtype=bool)
        with np.errstate(invalid="ignore"):
            if self.ge is not None:
                out |= v < self.ge * self.scale
            if self.gt is not None:
                out |= v <= self.gt * self.scale
            if self.le is not None:
                out |= v > self.le * self.scale
        return out


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a contract table.

    ``kind``: ``id`` (text, integers accepted as their digits), ``text``, ``int``, ``float``,
    ``money`` (EUR, converted to whole cents) or ``date``. ``ge``, ``gt`` and ``le`` bound the
    values (in EUR for money); ``choices`` are the allowed texts. ``rule`` marks invalid
    converted values, explained by ``rule_text``: both are derived from the bounds when not
    given (a custom ``rule`` cannot be expressed in a JSON Schema). ``description`` is the
    column's meaning, ``empty`` what an empty cell of an optional column means, ``unit`` the
    unit of its values.

    Examples
    --------
    >>> age = ColumnSpec("age", "int", True, ge=0, le=120)
    >>> age.rule_text, age.rule(np.array([-1, 0, 120, 121])).tolist()
    ('must be between 0 and 120', [True, False, False, True])
    >>> ColumnSpec("weight", "float", False, gt=0).type_text
    'float > 0'
    """

    name: str
    kind: str
    required: bool
    rule: Rule | None = None
    rule_text: str = ""
    choices: tuple[str, ...] = ()
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    description: str = ""
    empty: str = ""
    unit: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")
        if self.rule is None and self.bounded:
            scale = 100.0 if self.kind == "money" else 1.0  # money is checked in cents
            object.__setattr__(self, "rule", Bounds(self.ge, self.gt, self.le, scale))
            if not self.rule_text:
                object.__setattr__(self, "rule_text", f"must be {self.bounds_text}")

    @property
    def bounded(self) -> bool:
        """Whether the spec has a bound."""
        return self.ge is not None or self.gt is not None or self.le is not None

    @property
    def bounds_text(self) -> str:
        """The bounds in words: ``>= 0``, ``> 0``, ``between 0 and 120`` (empty if none)."""
        low = [f">= {_num(self.ge)}"] if self.ge is not None else []
        low += [f"> {_num(self.gt)}"] if self.gt is not None else []
        if self.le is None:
            return " and ".join(low)
        if self.ge is not None and self.gt is None:
            return f"between {_num(self.ge)} and {_num(self.le)}"
        return " and ".join([*low, f"<= {_num(self.le)}"])

    @property
    def type_text(self) -> str:
        """The type as the docs' column tables show it: ``int >= 1``, ``int, 0..120``, ..."""
        if self.choices:
            quoted = [f"`{c}`" for c in self.choices]
            return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        base = KINDS[self.kind].doc
        if self.ge is not None and self.le is not None and self.gt is None:
            return f"{base}, {_num(self.ge)}..{_num(self.le)}"
        return f"{base} {self.bounds_text}" if self.bounded else base


def by_name(specs: Sequence[ColumnSpec]) -> dict[str, ColumnSpec]:
    """The specs of a table keyed by column name."""
    return {s.name: s for s in specs}


def names(specs: Sequence[ColumnSpec]) -> tuple[str, ...]:
    """The column names of a table, in order."""
    return tuple(s.name for s in specs)


def bound_keywords(spec: ColumnSpec) -> dict[str, Any]:
    """The JSON Schema keywords of the spec's bounds and choices (one mapping for tables and
    models)."""
    out: dict[str, Any] = {}
    if spec.choices:
        out["enum"] = list(spec.choices)
    for key, value in (("minimum", spec.ge), ("exclusiveMinimum", spec.gt), ("maximum", spec.le)):
        if value is not None:
            out[key] = _num(value)
    if spec.rule_text and not spec.bounded:
        raise ValueError(f"column {spec.name}: cannot express rule {spec.rule_text!r}")
    return out


def _notes(spec: ColumnSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.description:
        out["description"] = spec.description
    if spec.unit:
        out["x-unit"] = spec.unit
    return out


def column_json_schema(spec: ColumnSpec) -> dict[str, Any]:
    """The JSON Schema of one column's cells (``null`` allowed when the column is optional).

    Raises ``ValueError`` if the spec has a custom rule the schema cannot express (so a new
    rule cannot be left out of the schemas unnoticed).

    Examples
    --------
    >>> column_json_schema(ColumnSpec("age", "int", True, ge=0, le=120, description="age"))
    {'type': 'integer', 'description': 'age; whole number (integral numbers such as 3.0 are \
accepted)', 'x-kind': 'int', 'minimum': 0, 'maximum': 120}
    >>> column_json_schema(ColumnSpec("g", "text", False, choices=("GRT", "FT")))["enum"]
    ['GRT', 'FT', None]
    """
    types = list(KINDS[spec.kind].json) + ([] if spec.required else ["null"])
    out: dict[str, Any] = {"type": types[0] if len(types) == 1 else types}
    out.update(_notes(spec))
    out["description"] = "; ".join(x for x in (spec.description, KINDS[spec.kind].words) if x)
    out["x-kind"] = spec.kind
    if spec.kind == "date":
        out["format"] = "date"
    if spec.kind in ("id", "text") and spec.required:
        out["pattern"] = r"\S"  # blank text counts as empty
    keywords = bound_keywords(spec)
    if "enum" in keywords and not spec.required:
        keywords["enum"] = [*keywords["enum"], None]
    out.update(keywords)
    return out


def _patch(spec: ColumnSpec) -> Callable[[dict[str, Any]], None]:
    """Put the spec's bounds and notes into a model field's JSON Schema."""

    def patch(schema: dict[str, Any]) -> None:
        keywords = {k: v for k, v in bound_keywords(spec).items() if k != "enum"}
        branches = [b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"]
        for branch in branches:
            for raw in ("ge", "gt", "le"):  # pydantic's names where it cannot place a bound
                branch.pop(raw, None)
            branch.update(keywords)
        schema.update(_notes(spec))

    return patch


def field(spec: ColumnSpec, *default: Any) -> Any:
    """A pydantic field with the spec's bounds and description (``default``: optional field).

    The field's type gives the kind (``Text``, ``Whole``, ``Real``, ``Money`` of
    ``domain._service``); the bounds are checked by pydantic and shown in the model's JSON
    Schema by the same mapping as the tables' schemas.
    """
    return Field(
        *default,
        ge=spec.ge,
        gt=spec.gt,
        le=spec.le,
        description=spec.description or None,
        json_schema_extra=_patch(spec),
    )


def markdown_table(specs: Sequence[ColumnSpec]) -> str:
    """A table's columns as the Markdown table of the docs (column, type, required, default
    when empty, meaning).

    Examples
    --------
    >>> print(markdown_table([ColumnSpec("weeks", "int", False, ge=1, empty="4",
    ...                                  description="length")]))
    | column | type | required | default when empty | meaning |
    |---|---|---|---|---|
    | `weeks` | int >= 1 | no | 4 | length |
    """
    lines = [
        "| column | type | required | default when empty | meaning |",
        "|---|---|---|---|---|",
    ]
    for s in specs:
        cells = [f"`{s.name}`", s.type_text, "yes" if s.required else "no", s.empty, s.description]
        lines.append("|" + "|".join(f" {c} " if c else " " for c in cells) + "|")
    return "\n".join(lines)
