"""Scenario runs and sweeps as Dask tasks give what the serial runs give."""

from __future__ import annotations

from typing import Any

import ibm_engine as ibm


def test_run_scenarios_on_a_client_equals_serial(dask_client: Any, region: Any) -> None:
    base = ibm.Baseline(*region)
    scenarios = [
        ibm.Scenario("dearer", price_factor=1.2),
        ibm.Scenario("smaller pot", pot_factor=0.8),
        ibm.Scenario("team", team_share=0.8),
    ]
    serial = ibm.run_scenarios(base, scenarios)
    spread = ibm.run_scenarios(base, scenarios, client=dask_client)
    assert [r.name for r in spread] == [r.name for r in serial]
    for a, b in zip(spread, serial, strict=True):
        assert a.items.equals(b.items) and a.participants.equals(b.participants)
        assert a.record.id == b.record.id and a.record.outputs == b.record.outputs
    assert dask_client.status == "running"  # a client passed in is never closed


def test_sweep_on_a_client_equals_serial(dask_client: Any, region: Any) -> None:
    base = ibm.Baseline(*region)
    serial = ibm.sweep(base, "price", [0.9, 1.1])
    spread = ibm.sweep(base, "price", [0.9, 1.1], client=dask_client)
    assert spread.equals(serial)
