"""Every result type follows one protocol (issue 10): the tables, status and message, the
record, an HTML view, ``participant(pid)`` with ``explain()`` and ``text(lang)``, and the
what-ifs, which answer where they mean something and raise ``NotApplicableError`` where the
participants are decided together (a region run, the traditional queue)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import ibm_engine as ibm

PEOPLE, PLAN, SERVICES = ibm.synthetic_zemgale(seed=1, n_grt=2, n_ft=2, n_bsac=1)
PID = str(PEOPLE["participant_id"].iloc[0])
SERVICE = str(PLAN.loc[PLAN["participant_id"] == PID, "service"].iloc[0])
PERIODS = pd.DataFrame(
    {"period": [1, 2], "start_date": ["2018-09-01", "2019-03-01"],
     "end_date": ["2019-02-28", "2019-08-31"]}
)  # fmt: skip
CAPS = pd.DataFrame(
    [{"municipality": PEOPLE["municipality"].iloc[0], "service": SERVICE, "units": 1}]
)

#: result type -> (how to make it, whether its participants can be re-solved alone)
RUNS: dict[str, tuple[Callable[[], Any], bool]] = {
    "allocation": (lambda: ibm.allocate(PEOPLE, PLAN, SERVICES), True),
    "region": (lambda: ibm.allocate_region(PEOPLE, PLAN, SERVICES, CAPS), False),
    "periods": (lambda: ibm.run_periods(PEOPLE, PLAN, SERVICES, PERIODS), True),
    "traditional": (lambda: ibm.traditional(PEOPLE, PLAN, SERVICES), False),
    "scenario": (lambda: ibm.run_scenario(ibm.Baseline(PEOPLE, PLAN, SERVICES)), True),
}


@pytest.fixture(scope="module", params=sorted(RUNS))
def run(request: pytest.FixtureRequest) -> tuple[str, Any, bool]:
    make, alone = RUNS[request.param]
    return request.param, make(), alone


def _whatifs(result: Any, view: Any, kind: str) -> dict[str, Callable[[], Any]]:
    on = {"period": 1} if kind == "periods" else {}
    return {
        "waiting_list()": view.waiting_list,
        "smallest_budget_for()": lambda: view.smallest_budget_for(SERVICE),
        "at_budget_change()": lambda: view.at_budget_change([10]),
        "what_if()": lambda: view.what_if({SERVICE: {"recommended_units": 3}}),
        "result.waiting_list()": lambda: result.waiting_list(**on),
        "result.extra_money()": lambda: result.extra_money(100.0, **on),
    }


def test_the_protocol(run: tuple[str, Any, bool]) -> None:
    kind, result, _ = run
    for table in ("items", "participants", "rejected"):
        assert isinstance(getattr(result, table), pd.DataFrame)
    assert str(result.status) in ("optimal", "feasible")
    assert isinstance(result.message, str) and result.message
    assert isinstance(result.record, ibm.Record)
    assert "<" in result._repr_html_()
    view = result.participant(PID, 1) if kind == "periods" else result.participant(PID)
    assert isinstance(view.explain(), pd.DataFrame) and len(view.explain())
    text = view.text("lv")
    assert text.rstrip().endswith(".") and "Ieraksts " in text


def test_what_ifs_answer_or_say_why_not(run: tuple[str, Any, bool]) -> None:
    kind, result, alone = run
    view = result.participant(PID, 1) if kind == "periods" else result.participant(PID)
    for what, ask in _whatifs(result, view, kind).items():
        if alone:
            assert ask() is not None, what
        else:
            with pytest.raises(ibm.NotApplicableError, match=r"(decided|solved) together"):
                ask()


def test_a_period_must_be_one_that_was_run() -> None:
    spread = RUNS["periods"][0]()
    for ask in (
        lambda: spread.participant(PID, 3),
        lambda: spread.waiting_list(period=3),
        lambda: spread.extra_money(100.0, period=3),
    ):
        with pytest.raises(ibm.InputError, match="must be one of the periods run: 1, 2"):
            ask()
