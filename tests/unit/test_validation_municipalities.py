"""Municipalities (contract 1.1): the warning only with municipal catalogue rows; spellings
equal after ``strip()`` + ``casefold()`` are problems, never a silent default."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pandas as pd
import pytest

import ibm_engine as ibm

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def no_warnings(t: Tables, **kw: object) -> ibm.AllocationResult:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return ibm.allocate(*t, **kw)  # type: ignore[arg-type]


def test_warning_names_unknown_municipality_with_municipal_rows(
    tables: Callable[[], Tables],
) -> None:
    p, i, s = tables()
    p.loc[2, "municipality"] = "Rūjiena"
    with pytest.warns(ibm.UnknownMunicipalityWarning, match="Rūjiena") as caught:
        ibm.allocate(p, i, s)
    assert len(caught) == 1
    assert "Bauska" not in str(caught[0].message)


def test_no_warning_with_default_rows_only(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    s = s[s["municipality"].isna()].reset_index(drop=True)  # column kept, all empty
    p.loc[:, "municipality"] = ["Rīga", "Liepāja", "Ventspils"]
    no_warnings((p, i, s))
    no_warnings((p, i, s.drop(columns=["municipality"])))


@pytest.mark.parametrize("spelled", ["bauska", "Bauska ", " BAUSKA", "bauska\t"])
def test_participant_spelling_equal_after_folding_is_a_problem(
    tables: Callable[[], Tables], spelled: str
) -> None:
    p, i, s = tables()
    p.loc[1, "municipality"] = spelled  # P2
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(p, i, s)
    prob = info.value.problems
    assert prob[["table", "row", "column"]].values.tolist() == [
        ["participants", "P2", "municipality"]
    ]
    reason = prob["reason"].iloc[0]
    assert repr(spelled) in reason and "'Bauska'" in reason
    res = no_warnings((p, i, s), errors="quarantine")  # no warning: it is no unknown name
    assert res.rejected["participant_id"].tolist() == ["P2"]
    assert res.participants["participant_id"].tolist() == ["P1", "P3"]


def test_spelling_check_without_municipal_rows_is_silent(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    s = s[s["municipality"].isna()].drop(columns=["municipality"])
    p.loc[:, "municipality"] = ["dobele", "Dobele", " DOBELE"]
    no_warnings((p, i, s))


def test_catalogue_spellings_equal_after_folding_are_fatal(
    tables: Callable[[], Tables],
) -> None:
    p, i, s = tables()
    extra = {"service": "respite_care", "unit": "day", "unit_price_eur": 50.0}
    s = pd.concat(
        [s, pd.DataFrame([dict(extra, municipality="jelgava city "), dict(extra, min_age=0)])],
        ignore_index=True,
    )
    s.loc[5, "municipality"] = "jelgava city "
    s.loc[6, "municipality"] = "Jelgava city"
    for errors in ("raise", "quarantine"):
        with pytest.raises(ibm.InputError) as info:
            ibm.allocate(p, i, s, errors=errors)
        prob = info.value.problems
        mine = prob[(prob["table"] == "services") & (prob["column"] == "municipality")]
        assert sorted(mine["row"]) == [6, 7]
        r6 = mine[mine["row"] == 6]["reason"].iloc[0]
        assert "'jelgava city '" in r6 and "'Jelgava city' (row 7)" in r6


def test_exact_spellings_still_match(tables: Callable[[], Tables]) -> None:
    """The municipal psychologist price of Bauska (29.00) applies to 'Bauska' exactly."""
    res = no_warnings(tables())
    row = res.items[(res.items["participant_id"] == "P3")].iloc[0]
    assert row["unit_price_eur"] == 29.0


def test_many_participants_one_problem_per_row(tables: Callable[[], Tables]) -> None:
    s = tables()[2]
    n = 2_000
    big = pd.DataFrame(
        {
            "participant_id": [f"Q{k}" for k in range(n)],
            "target_group": "GRT",
            "age": 30,
            "municipality": ["dobele" if k % 2 else "Dobele" for k in range(n)],
            "budget_eur": 100.0,
        }
    )
    items = pd.DataFrame(
        {
            "participant_id": big["participant_id"],
            "service": "physiotherapy",
            "team_rank": 1,
            "recommended_units": 3,
        }
    )
    res = no_warnings((big, items, s), errors="quarantine")
    assert len(res.rejected) == n // 2 and len(res.participants) == n // 2
