"""Published 0/1 knapsack optima reproduced through the contract-v1 tables.

Each instance of ``tests/cases/knapsack`` becomes one participant (see that folder's README):
one service per item priced at its weight in cents, ``recommended_units = 1``, an explicit
``weight`` equal to the item's profit, and the capacity in cents as the budget. The optimal
``value`` must then equal the published optimum exactly.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import ibm_engine as ibm

HERE = Path(__file__).resolve().parents[1] / "cases" / "knapsack"
OPTIMA = {
    name: int(opt)
    for name, opt in (
        line.split("\t") for line in (HERE / "OPTIMA.tsv").read_text().splitlines()[1:] if line
    )
}
MUNICIPALITY = "Riga"


def read_instance(name: str) -> tuple[list[int], list[int], int]:
    """(profits, weights, capacity) of one instance file."""
    lines = [ln.split() for ln in (HERE / name).read_text().splitlines() if ln.strip()]
    n = int(lines[0][0])
    pairs = lines[1 : n + 1]
    assert len(pairs) == n and len(lines) == n + 2
    return [int(p) for p, _ in pairs], [int(w) for _, w in pairs], int(lines[-1][0])


def instance_tables(names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    parts, items, rows = [], [], []
    for name in names:
        profits, weights, capacity = read_instance(name)
        parts.append(
            {
                "participant_id": name,
                "target_group": "GRT",
                "age": 40,
                "municipality": MUNICIPALITY,
                "budget_eur": capacity / 100,
            }
        )
        for k, (p, w) in enumerate(zip(profits, weights, strict=True)):
            code = f"{name}/item{k:03d}"
            rows.append({"service": code, "unit": "session", "unit_price_eur": w / 100})
            items.append(
                {
                    "participant_id": name,
                    "service": code,
                    "team_rank": k + 1,
                    "recommended_units": 1,
                    "min_units": 0,
                    "weight": float(p),
                }
            )
    rows.append(
        {
            "service": "registration",
            "unit": "month",
            "unit_price_eur": 0.0,
            "municipality": MUNICIPALITY,
        }
    )
    return pd.DataFrame(parts), pd.DataFrame(items), pd.DataFrame(rows)


def check(res: ibm.AllocationResult, name: str) -> None:
    profits, weights, capacity = read_instance(name)
    mine = res.items[res.items["participant_id"] == name]
    u = mine["units"].tolist()
    assert set(u) <= {0, 1}
    assert sum(w * x for w, x in zip(weights, u, strict=True)) <= capacity
    row = res.participants[res.participants["participant_id"] == name].iloc[0]
    assert sum(p * x for p, x in zip(profits, u, strict=True)) == OPTIMA[name]
    assert row["value"] == pytest.approx(OPTIMA[name], abs=1e-9)
    assert round(row["spent_eur"] * 100) == sum(w * x for w, x in zip(weights, u, strict=True))
    assert row["bound"] >= OPTIMA[name] - 1e-9
    if row["status"] == "optimal":
        assert row["bound"] == row["value"]


def test_all_instances_present() -> None:
    assert len(OPTIMA) == 8
    for name in OPTIMA:
        assert (HERE / name).is_file()


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_published_optimum(name: str) -> None:
    res = ibm.allocate(*instance_tables([name]), policy="optimal")
    check(res, name)


def test_all_instances_in_one_call() -> None:
    names = sorted(OPTIMA)
    res = ibm.allocate(*instance_tables(names), policy="optimal")
    assert res.participants["participant_id"].tolist() == names
    for name in names:
        check(res, name)


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_priority_never_beats_the_optimum(name: str) -> None:
    res = ibm.allocate(*instance_tables([name]), policy="priority")
    row = res.participants.iloc[0]
    assert row["value"] <= OPTIMA[name] + 1e-9
    assert round(row["spent_eur"] * 100) <= read_instance(name)[2]
