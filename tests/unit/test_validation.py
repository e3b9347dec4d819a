"""Bad input (contract v1, "The tables" and "Bad input"): one test per validation rule.

Every rule is checked twice where it belongs to a participant: ``errors="raise"`` raises an
``InputError`` naming table, row and column; ``errors="quarantine"`` sets that participant aside
and allocates the others.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
TABLE_POS = {"participants": 0, "plan_items": 1, "services": 2}
PROBLEM_COLUMNS = [
    "table",
    "row",
    "participant_id",
    "column",
    "reason",
    "file",
    "sheet",
    "source_row",
]


# --------------------------------------------------------------------------- helpers


def raises(tables: Tables, **kw: Any) -> ibm.InputError:
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(*tables, **kw)
    return info.value


def rows_of(err: ibm.InputError, table: str, column: str | None) -> pd.DataFrame:
    p = err.problems
    sel = p[(p["table"] == table) & (p["column"] == column)] if column else p[p["table"] == table]
    return sel


def assert_problem(
    err: ibm.InputError, table: str, column: str, row: object = None
) -> pd.DataFrame:
    """The error lists a problem of ``table``/``column`` (at ``row``), also in its message."""
    sel = rows_of(err, table, column)
    assert len(sel), f"no problem for {table}.{column} in\n{err.problems}"
    if row is not None:
        sel = sel[sel["row"].astype(str) == str(row)]
        assert len(sel), f"no problem for {table}.{column} at row {row!r} in\n{err.problems}"
    msg = str(err)
    assert table in msg and column in msg
    if row is not None:
        assert str(row) in msg
    return sel


def set_cell(tables: Tables, table: str, row: int, column: str, value: object) -> Tables:
    """A copy of the tables with one cell changed."""
    t = [df.copy() for df in tables]
    df = t[TABLE_POS[table]]
    cells = df[column].tolist() if column in df.columns else [None] * len(df)
    cells[row] = value
    df[column] = pd.Series(cells, index=df.index)  # the dtype pandas infers, as from a file
    return t[0], t[1], t[2]


def quarantined(tables: Tables, **kw: Any) -> ibm.AllocationResult:
    return ibm.allocate(*tables, errors="quarantine", **kw)


def assert_partition(tables: Tables, res: ibm.AllocationResult) -> None:
    """Every input participant is in exactly one of result.participants and result.rejected."""
    ids = tables[0]["participant_id"].astype(str).tolist()
    kept = res.participants["participant_id"].astype(str).tolist()
    rej = set(res.rejected["participant_id"].astype(str))
    assert len(kept) == len(set(kept))
    assert set(kept).isdisjoint(rej)
    assert set(kept) | rej == set(ids)
    assert {"participant_id", "table", "column", "reason"} <= set(res.rejected.columns)
    # rejected participants have no item rows; kept ones have all of theirs
    assert set(res.items["participant_id"].astype(str)).isdisjoint(rej)
    items = tables[1]
    expect = items[items["participant_id"].astype(str).isin(kept)]
    assert len(res.items) == len(expect)


def assert_rejected(
    tables: Tables, pid: str, table: str, column: str, **kw: Any
) -> ibm.AllocationResult:
    res = quarantined(tables, **kw)
    assert_partition(tables, res)
    rej = res.rejected
    mine = rej[rej["participant_id"].astype(str) == pid]
    assert len(mine), f"{pid} not rejected:\n{rej}"
    assert ((mine["table"] == table) & (mine["column"] == column)).any(), mine
    assert pid not in set(res.participants["participant_id"].astype(str))
    return res


# --------------------------------------------------------------------------- the error object


def test_input_error_is_a_value_error(tables: Callable[[], Tables]) -> None:
    t = set_cell(tables(), "participants", 0, "age", 200)
    err = raises(t)
    assert isinstance(err, ValueError)
    assert isinstance(err, ibm.IbmEngineError)
    assert list(err.problems.columns) == PROBLEM_COLUMNS


def test_every_problem_is_listed_at_once(tables: Callable[[], Tables]) -> None:
    t = set_cell(tables(), "participants", 0, "age", 200)  # P1
    t = set_cell(t, "participants", 2, "target_group", "XX")  # P3
    t = set_cell(t, "plan_items", 2, "recommended_units", 0)  # P2
    t = set_cell(t, "services", 4, "unit", "minute")  # row 5
    t = set_cell(t, "services", 1, "unit_price_eur", -1.0)  # row 2
    err = raises(t)
    assert_problem(err, "participants", "age", "P1")
    assert_problem(err, "participants", "target_group", "P3")
    assert_problem(err, "plan_items", "recommended_units", "P2")
    assert_problem(err, "services", "unit", 5)
    assert_problem(err, "services", "unit_price_eur", 2)
    assert len(err.problems) >= 5


def test_row_is_participant_id_or_one_based_row_number(tables: Callable[[], Tables]) -> None:
    t = set_cell(tables(), "participants", 1, "age", -1)
    t = set_cell(t, "services", 2, "unit_price_eur", 1.234)
    err = raises(t)
    sel = assert_problem(err, "participants", "age", "P2")
    assert sel["participant_id"].tolist() == ["P2"]
    sel = assert_problem(err, "services", "unit_price_eur", 3)
    assert sel["participant_id"].isna().all()


# --------------------------------------------------------------------------- required columns

REQUIRED = [
    ("participants", "participant_id"),
    ("participants", "target_group"),
    ("participants", "age"),
    ("participants", "municipality"),
    ("participants", "budget_eur"),
    ("plan_items", "participant_id"),
    ("plan_items", "service"),
    ("plan_items", "team_rank"),
    ("plan_items", "recommended_units"),
    ("services", "service"),
    ("services", "unit"),
    ("services", "unit_price_eur"),
]


@pytest.mark.parametrize("errors", ["raise", "quarantine"])
@pytest.mark.parametrize(("table", "column"), REQUIRED)
def test_missing_required_column(
    tables: Callable[[], Tables], table: str, column: str, errors: str
) -> None:
    t = list(tables())
    t[TABLE_POS[table]] = t[TABLE_POS[table]].drop(columns=[column])
    err = raises((t[0], t[1], t[2]), errors=errors)
    assert_problem(err, table, column)


@pytest.mark.parametrize("empty", [None, np.nan, ""])
@pytest.mark.parametrize(("table", "column"), REQUIRED)
def test_empty_required_cell(
    tables: Callable[[], Tables], table: str, column: str, empty: object
) -> None:
    row = 1  # P2 in participants and plan_items; the default psychologist row in services
    t = set_cell(tables(), table, row, column, empty)
    err = raises(t)
    assert_problem(err, table, column)


@pytest.mark.parametrize(
    ("table", "column"),
    [c for c in REQUIRED if c[1] != "participant_id" and c[0] != "services"],
)
def test_empty_required_cell_quarantines_the_participant(
    tables: Callable[[], Tables], table: str, column: str
) -> None:
    t = set_cell(tables(), table, 2 if table == "plan_items" else 1, column, None)  # P2
    res = assert_rejected(t, "P2", table, column)
    assert set(res.participants["participant_id"]) == {"P1", "P3"}


def test_empty_participant_id_raises_even_in_quarantine(tables: Callable[[], Tables]) -> None:
    t = set_cell(tables(), "participants", 1, "participant_id", None)
    err = raises(t, errors="quarantine")
    assert_problem(err, "participants", "participant_id", 2)


# --------------------------------------------------------------------------- int columns

INT_COLUMNS = [
    ("participants", 1, "age", 7),
    ("participants", 1, "period_weeks", 26),
    ("plan_items", 2, "team_rank", 1),
    ("plan_items", 2, "recommended_units", 20),
    ("plan_items", 2, "min_units", 2),
    ("plan_items", 2, "max_units", 9),
    ("services", 4, "min_age", 0),
    ("services", 4, "max_age", 17),
]


@pytest.mark.parametrize(("table", "row", "column", "good"), INT_COLUMNS)
def test_int_column_rejects_fraction(
    tables: Callable[[], Tables], table: str, row: int, column: str, good: int
) -> None:
    t = set_cell(tables(), table, row, column, good + 0.5)
    err = raises(t)
    assert_problem(err, table, column)


def test_family_rank_rejects_fraction(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    i["family_rank"] = [1.0, 2.5, 1.0, 2.0, 1.0]
    err = raises((p, i, s))
    assert_problem(err, "plan_items", "family_rank", "P1")


@pytest.mark.parametrize(("table", "row", "column", "good"), INT_COLUMNS)
def test_int_column_accepts_integral_float_and_nullable_int(
    tables: Callable[[], Tables], table: str, row: int, column: str, good: int
) -> None:
    as_int = set_cell(tables(), table, row, column, good)
    expect = ibm.allocate(*as_int)
    as_float = list(as_int)
    df = as_float[TABLE_POS[table]]
    df[column] = pd.to_numeric(df[column]).astype(float)  # 3.0, NaN elsewhere
    got = ibm.allocate(*as_float)
    nullable = list(as_int)
    df = nullable[TABLE_POS[table]].copy()
    df[column] = pd.to_numeric(df[column]).astype("Int64")
    nullable[TABLE_POS[table]] = df
    got2 = ibm.allocate(*nullable)
    for res in (got, got2):
        assert res.items["units"].tolist() == expect.items["units"].tolist()
        assert res.items["upper_units"].tolist() == expect.items["upper_units"].tolist()


def test_family_rank_accepts_integral_floats(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    i["family_rank"] = [2, 1, 1, 2, 1]
    expect = ibm.allocate(p, i, s)
    i["family_rank"] = [2.0, 1.0, 1.0, 2.0, 1.0]
    assert ibm.allocate(p, i, s).items["weight"].tolist() == expect.items["weight"].tolist()
    i["family_rank"] = pd.array([2, 1, 1, 2, 1], dtype="Int64")
    assert ibm.allocate(p, i, s).items["weight"].tolist() == expect.items["weight"].tolist()


def test_nullable_dtypes_accepted(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    expect = ibm.allocate(p, i, s)
    p = p.astype({"participant_id": "string", "age": "Int64", "budget_eur": "Float64"})
    i = i.astype({"participant_id": "string", "team_rank": "Int64", "recommended_units": "Int64"})
    s = s.astype({"service": "string", "unit_price_eur": "Float64"})
    got = ibm.allocate(p, i, s)
    assert got.items["units"].tolist() == expect.items["units"].tolist()
    assert got.participants["value"].tolist() == expect.participants["value"].tolist()


# --------------------------------------------------------------------------- money

MONEY = [("participants", 0, "budget_eur"), ("services", 1, "unit_price_eur")]


@pytest.mark.parametrize(("table", "row", "column"), MONEY)
@pytest.mark.parametrize("bad", [12.345, 12.3400021, 0.001, -0.005, np.inf])
def test_money_not_whole_cents_rejected(
    tables: Callable[[], Tables], table: str, row: int, column: str, bad: float
) -> None:
    err = raises(set_cell(tables(), table, row, column, bad))
    assert_problem(err, table, column)


@pytest.mark.parametrize("near", [12.3400004, 12.3399996, 0.1 + 0.2])
def test_budget_within_a_micro_euro_taken_as_whole_cents(
    tables: Callable[[], Tables], near: float
) -> None:
    res = ibm.allocate(*set_cell(tables(), "participants", 0, "budget_eur", near))
    cents = round(near * 100)
    assert round(res.participants.loc[0, "budget_eur"] * 100) == cents
    assert res.participants.loc[0, "budget_eur"] == cents / 100
    left = res.participants.loc[0, "left_eur"] + res.participants.loc[0, "spent_eur"]
    assert round(left * 100) == cents


@pytest.mark.parametrize("near", [26.9999996, 27.0000004])
def test_price_within_a_micro_euro_taken_as_whole_cents(
    tables: Callable[[], Tables], near: float
) -> None:
    p, i, s = tables()
    p = p[p["participant_id"] == "P2"]  # default psychologist price is not used by P2 (Bauska)
    p = p.assign(municipality="Elsewhere")
    i = i[i["participant_id"] == "P2"]
    s.loc[1, "unit_price_eur"] = near  # psychologist default 35 -> 27 (approximately)
    with pytest.warns(ibm.UnknownMunicipalityWarning):
        res = ibm.allocate(p, i, s)
    row = res.items[res.items["service"] == "psychologist"].iloc[0]
    assert row["unit_price_eur"] == 27.0
    assert row["cost_eur"] == 27 * int(row["units"])


@pytest.mark.parametrize(("table", "row", "column"), MONEY)
def test_negative_money_rejected(
    tables: Callable[[], Tables], table: str, row: int, column: str
) -> None:
    err = raises(set_cell(tables(), table, row, column, -1.0))
    assert_problem(err, table, column)


def test_negative_budget_quarantined(tables: Callable[[], Tables]) -> None:
    assert_rejected(
        set_cell(tables(), "participants", 1, "budget_eur", -0.01),
        "P2",
        "participants",
        "budget_eur",
    )


# --------------------------------------------------------------------------- participants


@pytest.mark.parametrize("age", [-1, 121, 1000])
def test_age_outside_0_120_rejected(tables: Callable[[], Tables], age: int) -> None:
    t = set_cell(tables(), "participants", 1, "age", age)
    assert_problem(raises(t), "participants", "age", "P2")
    assert_rejected(t, "P2", "participants", "age")


@pytest.mark.parametrize("age", [0, 120])
def test_age_limits_accepted(tables: Callable[[], Tables], age: int) -> None:
    res = ibm.allocate(*set_cell(tables(), "participants", 0, "age", age))
    assert res.participants.loc[0, "age"] == age


@pytest.mark.parametrize("group", ["XX", "grt", "GRT,FT", " FT", "adult"])
def test_target_group_not_in_list_rejected(tables: Callable[[], Tables], group: str) -> None:
    t = set_cell(tables(), "participants", 1, "target_group", group)
    assert_problem(raises(t), "participants", "target_group", "P2")
    assert_rejected(t, "P2", "participants", "target_group")


@pytest.mark.parametrize(("column", "bad"), [("family_hours_per_week", -1.0), ("period_weeks", 0)])
def test_participant_optional_column_ranges(
    tables: Callable[[], Tables], column: str, bad: float
) -> None:
    t = set_cell(tables(), "participants", 1, column, bad)
    assert_problem(raises(t), "participants", column, "P2")
    assert_rejected(t, "P2", "participants", column)


def test_duplicate_participant_id(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    p = pd.concat([p, p.iloc[[1]]], ignore_index=True)  # P2 twice
    assert_problem(raises((p, i, s)), "participants", "participant_id", "P2")
    res = quarantined((p, i, s))
    assert_partition((p, i, s), res)
    rej = res.rejected
    assert (rej["participant_id"] == "P2").sum() >= 2  # every copy
    assert set(res.participants["participant_id"]) == {"P1", "P3"}


def test_unknown_municipality_warns_naming_it(tables: Callable[[], Tables]) -> None:
    t = set_cell(tables(), "participants", 0, "municipality", "Dobelle")
    with pytest.warns(ibm.UnknownMunicipalityWarning, match="Dobelle"):
        res = ibm.allocate(*t)
    # default rows apply: the default physiotherapy price, not Dobele's
    row = res.items[(res.items["participant_id"] == "P1")].iloc[0]
    assert row["unit_price_eur"] == 27.0


def test_default_only_catalogue_does_not_warn(tables: Callable[[], Tables]) -> None:
    """Contract 1.1: with default rows only, every municipality uses them by design."""
    p, i, s = tables()
    s = s[s["municipality"].isna()].drop(columns=["municipality"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ibm.allocate(p, i, s)


def test_known_municipalities_do_not_warn(tables: Callable[[], Tables]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ibm.allocate(*tables())


@pytest.mark.parametrize(
    ("table", "row", "column", "text"),
    [
        ("participants", 1, "age", "7"),
        ("participants", 1, "budget_eur", "900.00"),
        ("plan_items", 2, "recommended_units", "20"),
        ("services", 1, "unit_price_eur", "35"),
    ],
)
def test_numbers_given_as_text_rejected(
    tables: Callable[[], Tables], table: str, row: int, column: str, text: str
) -> None:
    """Nothing is silently coerced: "7" is text, not an int."""
    assert_problem(raises(set_cell(tables(), table, row, column, text)), table, column)


# --------------------------------------------------------------------------- plan items


def test_unknown_service_rejected(tables: Callable[[], Tables]) -> None:
    t = set_cell(tables(), "plan_items", 2, "service", "astrology")
    assert_problem(raises(t), "plan_items", "service", "P2")
    assert_rejected(t, "P2", "plan_items", "service")


def test_service_only_in_another_municipality_is_known_but_not_eligible(
    tables: Callable[[], Tables],
) -> None:
    p, i, s = tables()
    s = pd.concat(
        [
            s,
            pd.DataFrame(
                [
                    {
                        "service": "transport",
                        "unit": "trip",
                        "unit_price_eur": 9.8,
                        "municipality": "Dobele",
                    }
                ]
            ),
        ]
    )
    i = pd.concat(
        [
            i,
            pd.DataFrame(
                [
                    {
                        "participant_id": "P2",
                        "service": "transport",
                        "team_rank": 3,
                        "recommended_units": 5,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    res = ibm.allocate(p, i, s)
    row = res.items.iloc[-1]
    assert (row["reason"], row["units"], row["upper_units"]) == ("not_eligible", 0, 0)


def test_plan_participant_not_in_participants_raises_even_in_quarantine(
    tables: Callable[[], Tables],
) -> None:
    t = set_cell(tables(), "plan_items", 4, "participant_id", "P9")
    for errors in ("raise", "quarantine"):
        err = raises(t, errors=errors)
        assert_problem(err, "plan_items", "participant_id")
        assert "P9" in str(err)


def test_duplicate_service_in_a_plan(tables: Callable[[], Tables]) -> None:
    t = set_cell(tables(), "plan_items", 3, "service", "respite_care")  # P2 twice respite
    t = set_cell(t, "plan_items", 3, "team_rank", 2)
    assert_problem(raises(t), "plan_items", "service", "P2")
    assert_rejected(t, "P2", "plan_items", "service")


def test_same_service_for_two_participants_is_fine(tables: Callable[[], Tables]) -> None:
    res = ibm.allocate(*tables())  # psychologist for P1, P2 and P3
    assert (res.items["service"] == "psychologist").sum() == 3


def test_team_rank_not_unique(tables: Callable[[], Tables]) -> None:
    t = set_cell(tables(), "plan_items", 3, "team_rank", 1)  # P2: 1, 1
    assert_problem(raises(t), "plan_items", "team_rank", "P2")
    assert_rejected(t, "P2", "plan_items", "team_rank")


def test_team_rank_unique_within_participant_only(tables: Callable[[], Tables]) -> None:
    res = ibm.allocate(*tables())  # rank 1 in every participant
    assert len(res.participants) == 3


@pytest.mark.parametrize(
    ("column", "bad"),
    [
        ("team_rank", 0),
        ("family_rank", 0),
        ("recommended_units", 0),
        ("min_units", -1),
        ("max_units", -1),
        ("weight", 0.0),
        ("weight", -0.5),
    ],
)
def test_plan_item_ranges(tables: Callable[[], Tables], column: str, bad: float) -> None:
    p, i, s = tables()
    if column in ("family_rank", "weight"):  # given for all of P2's items
        i[column] = [1, 2, 1, 2, 1] if column == "family_rank" else 0.5
    t = set_cell((p, i, s), "plan_items", 2, column, bad)
    assert_problem(raises(t), "plan_items", column, "P2")
    assert_rejected(t, "P2", "plan_items", column)


def test_family_rank_not_unique(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    i["family_rank"] = [2, 1, 1, 1, 1]  # P2: 1, 1
    assert_problem(raises((p, i, s)), "plan_items", "family_rank", "P2")
    assert_rejected((p, i, s), "P2", "plan_items", "family_rank")


def test_family_rank_for_some_but_not_all_items(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    i["family_rank"] = pd.array([2, 1, 1, None, None], dtype="Int64")  # P2 partial, P3 none
    assert_problem(raises((p, i, s)), "plan_items", "family_rank", "P2")
    res = assert_rejected((p, i, s), "P2", "plan_items", "family_rank")
    assert set(res.participants["participant_id"]) == {"P1", "P3"}  # P3: none given is fine


def test_weight_for_some_but_not_all_items(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    i["weight"] = [0.7, 0.3, np.nan, 2.0, np.nan]  # P2 partial; P1 all; P3 none
    assert_problem(raises((p, i, s)), "plan_items", "weight", "P2")
    res = assert_rejected((p, i, s), "P2", "plan_items", "weight")
    assert set(res.participants["participant_id"]) == {"P1", "P3"}


# --------------------------------------------------------------------------- services


def test_unit_not_in_list(tables: Callable[[], Tables]) -> None:
    for errors in ("raise", "quarantine"):
        err = raises(set_cell(tables(), "services", 0, "unit", "minute"), errors=errors)
        assert_problem(err, "services", "unit", 1)


@pytest.mark.parametrize("unit", ["session", "hour", "day", "trip", "month"])
def test_every_listed_unit_accepted(tables: Callable[[], Tables], unit: str) -> None:
    res = ibm.allocate(*set_cell(tables(), "services", 4, "unit", unit))
    assert len(res.items) == 5


@pytest.mark.parametrize(
    ("column", "bad"),
    [("max_units_per_week", 0.0), ("max_units_per_year", -3.0), ("hours_per_unit", -0.5)],
)
def test_service_number_ranges(tables: Callable[[], Tables], column: str, bad: float) -> None:
    for errors in ("raise", "quarantine"):
        err = raises(set_cell(tables(), "services", 1, column, bad), errors=errors)
        assert_problem(err, "services", column, 2)


@pytest.mark.parametrize("groups", ["GRT,XX", "adults", "GRT;FT"])
def test_target_groups_with_unknown_name(tables: Callable[[], Tables], groups: str) -> None:
    for errors in ("raise", "quarantine"):
        err = raises(set_cell(tables(), "services", 4, "target_groups", groups), errors=errors)
        assert_problem(err, "services", "target_groups", 5)


@pytest.mark.parametrize("groups", ["GRT,FT,BSAC", "FT,BSAC", "BSAC", "GRT"])
def test_target_groups_subsets_accepted(tables: Callable[[], Tables], groups: str) -> None:
    res = ibm.allocate(*set_cell(tables(), "services", 4, "target_groups", groups))
    respite = res.items[res.items["service"] == "respite_care"].iloc[0]
    assert (respite["upper_units"] > 0) == ("FT" in groups)


def _with_rows(tables: Tables, rows: list[dict[str, object]]) -> Tables:
    p, i, s = tables
    return p, i, pd.concat([s, pd.DataFrame(rows)], ignore_index=True)


@pytest.mark.parametrize(
    "rows",
    [
        # the same default row twice
        [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 20.0}],
        # overlapping age bands, groups in common
        [
            {"service": "aba", "unit": "session", "unit_price_eur": 40.0, "max_age": 10},
            {"service": "aba", "unit": "session", "unit_price_eur": 45.0, "min_age": 10},
        ],
        # same band, overlapping groups
        [
            {
                "service": "aba",
                "unit": "session",
                "unit_price_eur": 40.0,
                "target_groups": "FT,BSAC",
            },
            {"service": "aba", "unit": "session", "unit_price_eur": 45.0, "target_groups": "BSAC"},
        ],
        # municipal rows overlapping each other
        [
            {
                "service": "psychologist",
                "unit": "session",
                "unit_price_eur": 30.0,
                "municipality": "Bauska",
                "min_age": 50,
            }
        ],
    ],
)
def test_overlapping_catalogue_rows(tables: Callable[[], Tables], rows: list[dict]) -> None:
    t = _with_rows(tables(), rows)
    first_new = len(tables()[2]) + 1  # 1-based row number of the first added row
    for errors in ("raise", "quarantine"):
        err = raises(t, errors=errors)
        p = err.problems
        assert set(p["table"]) == {"services"}
        # the contract names no column for this rule: any is fine, the rows must be named
        assert first_new in set(p["row"]), p
        assert len(set(p["row"])) >= 2, p
        assert rows[0]["service"] in str(err)


@pytest.mark.parametrize(
    "rows",
    [
        [  # adjacent age bands
            {"service": "aba", "unit": "session", "unit_price_eur": 40.0, "max_age": 9},
            {"service": "aba", "unit": "session", "unit_price_eur": 45.0, "min_age": 10},
        ],
        [  # same band, disjoint groups
            {"service": "aba", "unit": "session", "unit_price_eur": 40.0, "target_groups": "FT"},
            {
                "service": "aba",
                "unit": "session",
                "unit_price_eur": 45.0,
                "target_groups": "GRT,BSAC",
            },
        ],
        [  # a municipal row and a default row never compete
            {
                "service": "respite_care",
                "unit": "day",
                "unit_price_eur": 50.0,
                "municipality": "Bauska",
            },
        ],
    ],
)
def test_non_overlapping_rows_accepted(tables: Callable[[], Tables], rows: list[dict]) -> None:
    ibm.allocate(*_with_rows(tables(), rows))


# --------------------------------------------------------------------------- extra columns


def test_extra_columns_passed_through(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    p["case_worker"] = ["Anna", "Janis", "Ilze"]
    i["note"] = [f"n{k}" for k in range(len(i))]
    s["source"] = "price list 2024"
    res = ibm.allocate(p, i, s)
    assert res.participants["case_worker"].tolist() == ["Anna", "Janis", "Ilze"]
    assert res.items["note"].tolist() == [f"n{k}" for k in range(len(i))]
    res = quarantined(set_cell((p, i, s), "participants", 1, "age", -5))
    assert res.participants["case_worker"].tolist() == ["Anna", "Ilze"]
    assert res.items["note"].tolist() == ["n0", "n1", "n4"]


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("plan_items", "units"),
        ("plan_items", "cost_eur"),
        ("plan_items", "reason"),
        ("plan_items", "upper_units"),
        ("participants", "spent_eur"),
        ("participants", "value"),
        ("participants", "status"),
        ("participants", "left_eur"),
    ],
)
def test_extra_column_clashing_with_result_column(
    tables: Callable[[], Tables], table: str, column: str
) -> None:
    t = list(tables())
    t[TABLE_POS[table]][column] = 1
    for errors in ("raise", "quarantine"):
        err = raises((t[0], t[1], t[2]), errors=errors)
        assert_problem(err, table, column)


# --------------------------------------------------------------------------- quarantine


def test_quarantine_with_clean_input_rejects_nobody(tables: Callable[[], Tables]) -> None:
    t = tables()
    res = quarantined(t)
    assert_partition(t, res)
    assert len(res.rejected) == 0
    assert res.items["units"].tolist() == ibm.allocate(*t).items["units"].tolist()


def test_quarantine_keeps_the_others_unchanged(tables: Callable[[], Tables]) -> None:
    t = tables()
    clean = ibm.allocate(*t)
    bad = set_cell(t, "participants", 0, "budget_eur", -3.0)  # P1
    bad = set_cell(bad, "plan_items", 4, "weight", -1.0)  # P3 (its only item)
    res = quarantined(bad)
    assert_partition(bad, res)
    assert res.participants["participant_id"].tolist() == ["P2"]
    mine = clean.items[clean.items["participant_id"] == "P2"]
    assert res.items["units"].tolist() == mine["units"].tolist()
    assert set(res.rejected["participant_id"]) == {"P1", "P3"}


def test_quarantine_one_rejected_row_per_problem(tables: Callable[[], Tables]) -> None:
    t = set_cell(tables(), "participants", 1, "age", 300)
    t = set_cell(t, "participants", 1, "target_group", "ZZ")
    t = set_cell(t, "plan_items", 3, "recommended_units", 0)
    res = quarantined(t)
    assert_partition(t, res)
    mine = res.rejected[res.rejected["participant_id"] == "P2"]
    assert {(r.table, r.column) for r in mine.itertuples()} == {
        ("participants", "age"),
        ("participants", "target_group"),
        ("plan_items", "recommended_units"),
    }


def test_quarantine_everyone_rejected(tables: Callable[[], Tables]) -> None:
    t = tables()
    t[0]["budget_eur"] = -1.0
    res = quarantined(t)
    assert_partition(t, res)
    assert len(res.participants) == 0 and len(res.items) == 0
    assert set(res.rejected["participant_id"]) == {"P1", "P2", "P3"}


@pytest.mark.parametrize(
    ("kw", "column"),
    [
        ({"policy": "greedy"}, "policy"),
        ({"errors": "ignore"}, "errors"),
        ({"period_weeks": 0}, "period_weeks"),
        ({"period_weeks": 2.5}, "period_weeks"),
        ({"team_share": 1.5}, "team_share"),
        ({"team_share": -0.1}, "team_share"),
    ],
)
def test_bad_arguments(tables: Callable[[], Tables], kw: dict[str, Any], column: str) -> None:
    with pytest.raises(ValueError, match=column):
        ibm.allocate(*tables(), **kw)


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("participants", "age"),
        ("participants", "budget_eur"),
        ("plan_items", "team_rank"),
        ("plan_items", "recommended_units"),
        ("services", "unit_price_eur"),
    ],
)
def test_numeric_column_of_object_dtype(
    tables: Callable[[], Tables], table: str, column: str
) -> None:
    """``pd.DataFrame`` accepts object columns of numbers (JSON, Excel, ``astype(object)``)."""
    t = tables()
    expect = ibm.allocate(*t)
    t[TABLE_POS[table]][column] = t[TABLE_POS[table]][column].astype(object)
    got = ibm.allocate(*t)
    assert got.items["units"].tolist() == expect.items["units"].tolist()
    t[TABLE_POS[table]].at[1, column] = -7  # still a bad value reported as such
    assert_problem(raises(t), table, column)
