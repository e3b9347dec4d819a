"""The value kinds of the contract's columns and the catalogue row :class:`Service`.

The value kinds (money in whole cents, whole numbers, finite reals, non-blank text, target
groups, "empty" cells) are shared by every model of the domain layer; they convert flexible
input once, at the boundary, and reject what the contract rejects. Bounds, choices and
descriptions come from the column specs of ``domain._contract`` (:func:`~._columns.field`).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any, ClassVar, Final

import numpy as np
import pandas as pd
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from ibm_engine._tolerances import CENT_TOL_EUR
from ibm_engine.domain._columns import by_name, field
from ibm_engine.domain._contract import (
    MAX_AGE,
    SERVICES,
    TARGET_GROUPS,
    UNITS,
    TargetGroup,
    Unit,
)

__all__ = ["MAX_AGE", "TARGET_GROUPS", "UNITS", "Service", "TargetGroup", "Unit"]

JsonScalar = str | int | float | bool | None

CENT_TOLERANCE_EUR: Final = CENT_TOL_EUR
"""A money value is valid when within this many euros of a whole number of cents."""
_CENT_TOLERANCE: Final = Decimal(str(CENT_TOLERANCE_EUR))


def is_missing(value: object) -> bool:
    """Whether a cell is empty in the contract's sense (None, NaN, NA or NaT)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


class ColumnError(ValueError):
    """A problem of one named column found by a model-level validator."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"column {column!r}: {reason}")
        self.column = column


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _none_if_missing(value: object) -> object:
    return None if is_missing(value) else value


def _default_if_missing(default: object) -> Callable[[object], object]:
    def convert(value: object) -> object:
        return default if is_missing(value) else value

    return convert


def _reject_non_number(value: object, what: str) -> None:
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"must be {what}, not a boolean")
    if not isinstance(value, numbers.Real | Decimal):
        raise ValueError(f"must be {what}, got {type(value).__name__} {value!r}")


def _whole(value: object) -> int:
    _reject_non_number(value, "a whole number")
    if isinstance(value, numbers.Integral):
        return int(value)
    number = value if isinstance(value, Decimal) else float(value)  # type: ignore[arg-type]
    if not math.isfinite(number) or number != int(number):
        raise ValueError(f"must be a whole number, got {value!r}")
    return int(number)


def _real(value: object) -> float:
    _reject_non_number(value, "a number")
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"must be a finite number, got {value!r}")
    return number


def _money(value: object) -> Decimal:
    _reject_non_number(value, "an amount in euros")
    if isinstance(value, numbers.Integral):
        cents, off = int(value) * 100, Decimal(0)
    else:
        exact = value if isinstance(value, Decimal) else float(value)  # type: ignore[arg-type]
        if not math.isfinite(exact):
            raise ValueError(f"must be a finite amount in euros, got {value!r}")
        if isinstance(exact, Decimal):
            cents = int((exact * 100).to_integral_value(ROUND_HALF_EVEN))
            off = abs(exact - Decimal(cents).scaleb(-2))
        else:
            cents = round(exact * 100)
            off = Decimal(abs(exact - cents / 100))
    if off > _CENT_TOLERANCE:
        raise ValueError(f"must be a whole number of cents, got {value!r}")
    return Decimal(cents).scaleb(-2)


def _money_json(value: Decimal) -> float:
    return float(value)


def _target_groups(value: object) -> tuple[str, ...]:
    if is_missing(value):
        return ()
    if isinstance(value, str):
        parts = [] if not value.strip() else [p.strip() for p in value.split(",")]
    elif isinstance(value, list | tuple | set | frozenset):
        parts = list(value)
    else:
        raise ValueError(f"must be a comma-separated string or a list, got {value!r}")
    bad = [p for p in parts if p not in TARGET_GROUPS]
    if bad:
        raise ValueError(f"unknown target group(s) {bad!r}; allowed: GRT, FT, BSAC")
    if len(set(parts)) != len(parts):
        raise ValueError(f"a target group is listed twice in {value!r}")
    return tuple(g for g in TARGET_GROUPS if g in parts)


def _scalar(value: object) -> object:
    """Canonical form of a pass-through cell: a JSON scalar."""
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dt.date):  # dates, datetimes and pandas Timestamps
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"must be text, a number, a boolean or empty, got {type(value).__name__}")


NoneIfMissing = BeforeValidator(_none_if_missing)
ZeroIfMissing = BeforeValidator(_default_if_missing(0))
_WHOLE = BeforeValidator(_whole)
_REAL = BeforeValidator(_real)
Whole = Annotated[int, _WHOLE]
"""A whole number (``3.0`` is accepted, ``2.5`` and booleans are not): kind ``int``."""
Real = Annotated[float, _REAL]
"""A finite number (booleans and strings are rejected): kind ``float``."""
Text = Annotated[str, StringConstraints(min_length=1), AfterValidator(_non_blank)]
Scalar = Annotated[JsonScalar, BeforeValidator(_scalar)]
Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    PlainSerializer(_money_json, return_type=float, when_used="json"),
    WithJsonSchema({"type": "number", "description": "euros, whole cents"}),
]
"""Euros in whole cents, stored as a ``Decimal`` with two places: kind ``money``."""


def summary_only(schema: dict[str, Any]) -> None:
    """Keep only the first paragraph of a model's docstring as its JSON Schema description."""
    description = schema.get("description")
    if isinstance(description, str):
        schema["description"] = description.split("\n\n")[0]


class Row(BaseModel):
    """Base of the models that are one row of a table: extra columns pass through.

    Unknown keys are kept (``model_extra``) as JSON scalars, as the contract keeps extra
    columns; a key named like a result column of the row is rejected.
    """

    model_config = ConfigDict(
        frozen=True, extra="allow", allow_inf_nan=False, json_schema_extra=summary_only
    )
    __pydantic_extra__: dict[str, Scalar] = Field(init=False)
    reserved_columns: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _pass_through(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        for key in data:
            if key in cls.reserved_columns and key not in cls.model_fields:
                raise ColumnError(key, "an extra column may not be named like a result column")
        return data

    @property
    def extras(self) -> dict[str, JsonScalar]:
        """The pass-through columns of this row, in input order."""
        return dict(self.model_extra or {})


_S: Final = by_name(SERVICES)


class Service(Row):
    """One catalogue row: a service's unit, price, caps and to whom the row applies.

    Field names and rules are those of the contract's ``services`` table. ``unit_price_eur``
    is kept exactly as a ``Decimal`` with two places (a float is accepted when it is within
    1e-6 EUR of a whole cent). ``target_groups`` is empty for "all groups" and accepts a
    comma-separated string. ``name_lv``, ``name_en``, ``effective_date`` and ``price_source``
    describe the row (the default catalogue fills them in).

    Examples
    --------
    >>> s = Service(service="physiotherapy", unit="session", unit_price_eur=25.5,
    ...             target_groups="FT,GRT", max_age=17)
    >>> s.unit_price_eur, s.unit_price_cents, s.target_groups
    (Decimal('25.50'), 2550, ('GRT', 'FT'))
    >>> s.applies_to(age=9, target_group="FT"), s.applies_to(age=30, target_group="FT")
    (True, False)
    """

    service: Text = field(_S["service"])
    unit: Unit = field(_S["unit"])
    unit_price_eur: Money = field(_S["unit_price_eur"])
    municipality: Annotated[Text | None, NoneIfMissing] = field(_S["municipality"], None)
    max_units_per_week: Annotated[Real | None, NoneIfMissing] = field(
        _S["max_units_per_week"], None
    )
    max_units_per_year: Annotated[Real | None, NoneIfMissing] = field(
        _S["max_units_per_year"], None
    )
    min_age: Annotated[Whole | None, NoneIfMissing] = field(_S["min_age"], None)
    max_age: Annotated[Whole | None, NoneIfMissing] = field(_S["max_age"], None)
    target_groups: Annotated[tuple[TargetGroup, ...], BeforeValidator(_target_groups)] = field(
        _S["target_groups"], ()
    )
    hours_per_unit: Annotated[Real, ZeroIfMissing] = field(_S["hours_per_unit"], 0.0)
    name_lv: Annotated[Text | None, NoneIfMissing] = None
    name_en: Annotated[Text | None, NoneIfMissing] = None
    effective_date: Annotated[dt.date | None, NoneIfMissing] = None
    price_source: Annotated[Text | None, NoneIfMissing] = None

    @field_validator("max_age")
    @classmethod
    def _age_band(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min_age")
        if value is not None and low is not None and low > value:
            raise ValueError(f"is below min_age {low}")
        return value

    @property
    def unit_price_cents(self) -> int:
        """The unit price in whole cents."""
        return int(self.unit_price_eur * 100)

    @property
    def age_band(self) -> tuple[int, int]:
        """The ages the row applies to, inclusive, within 0..120."""
        low = 0 if self.min_age is None else self.min_age
        high = MAX_AGE if self.max_age is None else min(self.max_age, MAX_AGE)
        return low, high

    @property
    def groups(self) -> frozenset[str]:
        """The target groups the row applies to (all three when none is named)."""
        return frozenset(self.target_groups or TARGET_GROUPS)

    def applies_to(self, age: int, target_group: str) -> bool:
        """Whether the row's age band contains ``age`` and its groups include the group."""
        low, high = self.age_band
        return low <= age <= high and target_group in self.groups
