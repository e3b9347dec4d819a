"""The record on every result (issue 10 §2): content hashes, the record, ``reproduce``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.allocation._record import record_json_schema
from ibm_engine.io._reproduce import first_difference
from ibm_engine.tables import PARTICIPANTS
from ibm_engine.tables._hash import hash_table

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "Record.schema.json"


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return ibm.synthetic_zemgale(seed=5, n_grt=4, n_ft=3, n_bsac=2)


@pytest.fixture(scope="module")
def result(tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> ibm.AllocationResult:
    return ibm.allocate(*tables)


def test_hash_ignores_row_and_column_order(tables: tuple[pd.DataFrame, ...]) -> None:
    p = tables[0]
    shuffled = p.sample(frac=1.0, random_state=1)[list(reversed(p.columns))]
    assert hash_table(p, PARTICIPANTS) == hash_table(shuffled, PARTICIPANTS)


def test_integral_floats_nulls_and_negative_zero() -> None:
    a = pd.DataFrame({"n": [3, 0, 1], "t": ["x", None, "y"], "f": [0.5, -0.0, np.nan]})
    b = pd.DataFrame({"n": [3.0, 0.0, 1.0], "t": ["x", "", "y"], "f": [0.5, 0.0, None]})
    c = pd.DataFrame(
        {"n": pd.array([3, 0, 1], "Int64"), "t": pd.array(["x", pd.NA, "y"], "string"),
         "f": pd.array([0.5, 0.0, pd.NA], "Float64")}
    )  # fmt: skip
    assert hash_table(a) == hash_table(b) == hash_table(c)
    d = a.astype({"t": "category"})
    assert hash_table(d) == hash_table(a)


def test_a_changed_cent_changes_the_hash(tables: tuple[pd.DataFrame, ...]) -> None:
    p = tables[0]
    q = p.copy()
    q.loc[2, "budget_eur"] = q.loc[2, "budget_eur"] + 0.01
    assert hash_table(p, PARTICIPANTS) != hash_table(q, PARTICIPANTS)
    # within 1e-6 EUR of the same cent: the same validated value
    q.loc[2, "budget_eur"] = p.loc[2, "budget_eur"] + 1e-8
    assert hash_table(p, PARTICIPANTS) == hash_table(q, PARTICIPANTS)


def test_ids_as_text_and_text_against_numbers() -> None:
    ids = pd.DataFrame({"participant_id": [7, 8]})
    text = pd.DataFrame({"participant_id": ["7", "8"]})
    assert hash_table(ids, PARTICIPANTS) == hash_table(text, PARTICIPANTS)
    assert hash_table(pd.DataFrame({"x": [7]})) != hash_table(pd.DataFrame({"x": ["7"]}))


def test_partitions_add_up_and_duplicates_count() -> None:
    df = pd.DataFrame({"a": [1, 2, 3, 2], "b": ["p", "q", "r", "q"]})
    whole = hash_table(df)
    parts = hash_table(df.iloc[:1]) + hash_table(df.iloc[1:3]) + hash_table(df.iloc[3:])
    assert parts == whole
    assert hash_table(df.iloc[:3]).digest != whole.digest  # a duplicate row is not cancelled
    doubled = hash_table(pd.concat([df, df]))
    assert doubled.digest == (2 * whole.digest) % 2**128


def test_a_texts_hash_does_not_depend_on_longer_texts_beside_it() -> None:
    """A short text hashed with a 40-character one: the table's hash is still the sum of its
    rows' (the old hash chained every text over the longest text's words)."""
    df = pd.DataFrame({"id": ["P1", "P2"], "note": ["a", "x" * 40]})
    assert hash_table(df.iloc[:1]) + hash_table(df.iloc[1:]) == hash_table(df)
    alone = hash_table(pd.DataFrame({"id": ["P1"], "note": ["a"]}))
    assert alone == hash_table(df.iloc[:1])


def test_unhashable_columns_are_named() -> None:
    df = pd.DataFrame({"a": [1, 2], "notes": [[1], {"x": 1}]})
    h = hash_table(df)
    assert h.columns == ("a",) and h.not_hashed == ("notes",)


def test_record_content(result: ibm.AllocationResult) -> None:
    rec = result.record
    assert isinstance(rec, ibm.Record)
    assert rec.library_version == ibm.__version__
    assert set(rec.versions) == {"python", "numpy", "pandas", "scipy", "highs"}
    assert rec.parameters["policy"] == "optimal" and rec.parameters["period_weeks"] == 26
    assert rec.parameters["merge"]["kind"] == "borda"  # type: ignore[index,call-overload]
    assert set(rec.inputs) == {"participants", "plan_items", "services"}
    assert set(rec.outputs) == {"items", "participants", "rejected"}
    assert rec.outputs["items"].rows == len(result.items)
    assert rec.catalogue["effective_dates"] == ["2021-07-01", "2023-11-01"]
    assert not rec.limit_hit
    assert f"Record {rec.id}" in str(rec)


def test_record_id_ignores_time_and_order(tables: tuple[pd.DataFrame, ...]) -> None:
    p, i, s = tables
    a = ibm.allocate(p, i, s).record
    b = ibm.allocate(p.iloc[::-1], i.sample(frac=1.0, random_state=3), s).record
    assert a is not None and b is not None
    assert a.id == b.id and a.outputs == b.outputs
    later = a.model_copy(update={"created_utc": "2099-01-01T00:00:00+00:00"})
    assert later.id == a.id
    other = ibm.allocate(p, i, s, team_share=0.7).record
    assert other is not None and other.id != a.id


def test_json_round_trip_and_schema(result: ibm.AllocationResult) -> None:
    rec = result.record
    assert rec is not None
    assert ibm.Record.from_json(rec.to_json()) == rec
    assert ibm.Record.from_dict(json.loads(json.dumps(rec.to_dict()))) == rec
    on_disk = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert on_disk == record_json_schema(), (
        "regenerate docs/schemas/Record.schema.json from record_json_schema()"
    )


def test_every_result_has_a_record(tables: tuple[pd.DataFrame, ...]) -> None:
    p, i, s = tables
    caps = [
        {"municipality": m, "service": "physiotherapy", "units": 3} for m in set(p["municipality"])
    ]
    region = ibm.allocate_region(p, i, s, caps)
    assert region.record.kind == "region" and "capacities" in region.record.inputs
    assert set(region.record.outputs) == {
        "items",
        "participants",
        "shadow_prices",
        "lost",
        "rejected",
    }
    trad = ibm.traditional(p, i, s)
    assert trad.record.kind == "traditional"
    run = ibm.run_scenario(ibm.Baseline(p, i, s))
    assert run.record is run.result.record


def test_reproduce_clean_rerun(
    tables: tuple[pd.DataFrame, ...], result: ibm.AllocationResult
) -> None:
    p, i, s = tables
    shuffled = p.sample(frac=1.0, random_state=2)[list(reversed(p.columns))]
    rep = ibm.reproduce(result.record, shuffled, i, s, original=result)
    assert rep.identical and rep.difference is None and not rep.versions
    assert "reproduced" in str(rep)


def test_reproduce_names_the_input_that_differs(
    tables: tuple[pd.DataFrame, ...], result: ibm.AllocationResult
) -> None:
    p, i, s = tables
    s2 = s.copy()
    s2.loc[0, "unit_price_eur"] = s2.loc[0, "unit_price_eur"] + 0.01
    rep = ibm.reproduce(result.record, p, i, s2)
    assert rep.status == "inputs_differ" and rep.inputs == ("services",)


def test_reproduce_finds_the_first_difference(
    tables: tuple[pd.DataFrame, ...], result: ibm.AllocationResult
) -> None:
    p, i, s = tables
    items = result.items.copy()
    row = 4
    items.loc[row, "units"] = items.loc[row, "units"] + 1
    rep = ibm.reproduce(result.record, p, i, s, original={"items": items})
    assert rep.status == "original_differs"
    d = rep.difference
    assert d is not None and d.table == "items" and d.column == "units"
    assert d.key == (result.items.loc[row, "participant_id"], result.items.loc[row, "service"])
    assert (d.old, d.new) == (result.items.loc[row, "units"] + 1, result.items.loc[row, "units"])


def test_reproduce_checks_parameter_objects(tables: tuple[pd.DataFrame, ...]) -> None:
    p, i, s = tables
    r = ibm.allocate(p, i, s, merge=ibm.RankMerge("team_first", weights="geometric"))
    assert ibm.reproduce(r.record, p, i, s).identical  # a RankMerge is rebuilt from the record
    rep = ibm.reproduce(r.record, p, i, s, team_share=0.9)
    assert rep.status == "parameters_differ" and rep.parameters == ("team_share",)


def test_reproduce_says_when_a_limit_was_hit(
    tables: tuple[pd.DataFrame, ...], result: ibm.AllocationResult
) -> None:
    p, i, s = tables
    rec = result.record
    assert rec is not None
    fake = rec.model_copy(
        update={
            "limit_hit": True,
            "outputs": {**rec.outputs, "items": rec.outputs["rejected"]},
        }
    )
    rep = ibm.reproduce(fake, p, i, s)
    assert rep.status == "may_differ" and "may not reproduce" in str(rep)


def test_first_difference_missing_rows() -> None:
    a = pd.DataFrame({"participant_id": ["P1", "P2"], "x": [1, 2]})
    d = first_difference("participants", a, a.iloc[:1])
    assert d is not None and d.key == ("P2",) and d.column is None
    assert first_difference("participants", a, a.iloc[::-1]) is None
