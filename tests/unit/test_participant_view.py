"""``result.participant(pid)``: one way to ask about a person, for every result type (issue 10).
The allocation's view answers exactly what the functions answer; a region run's view explains
and says clearly that its what-ifs have no meaning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import ibm_engine as ibm

SERVICES = [
    {"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
    {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0},
]
PEOPLE = [
    {"participant_id": p, "target_group": "GRT", "age": 40, "municipality": "Dobele",
     "budget_eur": b}
    for p, b in (("P1", 500.0), ("P2", 300.0))
]  # fmt: skip
PLAN = [
    {"participant_id": p, "service": s, "team_rank": k, "recommended_units": 10}
    for p in ("P1", "P2")
    for k, s in ((1, "physiotherapy"), (2, "psychologist"))
]


@pytest.fixture(scope="module")
def result() -> ibm.AllocationResult:
    return ibm.allocate(PEOPLE, PLAN, SERVICES)


def _old(name: str, *args: object) -> Any:
    """The deprecated top-level function ``name``: it warns, naming what replaces it."""
    from ibm_engine.allocation._deprecated import REPLACEMENTS

    with pytest.warns(DeprecationWarning) as caught:
        answer = getattr(ibm, name)(*args)
    assert len(caught) == 1
    assert str(caught[0].message) == (
        f"ibm_engine.{name}() is deprecated; use {REPLACEMENTS[name]} (same answer)"
    )
    assert caught[0].filename == __file__  # the warning points at the caller
    return answer


def test_the_view_answers_what_the_deprecated_functions_answer(
    result: ibm.AllocationResult,
) -> None:
    view = result.participant("P1")
    assert isinstance(view, ibm.ParticipantView)
    assert view.participant_id == "P1"
    pd.testing.assert_frame_equal(view.explain(), _old("explain_frame", result, "P1"))
    assert view.text("lv") == _old("explain_text", result, "P1", "lv")
    assert view.summary() == _old("explain_summary", result, "P1")
    pd.testing.assert_frame_equal(view.waiting_list(), _old("waiting_list", result, "P1"))
    pd.testing.assert_frame_equal(result.waiting_list(), _old("waiting_list", result))
    assert view.smallest_budget_for("psychologist") == _old(
        "smallest_budget_for", result, "P1", "psychologist"
    )
    pd.testing.assert_frame_equal(
        view.at_budget_change([-10, 10]), _old("at_budget_change", result, "P1", [-10, 10])
    )
    changes = {"psychologist": {"recommended_units": 4}}
    pd.testing.assert_frame_equal(
        view.what_if(changes), _old("with_assessment", result, "P1", changes)
    )
    ranks = {"physiotherapy": 2, "psychologist": 1}
    pd.testing.assert_frame_equal(
        view.what_if(family_rank=ranks), _old("with_family_ranking", result, "P1", ranks)
    )
    assert view.items["participant_id"].tolist() == ["P1", "P1"]
    assert view.row["participant_id"] == "P1"
    assert "P1" in view._repr_html_() and "P2" not in view._repr_html_()


def test_extra_money_is_a_method_too(result: ibm.AllocationResult) -> None:
    a = result.extra_money(200.0)
    b = _old("what_extra_money_buys", result, 200.0)
    pd.testing.assert_frame_equal(a.grants, b.grants)


def test_every_deprecated_name_is_public_documented_and_replaced() -> None:
    from ibm_engine.allocation._deprecated import REPLACEMENTS

    for name, replacement in REPLACEMENTS.items():
        assert name in ibm.__all__
        assert getattr(ibm, name).__doc__.startswith(f"Deprecated: use ``{replacement}``.")
    changelog = (Path(__file__).parents[2] / "CHANGELOG.md").read_text(encoding="utf-8")
    for name in REPLACEMENTS:
        assert f"`ibm.{name}(" in changelog


def test_unknown_ids_and_mixed_what_ifs_are_input_errors(result: ibm.AllocationResult) -> None:
    with pytest.raises(ibm.InputError, match="unknown participant_id"):
        result.participant("P9")
    with pytest.raises(ibm.InputError, match="not both"):
        result.participant("P1").what_if(
            {"psychologist": {"recommended_units": 4}},
            family_rank={"psychologist": 1, "physiotherapy": 2},
        )


def test_a_region_view_explains_and_refuses_what_ifs() -> None:
    caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 12}]
    r = ibm.allocate_region(PEOPLE, PLAN, SERVICES, caps)
    view = r.participant("P2")
    pd.testing.assert_frame_equal(view.explain(), r.explain("P2"))
    assert view.text() == r.explain_text("P2")
    for ask in (
        view.summary,
        view.waiting_list,
        lambda: view.smallest_budget_for("physiotherapy"),
        lambda: view.at_budget_change(10),
        view.what_if,
    ):
        with pytest.raises(ibm.NotApplicableError, match="region run"):
            ask()
    assert issubclass(ibm.NotApplicableError, TypeError)
    with pytest.raises(ibm.InputError):
        r.participant("P9")


def test_periods_and_scenario_runs_answer_for_a_participant() -> None:
    periods = pd.DataFrame(
        {"period": [1, 2], "start_date": ["2018-09-01", "2019-03-01"],
         "end_date": ["2019-02-28", "2019-08-31"]}
    )  # fmt: skip
    r = ibm.run_periods(PEOPLE, PLAN, SERVICES, periods)
    view = r.participant("P1", period=2)
    pd.testing.assert_frame_equal(view.explain(), r.results[2].participant("P1").explain())
    with pytest.raises(ibm.InputError, match="period"):
        r.participant("P1", period=3)
    assert list(r.rejected.columns[:5]) == ["participant_id", "table", "row", "column", "reason"]
    run = ibm.run_scenario(
        ibm.Baseline(pd.DataFrame(PEOPLE), pd.DataFrame(PLAN), pd.DataFrame(SERVICES))
    )
    assert run.participant("P2").text() == run.result.participant("P2").text()
    assert len(run.rejected) == 0


def test_every_result_type_has_a_status_and_a_message() -> None:
    from ibm_engine.scenarios import traditional

    a = ibm.allocate(PEOPLE, PLAN, SERVICES)
    assert a.status == ibm.Status.OPTIMAL
    assert (
        a.message == "2 participants allocated (optimal), 2 proven optimal; 0 participants rejected"
    )
    caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 12}]
    r = ibm.allocate_region(PEOPLE, PLAN, SERVICES, caps, method="exact")
    assert r.status == ibm.Status.OPTIMAL
    cut = int((r.items["reason"] == "unavailable").sum())
    assert r.message.startswith("2 participants in a region run (exact), proven optimal;")
    loose = ibm.allocate_region(PEOPLE, PLAN, SERVICES, caps)  # stops at a proven gap
    assert (loose.status == ibm.Status.OPTIMAL) == (loose.gap <= 1e-8)
    assert f"{loose.gap:.3%}" in loose.message or loose.status == ibm.Status.OPTIMAL
    assert f"{cut} item" in r.message
    t = traditional(PEOPLE, PLAN, SERVICES)
    assert t.status == ibm.Status.FEASIBLE and "traditional queue" in t.message
    periods = pd.DataFrame(
        {"period": [1, 2], "start_date": ["2018-09-01", "2019-03-01"],
         "end_date": ["2019-02-28", "2019-08-31"]}
    )  # fmt: skip
    p = ibm.run_periods(PEOPLE, PLAN, SERVICES, periods)
    assert p.status == ibm.Status.OPTIMAL
    assert p.message == "2 participants over 2 periods; proven optimal in every period"
    one = ibm.allocate(PEOPLE[:1], PLAN[:2], SERVICES)
    assert one.message.startswith("1 participant allocated")
