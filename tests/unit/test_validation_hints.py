"""Help that helps (issue 9): near-miss column names, ids differing only by surrounding spaces,
numbers written as Latvian text. Hints only add words to problems; nothing is renamed,
stripped or converted."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.tables._hints import column_hint, near_column, normalise_name

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def problems(t: Tables, **kw: object) -> pd.DataFrame:
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(*t, **kw)  # type: ignore[arg-type]
    return info.value.problems


def reason(p: pd.DataFrame, table: str, column: str) -> str:
    sel = p[(p["table"] == table) & (p["column"] == column)]
    assert len(sel) == 1, p
    return str(sel["reason"].iloc[0])


# --------------------------------------------------------------------------- column names


@pytest.mark.parametrize("spelled", ["Budget_EUR", " budget_eur", "budget eur", "Budget-EUR "])
def test_missing_column_suggests_near_miss(tables: Callable[[], Tables], spelled: str) -> None:
    p, i, s = tables()
    p = p.rename(columns={"budget_eur": spelled})
    for errors in ("raise", "quarantine"):
        r = reason(problems((p, i, s), errors=errors), "participants", "budget_eur")
        assert r == f"required column is missing; did you mean {spelled!r}?"


def test_missing_column_difflib_fallback(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    i = i.rename(columns={"recommended_units": "recomended_units"})
    r = reason(problems((p, i, s)), "plan_items", "recommended_units")
    assert r.endswith("did you mean 'recomended_units'?")


def test_missing_column_without_near_miss_has_no_hint(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    p = p.drop(columns=["age"]).assign(notes="x")
    assert reason(problems((p, i, s)), "participants", "age") == "required column is missing"


def test_semicolon_header_hints_latvian_csv(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    header = ";".join(p.columns)
    p = pd.DataFrame({header: [";".join(map(str, row)) for row in p.itertuples(index=False)]})
    r = reason(problems((p, i, s)), "participants", "age")
    assert "looks like a ';'-separated file" in r
    assert "locale='lv' (CLI --locale lv)" in r


def test_extra_column_named_like_absent_optional_column_warns(
    tables: Callable[[], Tables],
) -> None:
    p, i, s = tables()
    i["Max_Units"] = 1
    with pytest.warns(ibm.IbmEngineWarning, match="'Max_Units' is kept as an extra column"):
        res = ibm.allocate(p, i, s)
    assert res.items["Max_Units"].tolist() == [1] * len(i)  # passed through, not read
    assert res.items["upper_units"].max() > 1


def test_present_contract_column_means_no_near_miss_warning(
    tables: Callable[[], Tables],
) -> None:
    p, i, s = tables()
    i["max_units"] = 5
    i["Max Units"] = 1  # an extra column beside the real one is just an extra column
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ibm.allocate(p, i, s)


def test_helpers() -> None:
    assert normalise_name("  Family-Hours per Week") == "family_hours_per_week"
    assert near_column("weight", ["Weight ", "weights"]) == "Weight "
    assert near_column("service", [1, 2.5, None]) is None  # any column labels
    assert column_hint("age", []) == ""


# --------------------------------------------------------------------------- ids and spaces


def test_plan_item_id_with_spaces_says_so(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    i.loc[0, "participant_id"] = " P1"
    for errors in ("raise", "quarantine"):  # an orphan plan item is fatal in both
        r = reason(problems((p, i, s), errors=errors), "plan_items", "participant_id")
        assert "not in the participants table" in r
        assert "differs from 'P1' only by surrounding spaces" in r
        assert "' P1'" in r


def test_plan_item_id_unknown_even_stripped_has_no_spaces_hint(
    tables: Callable[[], Tables],
) -> None:
    p, i, s = tables()
    i.loc[0, "participant_id"] = " P9 "
    r = reason(problems((p, i, s)), "plan_items", "participant_id")
    assert "surrounding spaces" not in r


@pytest.mark.parametrize("dtype", ["str", object])
def test_participant_ids_differing_by_spaces_are_a_problem(
    tables: Callable[[], Tables], dtype: object
) -> None:
    p, i, s = tables()
    p = pd.concat([p, p.iloc[[0]].assign(participant_id="P1 ")], ignore_index=True)
    p["participant_id"] = p["participant_id"].astype(dtype)  # type: ignore[call-overload]
    prob = problems((p, i, s))
    sel = prob[prob["column"] == "participant_id"]
    assert sorted(sel["row"]) == ["P1", "P1 "]
    by_row = dict(zip(sel["row"], sel["reason"], strict=True))
    assert "'P1' differs from 'P1 ' only by surrounding spaces" in by_row["P1"]
    assert "'P1 ' differs from 'P1' only by surrounding spaces" in by_row["P1 "]
    res = ibm.allocate(p, i, s, errors="quarantine")  # both copies set aside, like duplicates
    assert set(res.rejected["participant_id"]) == {"P1", "P1 "}
    assert res.participants["participant_id"].tolist() == ["P2", "P3"]


def test_id_with_spaces_alone_is_kept_as_written(tables: Callable[[], Tables]) -> None:
    """Nothing is stripped silently: ' P1 ' is a valid id, the same in both tables."""
    p, i, s = tables()
    p.loc[0, "participant_id"] = " P1 "
    i.loc[i["participant_id"] == "P1", "participant_id"] = " P1 "
    res = ibm.allocate(p, i, s)
    assert res.participants["participant_id"].tolist()[0] == " P1 "


# --------------------------------------------------------------------------- numbers as text

LV = "read the file with locale='lv' (CLI --locale lv)"


@pytest.mark.parametrize("cell", ["12,50", " 1 234,50", "-3,5", "1\u00a0000,00"])
def test_decimal_comma_hint(tables: Callable[[], Tables], cell: str) -> None:
    p, i, s = tables()
    p["budget_eur"] = p["budget_eur"].astype(object)
    p.loc[1, "budget_eur"] = cell
    r = reason(problems((p, i, s)), "participants", "budget_eur")
    assert f"decimal comma: {LV}" in r and repr(cell) in r
    res = ibm.allocate(p, i, s, errors="quarantine")
    assert "decimal comma" in res.rejected["reason"].iloc[0]


def test_digit_group_spaces_hint(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    p["budget_eur"] = p["budget_eur"].astype(object)
    p.loc[1, "budget_eur"] = "1 000"
    r = reason(problems((p, i, s)), "participants", "budget_eur")
    assert f"spaces between digit groups: {LV}" in r


@pytest.mark.parametrize(
    ("table", "column", "cell"),
    [("services", "unit_price_eur", "35.00"), ("plan_items", "team_rank", "2")],
)
def test_number_written_as_text_hint(
    tables: Callable[[], Tables], table: str, column: str, cell: str
) -> None:
    t = list(tables())
    k = {"participants": 0, "plan_items": 1, "services": 2}[table]
    t[k][column] = t[k][column].astype(object)
    t[k].loc[1, column] = cell
    r = reason(problems((t[0], t[1], t[2])), table, column)
    assert "a number written as text" in r and "locale" not in r


def test_text_that_is_no_number_has_no_hint(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    p["age"] = p["age"].astype(object)
    p.loc[1, "age"] = "seven"
    assert reason(problems((p, i, s)), "participants", "age") == (
        "must be a whole number (got 'seven')"
    )
