"""HTML of region results, scenario runs, extra money and periods (issue 10: every result type
shows in a notebook what makes it that kind of result)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.report import extra_money_html, periods_html, region_html, result_html, run_html

SERVICES = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0}]
PEOPLE = [
    {"participant_id": p, "target_group": "GRT", "age": 40, "municipality": "Dobele",
     "budget_eur": 500.0}
    for p in ("P1", "P2")
]  # fmt: skip
PLAN = [
    {"participant_id": p, "service": "physiotherapy", "team_rank": 1, "recommended_units": 10}
    for p in ("P1", "P2")
]
CAPS = [{"municipality": "Dobele", "service": "physiotherapy", "units": 12}]


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_region_html_shows_gap_capacities_prices_and_losses() -> None:
    r = ibm.allocate_region(PEOPLE, PLAN, SERVICES, CAPS)
    page = r._repr_html_()
    assert page == region_html(r)
    text = _text(page)
    assert "proven gap 0%" in text
    # the one capacity: 12 units, demand 20, all used, its shadow price as computed
    price = f"{float(r.shadow_prices['price'].iloc[0]):.6g}"
    assert re.search(rf"Dobele Physiotherapy 12 20 12 {re.escape(price)}", text)
    # who lost what: P2 lost 8 sessions to the full capacity
    assert re.search(r"P2 Dobele Physiotherapy 8 no provider capacity left", text)
    lv = _text(region_html(r, lang="lv"))
    assert "Ēnu cena" in lv and "Kas ko zaudēja jaudas trūkuma dēļ" in lv


def test_region_html_shows_the_first_rows_of_long_tables() -> None:
    people = [dict(PEOPLE[0], participant_id=f"P{k:02d}") for k in range(40)]
    plan = [dict(PLAN[0], participant_id=f"P{k:02d}") for k in range(40)]
    r = ibm.allocate_region(people, plan, SERVICES, CAPS)
    assert len(r.lost) > 30
    assert f"The first 30 of {len(r.lost)} shown." in _text(region_html(r))


def test_extra_money_html_shows_the_pot_and_the_grants() -> None:
    r = ibm.allocate(PEOPLE, PLAN, SERVICES)
    extra = r.extra_money(100)
    text = _text(extra._repr_html_())
    assert "Extra money 100.00 EUR" in text
    assert f"granted to {len(extra.participants)} participants" in text
    for pid in extra.grants["participant_id"]:
        assert pid in text


def test_run_html_names_the_scenario() -> None:
    base = ibm.Baseline(pd.DataFrame(PEOPLE), pd.DataFrame(PLAN), pd.DataFrame(SERVICES))
    run = ibm.run_scenario(base)
    page = run._repr_html_()
    assert page == run_html(run)
    assert f"Scenario run: {run.name}" in _text(page)


def test_periods_html_sums_the_ledger_per_period() -> None:
    periods = pd.DataFrame(
        {"period": [1, 2], "start_date": ["2018-09-01", "2019-03-01"],
         "end_date": ["2019-02-28", "2019-08-31"]}
    )  # fmt: skip
    r = ibm.run_periods(PEOPLE, PLAN, SERVICES, periods)
    text = _text(r._repr_html_())
    assert text == _text(periods_html(r))
    assert "2 participants over 2 periods." in text
    led = r.ledger
    for period in (1, 2):
        spent = int(led.loc[led["period"] == period, "spent_cents"].sum())
        assert f"{spent // 100:,}.{spent % 100:02d} EUR" in text


@pytest.mark.parametrize("show", [region_html, run_html, extra_money_html, periods_html])
def test_unknown_language_is_an_input_error(show: object) -> None:
    with pytest.raises(ibm.InputError, match="lang"):
        show(object(), lang="de")  # type: ignore[operator]


def test_services_show_their_names_in_each_language() -> None:
    p, i, s = ibm.synthetic_zemgale(seed=7, n_grt=3, n_ft=3, n_bsac=2)
    r = ibm.allocate(p, i, s)
    names = r.service_names
    en, lv = names["physiotherapy"]
    assert (en, lv) == ("Physiotherapist session", "Fizioterapeita konsultācija")
    assert en in _text(result_html(r, lang="en")) and lv not in _text(result_html(r, lang="en"))
    assert lv in _text(result_html(r, lang="lv"))
