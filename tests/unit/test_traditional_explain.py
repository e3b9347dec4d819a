"""The traditional mechanism explains each request (queue, pot) and refuses what-ifs (it has no
optimum). Every cause is checked against a replay of the rule written here from its text."""

from __future__ import annotations

import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.scenarios import traditional


def _replay(r: object) -> dict[tuple[str, str], str]:
    """The module docstring's rule, walked request by request in plain Python."""
    items = r.items.merge(r.participants[["participant_id", "queue_position"]])  # type: ignore[attr-defined]
    items = items.sort_values(["queue_position", "team_rank"], kind="stable")
    pot, out, stopped = round(r.pot_eur * 100), {}, False  # type: ignore[attr-defined]
    for row in items.itertuples():
        key = (row.participant_id, row.service)
        if row.reason in ("not_eligible", "cap_below_min"):
            out[key] = row.reason
            continue
        cost = round(row.upper_units * row.unit_price_eur * 100)
        if stopped:
            out[key] = "after_pot_ran_out"
        elif cost > pot:
            out[key], stopped = "pot_too_small", True
        else:
            out[key], pot = "granted", pot - cost
    return out


def test_every_cause_follows_the_queue() -> None:
    p, i, s = ibm.synthetic_zemgale(seed=5, n_grt=15, n_ft=15, n_bsac=5)
    total = float(p["budget_eur"].sum())
    for share in (0.3, 0.7, 1.0):
        r = traditional(p, i, s, pot_eur=round(total * share, 2))
        want = _replay(r)
        seen = set()
        for pid in r.participants["participant_id"]:
            f = r.participant(pid).explain()
            for row in f.itertuples():
                assert row.cause == want[(pid, row.service)]
                seen.add(row.cause)
                if row.cause == "pot_too_small":
                    assert row.request_eur > row.pot_left_eur >= 0
                if row.cause == "granted":
                    assert row.units == row.upper_units
        assert "granted" in seen


def test_text_and_what_ifs() -> None:
    services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 20.0},
                {"service": "psychologist", "unit": "session", "unit_price_eur": 5.0}]  # fmt: skip
    people = [{"participant_id": x, "target_group": "GRT", "age": 40, "municipality": "Dobele",
               "budget_eur": 150.0} for x in ("A", "B")]  # fmt: skip
    order = ((1, "physiotherapy"), (2, "psychologist"))
    plan = [{"participant_id": x, "service": s, "team_rank": k, "recommended_units": 10}
            for x in ("A", "B") for k, s in order]  # fmt: skip
    r = traditional(people, plan, services)
    b = r.participant("B")
    assert b.text().splitlines() == [
        "Participant B, traditional mechanism: place 2 in the queue; pot 300.00 EUR.",
        "1. Physiotherapy: not granted: the request (200.00 EUR) is more than the 50.00 EUR "
        "left in the pot at its turn.",
        "2. Psychologist: not granted: the pot ran out at an earlier request in the queue, and "
        "first come first served does not skip to cheaper requests.",
        f"Record {r.record.id}.",  # a printed notice traces to its run
    ]
    assert b.explain()["pot_left_eur"].tolist() == [50.0, 50.0]
    assert "līdzekļu kopums 300,00 EUR" in b.text("lv")
    with pytest.raises(ibm.NotApplicableError, match="traditional"):
        b.waiting_list()
    with pytest.raises(ibm.InputError, match="unknown participant_id"):
        r.participant("Z")
    bad = pd.DataFrame(people)
    bad.loc[1, "age"] = 300
    q = traditional(bad, plan, services, errors="quarantine")
    assert q.rejected["participant_id"].tolist() == ["B"]
    with pytest.raises(ibm.InputError, match="was rejected"):
        q.participant("B")
