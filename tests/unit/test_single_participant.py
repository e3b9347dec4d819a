"""The single-participant API gives exactly the frame API's rows for that participant."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def _plan_from_frames(p_row: pd.Series, items: pd.DataFrame) -> ibm.Plan:
    def clean(v: object) -> object:
        return None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v

    participant = ibm.Participant(
        **{k: clean(p_row[k]) for k in p_row.index if k in ibm.Participant.model_fields}
    )
    plan_items = tuple(
        ibm.PlanItem(**{k: clean(r[k]) for k in items.columns if k in ibm.PlanItem.model_fields})
        for _, r in items.iterrows()
    )
    return ibm.Plan(participant=participant, items=plan_items)


@pytest.mark.parametrize("policy", ["optimal", "priority"])
def test_plan_result_equals_frame_rows(policy: str) -> None:
    participants, plan_items, services = ibm.synthetic_zemgale(seed=11, n_grt=6, n_ft=6, n_bsac=4)
    frame = ibm.allocate(participants, plan_items, services, policy=policy)
    catalogue = ibm.Catalogue.from_frame(services)
    for k in range(len(participants)):
        p_row = participants.iloc[k]
        mine = plan_items[plan_items["participant_id"] == p_row["participant_id"]]
        single = ibm.allocate_plan(_plan_from_frames(p_row, mine), catalogue, policy=policy)
        prow = frame.participants.iloc[k]
        assert single.participant_id == prow["participant_id"]
        assert float(single.spent_eur) == pytest.approx(prow["spent_eur"], abs=0)
        assert single.value == pytest.approx(prow["value"], abs=1e-12)
        assert single.bound == pytest.approx(prow["bound"], abs=1e-12)
        assert single.status.value == prow["status"]
        rows = frame.items[frame.items["participant_id"] == prow["participant_id"]]
        got = {i.service: (i.units, float(i.cost_eur), i.reason.value) for i in single.items}
        want = {
            r.service: (int(r.units), float(r.cost_eur), str(r.reason)) for r in rows.itertuples()
        }
        assert got == want


def test_result_round_trips_through_json() -> None:
    participants, plan_items, services = ibm.synthetic_zemgale(seed=3, n_grt=1, n_ft=0, n_bsac=0)
    plan = _plan_from_frames(participants.iloc[0], plan_items)
    res = ibm.allocate_plan(plan, services)
    again = ibm.ParticipantAllocation.model_validate_json(res.model_dump_json())
    assert again == res


def test_committed_json_schemas_are_current() -> None:
    """docs/schemas holds the JSON Schemas other services use; regenerate with
    ``python -c "import ibm_engine as ibm; ibm.write_json_schemas('docs/schemas')"``."""
    for name, schema in ibm.json_schemas().items():
        path = SCHEMAS / f"{name}.schema.json"
        assert path.exists(), f"missing {path}"
        assert json.loads(path.read_text(encoding="utf-8")) == schema, f"{path} is stale"
