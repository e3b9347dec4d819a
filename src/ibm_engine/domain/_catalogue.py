"""The service catalogue: :class:`Catalogue` and the contract's "which row applies" rule."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Any, Final, NoReturn, Self

import pandas as pd
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, model_validator

from ibm_engine.domain._service import ColumnError, Service, is_missing, summary_only
from ibm_engine.errors import InputError

SERVICE_COLUMNS: Final = (
    "service",
    "unit",
    "unit_price_eur",
    "municipality",
    "max_units_per_week",
    "max_units_per_year",
    "min_age",
    "max_age",
    "target_groups",
    "hours_per_unit",
)
REQUIRED_SERVICE_COLUMNS: Final = ("service", "unit", "unit_price_eur")
DESCRIPTIVE_COLUMNS: Final = ("name_lv", "name_en", "effective_date", "price_source")
_TABLE: Final = "services"


def _problem(row: int | None, column: str | None, reason: str) -> dict[str, Any]:
    return {"table": _TABLE, "row": row, "participant_id": None, "column": column, "reason": reason}


def _overlaps(rows: tuple[Service, ...]) -> list[dict[str, Any]]:
    """Problems for pairs of rows that could both apply to one participant."""
    groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for n, row in enumerate(rows):
        groups[(row.service, row.municipality)].append(n)
    problems = []
    for (service, municipality), members in groups.items():
        for i, j in combinations(members, 2):
            a, b = rows[i], rows[j]
            low = max(a.age_band[0], b.age_band[0])
            high = min(a.age_band[1], b.age_band[1])
            shared = sorted(a.groups & b.groups)
            if low > high or not shared:
                continue
            if {a.min_age, a.max_age, b.min_age, b.max_age} != {None}:
                column = "min_age"
            else:
                column = "target_groups" if a.target_groups or b.target_groups else "service"
            where = f"municipality {municipality!r}" if municipality else "the default rows"
            reason = (
                f"overlaps row {i + 1} for service {service!r} in {where}: ages {low}-{high}, "
                f"groups {','.join(shared)} would match both rows"
            )
            problems.append(_problem(j + 1, column, reason))
    return problems


def _raise_input_error(exc: ValidationError) -> NoReturn:
    """Re-raise the InputError that a validator raised, unwrapped from pydantic's error."""
    for error in exc.errors():
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, InputError):
            raise cause from None
    raise exc


class Catalogue(BaseModel):
    """The service catalogue: every row of the contract's ``services`` table.

    A service may have several rows (per municipality, per age band, per target group).
    Two rows of one service and one municipality (or two default rows) that could both apply
    to one participant are an :class:`~ibm_engine.InputError` raised at construction.

    Examples
    --------
    >>> cat = Catalogue(services=[
    ...     Service(service="care", unit="hour", unit_price_eur=8, max_age=4,
    ...             max_units_per_week=50),
    ...     Service(service="care", unit="hour", unit_price_eur=8, min_age=5, max_age=17,
    ...             max_units_per_week=10),
    ...     Service(service="care", unit="hour", unit_price_eur=9.5, municipality="Dobele"),
    ... ])
    >>> cat.applicable_row("care", "Bauska", age=3, target_group="FT").max_units_per_week
    50.0
    >>> cat.applicable_row("care", "Dobele", age=3, target_group="FT").unit_price_eur
    Decimal('9.50')
    >>> cat.applicable_row("care", "Bauska", age=30, target_group="GRT") is None
    True
    """

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=summary_only)

    services: tuple[Service, ...] = ()
    _rows: dict[str, tuple[Service, ...]] = PrivateAttr(default_factory=dict)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            _raise_input_error(exc)

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate like pydantic, raising overlapping rows as an InputError."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            _raise_input_error(exc)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """Validate JSON like pydantic, raising overlapping rows as an InputError."""
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            _raise_input_error(exc)

    @model_validator(mode="after")
    def _no_overlaps(self) -> Self:
        problems = _overlaps(self.services)
        if problems:
            raise InputError(problems)
        return self

    def model_post_init(self, context: Any, /) -> None:
        """Index the rows by service."""
        rows: dict[str, list[Service]] = defaultdict(list)
        for row in self.services:
            rows[row.service].append(row)
        self._rows = {k: tuple(v) for k, v in rows.items()}

    @property
    def service_codes(self) -> tuple[str, ...]:
        """The distinct service codes, in order of first appearance."""
        return tuple(self._rows)

    @property
    def municipalities(self) -> frozenset[str]:
        """The municipalities that have at least one row of their own."""
        return frozenset(r.municipality for r in self.services if r.municipality is not None)

    def rows_for(self, service: str) -> tuple[Service, ...]:
        """All rows of one service, in catalogue order (empty if the service is unknown)."""
        return self._rows.get(service, ())

    def applicable_row(
        self, service: str, municipality: str | None, age: int, target_group: str
    ) -> Service | None:
        """The catalogue row that applies to a participant, or None (not eligible).

        If the participant's municipality has any row for the service, only those rows are
        candidates, otherwise the default rows (municipality empty). Among the candidates, the
        row whose age band contains ``age`` and whose target groups include ``target_group``
        applies. Construction guarantees that at most one does.
        """
        rows = self.rows_for(service)
        local = [r for r in rows if municipality is not None and r.municipality == municipality]
        candidates = local or [r for r in rows if r.municipality is None]
        return next((r for r in candidates if r.applies_to(age, target_group)), None)

    @classmethod
    def from_frame(cls, frame: Any) -> Catalogue:
        """Build a catalogue from a ``services`` table (anything ``pd.DataFrame`` accepts).

        Empty cells mean the contract's default; extra columns pass through as extras.

        Raises
        ------
        ibm_engine.InputError
            Listing every problem: missing columns, invalid cells (row = 1-based row number),
            overlapping rows.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"service": ["respite_care"], "unit": ["day"],
        ...                    "unit_price_eur": [45.0], "max_units_per_year": [30.0]})
        >>> cat = Catalogue.from_frame(df)
        >>> cat.rows_for("respite_care")[0].max_units_per_year
        30.0
        >>> cat.to_frame().columns.tolist()[:4]
        ['service', 'unit', 'unit_price_eur', 'municipality']
        """
        df = pd.DataFrame(frame)
        names = [str(c) for c in df.columns]
        problems = [
            _problem(None, c, "missing required column")
            for c in REQUIRED_SERVICE_COLUMNS
            if c not in names
        ]
        problems += [
            _problem(None, c, "column appears more than once")
            for c in sorted({c for c in names if names.count(c) > 1})
        ]
        if problems:
            raise InputError(problems)
        df.columns = pd.Index(names)
        fields = Service.model_fields
        rows = []
        for n, record in enumerate(df.to_dict("records"), start=1):
            data = {str(k): v for k, v in record.items() if k not in fields or not is_missing(v)}
            try:
                rows.append(Service.model_validate(data))
            except ValidationError as exc:
                for error in exc.errors():
                    cause = error.get("ctx", {}).get("error")
                    column = (
                        cause.column
                        if isinstance(cause, ColumnError)
                        else (str(error["loc"][0]) if error["loc"] else None)
                    )
                    problems.append(_problem(n, column, error["msg"].removeprefix("Value error, ")))
        if problems:
            raise InputError(problems)
        return cls(services=tuple(rows))

    def to_frame(self) -> pd.DataFrame:
        """The catalogue as a ``services`` table: contract columns, descriptive ones, extras."""
        records = []
        for row in self.services:
            record = row.model_dump()
            record["unit_price_eur"] = float(row.unit_price_eur)
            record["target_groups"] = ",".join(row.target_groups) or None
            records.append(record)
        columns = [*SERVICE_COLUMNS, *DESCRIPTIVE_COLUMNS]
        extra = list(dict.fromkeys(k for r in records for k in r if k not in columns))
        df = pd.DataFrame(records, columns=[*columns, *extra])
        return df.astype(
            {
                "unit_price_eur": "float64",
                "max_units_per_week": "float64",
                "max_units_per_year": "float64",
                "min_age": "Int64",
                "max_age": "Int64",
                "hours_per_unit": "float64",
            }
        )
