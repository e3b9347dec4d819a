"""Build the example notebooks of ``examples/`` from the cells written out below.

The notebooks are generated, so that they can be reviewed as Python and regenerated
identically: edit a cell here, then run

    python examples/_build_notebooks.py --write

Without ``--write`` the script only checks that every committed notebook is exactly what it
generates (and has no outputs), and exits with status 1 if one is not. The notebooks are
executed by ``tests/integration/test_notebooks.py``, so they never rot.

Every notebook: a markdown introduction (who it is for, what it shows), short cells, no hidden
state, no file written outside a temporary directory. Cells tagged ``check-...`` are the ones
whose outputs the test reads.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str, str | None]  # (kind "md" / "code", source, tag or None)


def md(source: str) -> Cell:
    """A markdown cell."""
    return ("md", source.strip("\n"), None)


def code(source: str, tag: str | None = None) -> Cell:
    """A code cell, optionally tagged for the test that reads its output."""
    return ("code", source.strip("\n"), tag)


SOCIAL_WORKER: list[Cell] = [
    md("""
# A social worker allocates one family's budget and explains it

**For:** a municipal social worker, or whoever builds the case worker's tool.

**Shows:** one family's joint service list (the assessment team's ranks and the parents' own
ranks), an indicative budget from the costed plan, the allocation (optimal, and the list funded
from the top as done by hand), the explanation to give the family in Latvian and English, what
more money would buy, the waiting list, the smallest budget that funds the next service, and the
HTML view of the result.

The family is invented; the prices are the library's illustrative default catalogue, with one
price of Dobele's own.
"""),
    code("""
from datetime import date

import pandas as pd

import ibm_engine as ibm
from ibm_engine.budget import CostedPlanBudget, Source

pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
"""),
    md("""
## The joint service list

A 3-year-old child with a functional impairment (FT) in Dobele. The assessment team ranked five
services (`team_rank`), the parents ranked them in their own order (`family_rank`); the family
can give 6 hours a week to sessions. The budget is not set yet.
"""),
    code("""
plan = ibm.Plan(
    participant=ibm.Participant(
        participant_id="FT-0001",
        target_group="FT",
        age=3,
        municipality="Dobele",
        family_hours_per_week=6,
    ),
    items=(
        ibm.PlanItem(service="physiotherapy", team_rank=1, family_rank=2, recommended_units=24),
        ibm.PlanItem(service="speech_therapy", team_rank=2, family_rank=1, recommended_units=20),
        ibm.PlanItem(
            service="child_social_care", team_rank=3, family_rank=3, recommended_units=300
        ),
        ibm.PlanItem(service="respite_care", team_rank=4, family_rank=5, recommended_units=20),
        ibm.PlanItem(
            service="music_therapy", team_rank=5, family_rank=4, recommended_units=12, min_units=6
        ),
    ),
)
participants, plan_items = plan.to_frames()
plan_items[["service", "team_rank", "family_rank", "recommended_units", "min_units"]]
"""),
    md("""
## The catalogue, with Dobele's own physiotherapy price

The default catalogue holds illustrative prices and the legal caps (respite care at most 30
days a year; social care for a child up to 4 at most 50 hours a week). A municipality adds
rows of its own; they replace the default row of that service for its residents.
"""),
    code("""
catalogue = ibm.default_catalogue()
dobele = catalogue[catalogue["service"] == "physiotherapy"].assign(
    municipality="Dobele", unit_price_eur=29.00
)
services = pd.concat([catalogue, dobele], ignore_index=True)
columns = ["service", "municipality", "unit", "unit_price_eur", "max_units_per_week"]
services[services["service"].isin(plan_items["service"])][[*columns, "max_units_per_year"]]
"""),
    md("""
## The indicative budget

As in the child pilot, the budget follows the costed plan: every service at the units the
rules allow, at the price that applies, here times 0.7 (an illustrative factor: the programme
pays 70% of the costed plan). The breakdown adds up to the budget to the cent, and every
parameter carries its source and effective date.
"""),
    code("""
source = Source("illustrative: 70% of the costed plan", date(2018, 9, 1))
budget = CostedPlanBudget(source, factor=0.7).compute(participants, plan_items, services)
participants = participants.assign(budget_eur=budget.budget_eur)
budget.table()
"""),
    md("""
## Allocate: optimal, and funded from the top

`policy="optimal"` gives the joint list the most value the budget allows (and proves it);
`policy="priority"` funds the list one service at a time from the top, as done by hand.
"""),
    code(
        """
optimal = ibm.allocate(participants, plan_items, services)
by_hand = ibm.allocate(participants, plan_items, services, policy="priority")
columns = ["units", "cost_eur", "reason"]
hand = by_hand.items[columns].add_suffix("_by_hand")
pd.concat([optimal.items[["service", "upper_units", *columns]], hand], axis=1)
""",
        tag="check-policies",
    ),
    code(
        """
for name, result in [("optimal", optimal), ("priority", by_hand)]:
    row = result.participants.iloc[0]
    print(f"{name:8} spent {row.spent_eur:8.2f} EUR of {row.budget_eur:.2f}, value {row.value:.4f}")
""",
        tag="check-values",
    ),
    md("""
## The explanation for the family

In Latvian, to hand to the parents, and in English. Each service says what it got and what
stopped it: the recommendation, a legal cap, the budget, the family's hours, a minimum dose,
or a trade-off: the optimiser funded services lower on the list instead, and the text says what
funding one more unit would have cost the list as a whole.
"""),
    code('print(optimal.explain_text("FT-0001", language="lv"))', tag="check-text-lv"),
    code('print(optimal.explain_text("FT-0001"))', tag="check-text-en"),
    md("""
The same as a table: `limited_by` is the binding cause, `trade_off_with` the services a
trade-off favoured, `next_100_eur_units` what 100 EUR more would add to each service.
"""),
    code("""
why = optimal.explain("FT-0001")
why[["service", "units", "upper_units", "limited_by", "trade_off_with", "next_100_eur_units"]]
"""),
    md("""
## What one more euro buys

`value_per_euro` is the value one more euro adds at the margin (the dual price of the budget);
`value_gain_100_eur` what 100 EUR more adds, re-solved exactly. `at_budget_change` re-allocates
the family at other budgets.
"""),
    code("""
summary = optimal.participant("FT-0001").summary()
{key: summary[key] for key in ("left_eur", "value", "value_per_euro", "value_gain_100_eur")}
"""),
    code("""
changes = optimal.participant("FT-0001").at_budget_change([-10, 10, 25])
changes.pivot(index="service", columns="pct", values="units")
"""),
    md("""
## The waiting list, and the smallest budget for the next service

The waiting list holds the services not funded in full, in joint-list order, with the extra
money that would fund each. `smallest_budget_for` finds, exact to the cent, the smallest budget
at which a service gets everything the rules allow (funding is not monotone in the budget, so
this is not a bisection).
"""),
    code(
        """
waiting = optimal.waiting_list("FT-0001")
waiting[["position", "service", "units", "missing_units", "extra_to_upper_eur"]]
""",
        tag="check-waiting",
    ),
    code(
        """
next_service = waiting["service"].iloc[0]
needed = optimal.smallest_budget_for("FT-0001", next_service)
print(f"{next_service} is funded in full from a budget of {needed:,.2f} EUR")
print(f"(the budget is {participants['budget_eur'].iloc[0]:,.2f} EUR)")
""",
        tag="check-smallest",
    ),
    md("""
A check by hand: the family re-allocated at that budget and at one cent less.
"""),
    code(
        """
for eur in (round(needed - 0.01, 2), needed):
    check = ibm.allocate(participants.assign(budget_eur=eur), plan_items, services)
    row = check.items[check.items["service"] == next_service].iloc[0]
    print(f"{eur:,.2f} EUR: {row.units} of {row.upper_units} units, {row.reason}")
""",
        tag="check-smallest-by-hand",
    ),
    md("""
## The HTML view

In Jupyter a result shows itself: a bar per participant (spent against the budget) and the
item table with the reason of every item.
"""),
    code("optimal", tag="check-html"),
]


ANALYST: list[Cell] = [
    md("""
# An analyst allocates the Zemgale region

**For:** a municipal or planning-region analyst who works in Jupyter and Excel.

**Shows:** the embedded synthetic Zemgale region (1,288 participants in six municipalities,
drawn like the deinstitutionalisation project "Atver sirdi Zemgalē"; synthetic, not real
data), allocated; KPIs by municipality; provider capacities shared by a smaller region with
`allocate_region` (who lost what, shadow prices, the max-min objective); two plan periods with
carry-over of unspent money; an Excel report written to a temporary directory; plots.
"""),
    code("""
import tempfile
from pathlib import Path

import pandas as pd

import ibm_engine as ibm
from ibm_engine import report
from ibm_engine.metrics import kpis
from ibm_engine.region import CarryOver, allocate_region, run_periods

pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
"""),
    md("""
## The region, allocated

Every participant's budget spent on their joint list by the optimiser, each allocation proven
optimal.
"""),
    code(
        """
participants, plan_items, services = ibm.synthetic_zemgale(seed=2021)
zemgale = ibm.allocate(participants, plan_items, services, period_weeks=26)
print(zemgale)
zemgale.summary()
""",
        tag="check-region",
    ),
    md("""
## KPIs by municipality

`ibm_engine.metrics.kpis` gives every KPI of a result as a tidy frame (`kpi`, `by`, `group`,
`value`), ready to pivot.
"""),
    code(
        """
k = kpis(zemgale)
columns = ["participants", "budget_eur", "spent_eur", "value_share", "min_coverage", "unmet_eur"]
by_municipality = k[k["by"] == "municipality"].pivot(index="group", columns="kpi", values="value")
by_municipality[columns].round(3)
""",
        tag="check-kpis",
    ),
    code("""
unmet = k[(k["by"] == "service") & (k["kpi"] == "unmet_eur")]
unmet.nlargest(5, "value")[["group", "value"]]
"""),
    md("""
## Provider capacities

A municipality has only so many physiotherapy and psychologist sessions a period. On a smaller
region (150 participants; the whole region takes longer), each municipality's capacity is set
to 70% of what the uncapacitated allocation uses. `allocate_region` then decides for the whole
region at once, within every budget and every capacity, and proves how far from the optimum
it can be (`gap`).
"""),
    code("""
people, items, catalogue = ibm.synthetic_zemgale(seed=2021, n_grt=60, n_ft=60, n_bsac=30)
free = ibm.allocate(people, items, catalogue)
used = free.items.merge(free.participants[["participant_id", "municipality"]], on="participant_id")
demand = used.groupby(["municipality", "service"], as_index=False)["units"].sum()
capacities = demand[demand["service"].isin(["physiotherapy", "psychologist"])].assign(
    units=lambda d: d["units"] * 7 // 10
)
capacities.head()
"""),
    code(
        """
region = allocate_region(people, items, catalogue, capacities)
print(f"value {region.value:.3f}, proven bound {region.bound:.3f}, gap {region.gap:.2e}")
""",
        tag="check-capacity",
    ),
    md("""
Who lost what against the allocation without capacities: reason `unavailable` where the
capacity ran out; a few knock-on losses elsewhere, where the money a participant could not
spend on a scarce service was spent on a better combination. Then the shadow price of each
capacity: what one more unit of it would add to the region's objective (the sum of coverage
shares).
"""),
    code("""
lost = region.lost.groupby(["municipality", "service", "reason"], observed=True)
lost["units_lost"].agg(["count", "sum"])
"""),
    code("""
region.shadow_prices.sort_values("price", ascending=False).round(4)
"""),
    md("""
`objective="maxmin"` raises the worst-off participant's coverage share first, then the total
with every share kept (on the region of one municipality, to keep the notebook quick).
"""),
    code(
        """
aizkraukle = people[people["municipality"] == "Aizkraukle"]
its_items = items[items["participant_id"].isin(aizkraukle["participant_id"])]
its_caps = capacities[capacities["municipality"] == "Aizkraukle"]
for objective in ("sum", "maxmin"):
    r = allocate_region(aizkraukle, its_items, catalogue, its_caps, objective=objective)
    share = r.participants["coverage"]
    print(f"{objective:6}: smallest coverage {share.min():.3f}, total {share.sum():.3f}")
""",
        tag="check-maxmin",
    ),
    md("""
## Two periods with carry-over

The child pilot's two 6-month periods; money a period leaves unspent moves to the next period
within the plan year (which starts in September), and is forfeited at its end. The ledger
reconciles to the cent: budget = spent + forfeited + carried out after the last period.
"""),
    code(
        """
periods = pd.DataFrame(
    {
        "period": [1, 2],
        "start_date": ["2018-09-01", "2019-03-01"],
        "end_date": ["2019-02-28", "2019-08-31"],
    }
)
carry_over = CarryOver.plan_year(year_start_month=9)
two_periods = run_periods(people, items, catalogue, periods, carry_over)
print(two_periods)
""",
        tag="check-periods",
    ),
    code("""
ledger = two_periods.ledger
ledger.groupby("period")[["budget_eur", "carried_in_eur", "spent_eur", "forfeited_eur"]].sum()
"""),
    md("""
## An Excel report

One formatted sheet per table, money as numbers with a EUR format; here with the region's
KPIs by municipality as an extra sheet and the Latvian labels (headers and values, for people;
`headers="names"` keeps the column codes for tools). It is written to a temporary
directory (the report of all 1,288 participants takes some seconds more; this is the smaller
region with capacities).
"""),
    code(
        """
with tempfile.TemporaryDirectory() as folder:
    for_staff = report.write_excel_report(  # Latvian headers and labelled values
        region,
        Path(folder) / "zemgale.xlsx",
        tables={"municipalities": by_municipality.reset_index()},
        lang="lv",
    )
    print(for_staff.name, f"{for_staff.stat().st_size:,} bytes")
    # headers="names" keeps the contract's column names, so read_table reads it back
    for_tools = report.write_excel_report(
        region, Path(folder) / "codes.xlsx", lang="lv", headers="names"
    )
    print(ibm.read_table(for_tools, "items")[["participant_id", "service", "cost_eur"]].head(3))
""",
        tag="check-excel",
    ),
    md("""
## Plots

Each plot returns a matplotlib `Figure` (no `pyplot`, no window); `lang="lv"` for Latvian.
"""),
    code(
        """
fig = report.plot_spend_by_service(zemgale, top=8)
fig
""",
        tag="check-plot",
    ),
    code("""
fig = report.plot_municipalities(zemgale, measure="coverage", lang="lv")
fig
"""),
    code("""
fig = report.plot_coverage_distribution(region)
fig
"""),
]


RESEARCHER: list[Cell] = [
    md("""
# A researcher compares funding mechanisms and replays the 2020 closure

**For:** a policy researcher who has to tell a ministry what a funding mechanism would do
before it commits.

**Shows:** the three funding mechanisms on the same population with the same money (the
individual budget model with the optimiser, the same spent by hand in priority order, and the
traditional mechanism: services by eligibility, first come first served until the pot runs
out); a price sweep; the 2020 COVID-19 closure replayed month by month, with the reason of
every euro left unspent, re-planning after the emergency, and what the municipalities had to
pre-finance.

The population is a small synthetic Zemgale region (synthetic, not real data).
"""),
    code("""
from datetime import date

import numpy as np
import pandas as pd

import ibm_engine as ibm
from ibm_engine import report
from ibm_engine.region import (
    covid_2020_disruptions,
    plan_delivery,
    prefinancing,
    replan_after,
    simulate_delivery,
)
from ibm_engine.scenarios import Baseline, compare_mechanisms, sweep

pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
"""),
    md("""
## The population

80 participants; their applications arrive over January 2020 in no particular order (the
traditional mechanism serves them in that order).
"""),
    code("""
participants, plan_items, services = ibm.synthetic_zemgale(7, n_grt=32, n_ft=32, n_bsac=16)
days = np.random.default_rng(1).permutation(len(participants)) % 31
participants["application_date"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(days, "D")
base = Baseline(participants, plan_items, services)
participants[["participant_id", "target_group", "municipality", "budget_eur"]].head()
"""),
    md("""
## Three funding mechanisms side by side

`compare_mechanisms` runs the three on the same participants with the same money and returns
one tidy KPI frame (`scenario`, `kpi`, `by`, `group`, `value`, `baseline_value`, `delta`).
"""),
    code(
        """
kpi = compare_mechanisms(base)
headline = [
    "budget_eur",
    "spent_eur",
    "unspent_eur",
    "value_share",
    "min_coverage",
    "gini_coverage",
    "share_funded",
    "share_partly_funded",
    "share_not_funded",
    "unmet_eur",
]
table = (
    kpi[(kpi["by"] == "all") & kpi["kpi"].isin(headline)]
    .pivot(index="kpi", columns="scenario", values="value")
    .loc[headline]
)
table.round(3)
""",
        tag="check-mechanisms",
    ),
    md("""
Same money (`budget_eur`). The traditional queue grants whole requests until the pot runs out,
so those at the end of the queue get nothing (`min_coverage`, the Gini coefficient of
coverage); individual budgets spread the money over everyone, and the optimiser gets more out
of each budget than the priority order does.

Unmet need by target group:
"""),
    code("""
unmet = kpi[(kpi["kpi"] == "unmet_eur") & (kpi["by"] == "target_group")]
unmet.pivot(index="group", columns="scenario", values="value")
"""),
    md("""
## A price sweep

Every price up by 0% to 20%, the budgets unchanged: each run compared with the baseline.
"""),
    code(
        """
prices = sweep(base, "price", [1.0, 1.1, 1.2])
view = prices[(prices["by"] == "all") & prices["kpi"].isin(["spent_eur", "value_share", "losers"])]
view.pivot(index="factor", columns="kpi", values="value").round(4)
""",
        tag="check-sweep",
    ),
    code("""
dearer = prices[prices["factor"] > 1.0]
deltas = dearer.assign(scenario="prices x" + dearer["factor"].astype(str))
fig = report.plot_scenario_deltas(deltas, kpi="mean_coverage", by="target_group")
fig
"""),
    md("""
## The 2020 closure, replayed

From 2020-03-12 to 2020-06-09 physiotherapy, occupational and speech therapy, Montessori and
pedagogue sessions could not be delivered; day care centres only in single cases (an assumed
share of 0.1); psychologist, assistant and support person continued. Each participant's
allocation for a 12-month period from January 2020 is spread over the months, then delivered
under the closure. Two participants also paused their services themselves in April (the only
underspend held against a participant).
"""),
    code("""
year = ibm.allocate(participants, plan_items, services, period_weeks=52)
plan = plan_delivery(year, date(2020, 1, 1), months=12)
pauses = pd.DataFrame(
    {
        "participant_id": participants["participant_id"].iloc[:2],
        "service": "",
        "from_date": "2020-04-01",
        "to_date": "2020-04-30",
    }
)
delivery = simulate_delivery(plan, covid_2020_disruptions(), pauses)
covid_2020_disruptions()
"""),
    md("""
Every euro not delivered, by reason code and month:
"""),
    code(
        """
f = delivery.frame
lost = f[f["underspend_eur"] > 0]
by_reason = lost.pivot_table(
    index="month", columns="reason", values="underspend_eur", aggfunc="sum", observed=True
)
by_reason.fillna(0.0).round(2)
""",
        tag="check-reasons",
    ),
    code("""
held = lost.groupby("held_against_participant")["underspend_eur"].sum().round(2)
by_service = lost.groupby("service", observed=True)["underspend_eur"].sum()
print(held)
by_service[by_service > 0].sort_values(ascending=False).round(2)
"""),
    md("""
## Re-planning after the emergency

After June, the money the closure left unspent buys the lost units back over July to December
(never beyond a participant's budget).
"""),
    code(
        """
again = simulate_delivery(replan_after(delivery, date(2020, 6, 1)), covid_2020_disruptions())
before = delivery.delivered_cents().sum() / 100
after = again.delivered_cents().sum() / 100
print(f"delivered: {before:,.2f} EUR without re-planning, {after:,.2f} EUR with it")
print(f"allocated: {year.participants['spent_eur'].sum():,.2f} EUR")
print(f"budgets:   {year.participants['budget_eur'].sum():,.2f} EUR")
""",
        tag="check-replan",
    ),
    md("""
## Municipal pre-financing

The municipalities pay providers in the month of delivery and are reimbursed by the project
after each quarterly report is approved, one month after the quarter ends. The peak is what
each municipality must have in hand.
"""),
    code(
        """
cash = prefinancing(again, reimbursement="quarterly", lag_months=1)
cash.peaks
""",
        tag="check-prefinancing",
    ),
    code("""
m = cash.monthly
m[m["municipality"] == m["municipality"].iloc[0]][
    ["month", "paid_eur", "reimbursed_eur", "outstanding_eur"]
]
"""),
]


NOTEBOOKS: dict[str, list[Cell]] = {
    "01_social_worker_one_family.ipynb": SOCIAL_WORKER,
    "02_analyst_zemgale_region.ipynb": ANALYST,
    "03_researcher_mechanisms_and_closure.ipynb": RESEARCHER,
}

METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def build(cells: list[Cell]) -> NotebookNode:
    """A v4 notebook of ``cells``, without outputs, with stable cell ids."""
    nb = nbformat.v4.new_notebook(metadata=METADATA)
    for number, (kind, source, tag) in enumerate(cells):
        metadata = {} if tag is None else {"tags": [tag]}
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(source, metadata=metadata)
        else:
            cell = nbformat.v4.new_code_cell(source, metadata=metadata)
        cell["id"] = f"cell-{number:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render() -> dict[str, str]:
    """The text of every notebook, by file name, as this script writes it."""
    return {name: nbformat.writes(build(cells)) + "\n" for name, cells in NOTEBOOKS.items()}


def main(argv: list[str]) -> int:
    """Check the committed notebooks (``--write``: write them); 0 when all are up to date."""
    stale = 0
    for name, text in render().items():
        path = HERE / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            print(f"{name}: up to date")
        elif "--write" in argv:
            path.write_text(text, encoding="utf-8")
            print(f"{name}: written")
        else:
            stale += 1
            print(f"{name}: differs from what this script generates (run it with --write)")
    return 1 if stale else 0


if __name__ == "__main__":
    status = main(sys.argv[1:])
    if status:  # no SystemExit(0): tests/integration/test_examples.py runs this as __main__
        raise SystemExit(status)
