"""Policy cases written as CSV tables (``tests/cases``, see its README).

Each case lists its input tables, the policy and period, and the expected result per plan item.
The tables are read with plain ``pd.read_csv``, as an analyst would: empty cells become NaN and
int columns with gaps become floats such as ``52.0`` (the contract accepts both).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import ibm_engine as ibm

CASES = Path(__file__).resolve().parents[1] / "cases"
INDEX = pd.read_csv(CASES / "index.csv")


def test_index_lists_every_expected_file() -> None:
    listed = {f"{c}.expected.csv" for c in INDEX["case"]}
    assert listed == {p.name for p in CASES.glob("*.expected.csv")}
    for prefix in INDEX["tables"]:
        for table in ("participants", "plan_items", "services"):
            assert (CASES / f"{prefix}.{table}.csv").is_file()


@pytest.mark.parametrize("case", INDEX.to_dict("records"), ids=list(INDEX["case"]))
def test_case(case: dict[str, object]) -> None:
    tables = [
        pd.read_csv(CASES / f"{case['tables']}.{t}.csv")
        for t in ("participants", "plan_items", "services")
    ]
    res = ibm.allocate(*tables, policy=str(case["policy"]), period_weeks=int(case["period_weeks"]))  # type: ignore[call-overload]
    expected = pd.read_csv(CASES / f"{case['case']}.expected.csv")
    got = res.items.set_index(["participant_id", "service"])
    assert len(got) == len(expected) == len(tables[1])
    for row in expected.to_dict("records"):
        key = (row["participant_id"], row["service"])
        for column, want in row.items():
            if column in ("participant_id", "service"):
                continue
            have = got.loc[key, column]
            if isinstance(want, float):
                assert float(have) == pytest.approx(want, abs=1e-9), (key, column)
            else:
                assert str(have) == str(want), (key, column, have, want)
    # money never exceeds the budget, and spent is the sum of the item costs
    for p in res.participants.to_dict("records"):
        mine = res.items[res.items["participant_id"] == p["participant_id"]]
        assert round(p["spent_eur"] * 100) == round(mine["cost_eur"].sum() * 100)
        assert p["spent_eur"] <= p["budget_eur"]
