"""Odd objects in contract cells (issue 9): an ``InputError`` naming table, row and column, or
that participant quarantined; never ``TypeError: unhashable type`` or another crash. Extra
columns pass through untouched whatever they hold."""

from __future__ import annotations

import datetime
import decimal
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
TABLE_POS = {"participants": 0, "plan_items": 1, "services": 2}

ODD = {
    "list": ["Bauska"],
    "dict": {"a": 1},
    "set": {1},
    "tuple_with_list": (1, [2]),
    "bytes": b"12",
    "frame": pd.DataFrame({"a": [1, 2]}),
    "array": np.array([1, 2]),
    "decimal": decimal.Decimal("1.50"),
    "datetime": datetime.datetime(2024, 1, 1),
    "huge_int": 10**400,
    "inf": float("inf"),
    "object": object(),
}

CONTRACT_CELLS = [
    ("participants", "target_group"),
    ("participants", "age"),
    ("participants", "municipality"),
    ("participants", "budget_eur"),
    ("participants", "family_hours_per_week"),
    ("participants", "period_weeks"),
    ("plan_items", "service"),
    ("plan_items", "team_rank"),
    ("plan_items", "family_rank"),
    ("plan_items", "weight"),
    ("plan_items", "recommended_units"),
    ("plan_items", "min_units"),
    ("plan_items", "max_units"),
    ("services", "service"),
    ("services", "unit"),
    ("services", "unit_price_eur"),
    ("services", "municipality"),
    ("services", "max_units_per_year"),
    ("services", "min_age"),
    ("services", "target_groups"),
    ("services", "hours_per_unit"),
]


def put(tables: Tables, table: str, row: int, column: str, value: object) -> Tables:
    """A copy of the tables with one cell (an object column) holding ``value``."""
    t = [df.copy() for df in tables]
    df = t[TABLE_POS[table]]
    cells = df[column].tolist() if column in df.columns else [None] * len(df)
    cells[row] = value
    df[column] = pd.Series(cells, index=df.index, dtype=object)
    return t[0], t[1], t[2]


@pytest.mark.parametrize("name", list(ODD))
@pytest.mark.parametrize(("table", "column"), CONTRACT_CELLS)
def test_odd_cell_is_an_input_error_naming_the_cell(
    tables: Callable[[], Tables], table: str, column: str, name: str
) -> None:
    row = 1  # P2 (participants), P1's 2nd item (plan_items), catalogue row 2 (services)
    t = put(tables(), table, row, column, ODD[name])
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(*t)
    p = info.value.problems
    mine = p[(p["table"] == table) & (p["column"] == column)]
    assert len(mine) >= 1, p
    expect_row = {"participants": "P2", "plan_items": "P1", "services": 2}[table]
    assert (mine["row"].astype(str) == str(expect_row)).any(), mine
    # the reason shows the cell on one line, shortened
    assert all("\n" not in r and len(r) < 400 for r in p["reason"])


@pytest.mark.parametrize("name", list(ODD))
@pytest.mark.parametrize(("table", "column"), [c for c in CONTRACT_CELLS if c[0] != "services"])
def test_odd_cell_quarantines_its_participant(
    tables: Callable[[], Tables], table: str, column: str, name: str
) -> None:
    t = put(tables(), table, 1, column, ODD[name])
    owner = "P2" if table == "participants" else "P1"
    res = ibm.allocate(*t, errors="quarantine")
    assert set(res.rejected["participant_id"]) == {owner}
    assert owner not in set(res.participants["participant_id"])
    assert len(res.participants) == 2


@pytest.mark.parametrize("name", ["list", "dict", "set", "frame", "array", "tuple_with_list"])
@pytest.mark.parametrize("table", ["participants", "plan_items", "services"])
def test_unhashable_id_or_service_cell_raises_even_in_quarantine(
    tables: Callable[[], Tables], table: str, name: str
) -> None:
    """A row without a usable participant id (or a broken catalogue row) belongs to no one."""
    column = "service" if table == "services" else "participant_id"
    t = put(tables(), table, 1, column, ODD[name])
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(*t, errors="quarantine")
    p = info.value.problems
    assert ((p["table"] == table) & (p["column"] == column)).any(), p


def test_huge_ints_are_invalid_not_overflow(tables: Callable[[], Tables]) -> None:
    t = put(tables(), "participants", 0, "budget_eur", 10**400)
    t = put(t, "plan_items", 2, "team_rank", 2**64)
    t = put(t, "services", 0, "unit_price_eur", -(10**30))
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(*t)
    got = set(zip(info.value.problems["table"], info.value.problems["column"], strict=True))
    assert got == {
        ("participants", "budget_eur"),
        ("plan_items", "team_rank"),
        ("services", "unit_price_eur"),
    }


def test_infinite_int_cell_gives_no_numpy_warning(tables: Callable[[], Tables]) -> None:
    t = put(tables(), "participants", 0, "age", float("inf"))
    t = put(t, "plan_items", 0, "recommended_units", float("-inf"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from inf - inf
        with pytest.raises(ibm.InputError):
            ibm.allocate(*t)


def test_long_cell_shown_shortened(tables: Callable[[], Tables]) -> None:
    t = put(tables(), "participants", 1, "budget_eur", pd.DataFrame({"a": range(100)}))
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(*t)
    reason = info.value.problems["reason"].iloc[0]
    assert "(got <DataFrame: " in reason and "...>)" in reason


def test_extra_columns_with_unhashable_objects_pass_through(
    tables: Callable[[], Tables],
) -> None:
    p, i, s = tables()
    p["notes"] = pd.Series([["a"], {"b": 1}, np.array([1, 2])], dtype=object)
    i["meta"] = pd.Series([{1}, [2], pd.DataFrame(), b"x", None], dtype=object)
    s["source"] = pd.Series([[k] for k in range(len(s))], dtype=object)
    res = ibm.allocate(p, i, s)
    assert res.participants["notes"].iloc[0] == ["a"]
    assert res.participants["notes"].iloc[1] == {"b": 1}
    assert res.participants["notes"].iloc[2] is p["notes"].iloc[2]
    assert [res.items["meta"].iloc[k] for k in (0, 1, 3)] == [{1}, [2], b"x"]
    assert res.items["meta"].iloc[2] is i["meta"].iloc[2]
    t = put((p, i, s), "participants", 1, "age", [7])
    res = ibm.allocate(*t, errors="quarantine")
    assert res.participants["participant_id"].tolist() == ["P1", "P3"]
    assert res.participants["notes"].iloc[0] == ["a"]
    assert res.items["meta"].tolist()[:2] == [{1}, [2]]
