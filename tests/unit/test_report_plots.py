"""Plots: matplotlib is loaded only when a plot is drawn; every bar equals an independent
computation from the result tables (money summed in cents); labels in both languages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ibm_engine as ibm
from ibm_engine.errors import InputError
from ibm_engine.report import (
    plot_coverage_distribution,
    plot_municipalities,
    plot_scenario_deltas,
    plot_spend_by_service,
)
from strategies import Case, cases

matplotlib.use("Agg")

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def _cents(x: object) -> int:
    """A bar's EUR width in cents, rounded: matplotlib stores a stacked bar's width as
    (left + width) - left, which can land a hair below the cent (0.8 - 0.7 = 0.0999...)."""
    return int((Decimal(repr(float(x))) * 100).to_integral_value())  # type: ignore[arg-type]


def test_importing_the_report_layer_does_not_import_matplotlib() -> None:
    code = (
        "import sys, ibm_engine.report, ibm_engine.report._plots; "
        "print([m for m in ('matplotlib', 'openpyxl') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_without_matplotlib_the_error_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['matplotlib'] = None; import pandas as pd; "
        "from ibm_engine.report import plot_coverage_distribution as plot\n"
        "try:\n    plot(pd.DataFrame({'coverage': [1.0]}))\n"
        "except ImportError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Plots need matplotlib: pip install ibm_engine[plot]"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(max_participants=4))
def test_spend_by_service_bars_are_the_spend_and_the_unfunded_recommendations(
    case: Case,
) -> None:
    r = ibm.allocate(*case.frames(), period_weeks=case.period_weeks, team_share=case.team_share)
    ax = plot_spend_by_service(r).axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    spent: dict[str, int] = {}
    unfunded: dict[str, int] = {}
    for p in case.participants:
        got = r.items[r.items["participant_id"] == p.participant_id].set_index("service")
        for it in p.items:
            u = int(got.loc[it.service, "units"])
            spent[it.service] = spent.get(it.service, 0) + u * it.price_cents
            miss = max(it.recommended - u, 0) * it.price_cents
            unfunded[it.service] = unfunded.get(it.service, 0) + miss
    assert sorted(names) == sorted(spent)
    k = len(names)
    bars = ax.patches
    assert [_cents(b.get_width()) for b in bars[:k]] == [spent[n] for n in names]
    assert [_cents(b.get_width()) for b in bars[k:]] == [unfunded[n] for n in names]
    assert [_cents(b.get_x()) for b in bars[k:]] == [spent[n] for n in names]
    assert [spent[n] for n in names] == sorted(spent[n] for n in names)


def test_spend_by_service_top_and_an_existing_axes(tables: Callable[[], Tables]) -> None:
    from matplotlib.figure import Figure

    r = ibm.allocate(*tables())
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_spend_by_service(r, ax=ax, top=1, lang="lv") is fig
    assert len(ax.get_yticklabels()) == 1
    assert ax.get_title() == "Izlietojums pa pakalpojumiem"
    sub = fig.subfigures(1, 2)[1].add_subplot()  # an axes of a subfigure: the whole figure
    assert plot_coverage_distribution(r, ax=sub) is fig
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Izlietots",
        "Ieteikts, bet nav finansēts",
    ]


@settings(max_examples=30, deadline=None)
@given(
    cov=st.lists(st.floats(0.0, 1.0) | st.just(1.0) | st.just(0.0), min_size=0, max_size=60),
    bins=st.integers(1, 12),
)
def test_coverage_histogram_counts_every_participant_once(cov: list[float], bins: int) -> None:
    ax = plot_coverage_distribution(pd.DataFrame({"coverage": cov}), bins=bins).axes[0]
    heights = [int(b.get_height()) for b in ax.patches]
    want, _ = np.histogram(100.0 * np.asarray(cov, dtype=float), bins=bins, range=(0, 100))
    assert heights == want.tolist()
    assert sum(heights) == len(cov)


def test_municipalities_mean_coverage_and_exact_totals() -> None:
    rng = np.random.default_rng(5)
    n = 200
    p = pd.DataFrame(
        {
            "municipality": rng.choice(["Bauska", "Dobele", "Jēkabpils"], n),
            "coverage": rng.random(n),
            "spent_eur": rng.integers(0, 10**7, n) / 100.0,
        }
    )
    ax = plot_municipalities(p).axes[0]
    names = [t.get_text() for t in ax.get_xticklabels()]
    mean = p.groupby("municipality")["coverage"].mean()
    assert [float(b.get_height()) for b in ax.patches] == pytest.approx(
        [100.0 * mean[m] for m in names], rel=1e-12
    )
    ax = plot_municipalities(p, measure="spent_eur").axes[0]
    total = {m: sum(_cents(x) for x in g) for m, g in p.groupby("municipality")["spent_eur"]}
    assert [_cents(b.get_height()) for b in ax.patches] == [total[m] for m in names]


def _kpis() -> pd.DataFrame:
    rows = []
    for s, d in (("price+10%", -1.0), ("pot-20%", -2.0)):
        for g, base in (("Bauska", 100.0), ("Dobele", 50.0)):
            rows.append((s, "spent_eur", "municipality", g, base, d * base / 10))
        rows.append((s, "coverage", "all", "all", 0.9, d / 100))
        rows.append((s, "coverage", "target_group", "FT", 0.8, d / 50))
    df = pd.DataFrame(rows, columns=["scenario", "kpi", "by", "group", "baseline_value", "delta"])
    df["value"] = df["baseline_value"] + df["delta"]
    return df


def test_scenario_deltas_draw_every_delta_of_the_chosen_kpi() -> None:
    kpis = _kpis()
    ax = plot_scenario_deltas(kpis, kpi="spent_eur", lang="lv").axes[0]
    want = kpis[kpis["kpi"] == "spent_eur"]["delta"].tolist()
    assert [float(b.get_width()) for b in ax.patches] == want
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["price+10%", "pot-20%"]
    assert ax.get_title() == "Izlietots (EUR): izmaiņa pret bāzes scenāriju"
    ax = plot_scenario_deltas(kpis, kpi="coverage", by="target_group").axes[0]
    assert [float(b.get_width()) for b in ax.patches] == [-0.02, -0.04]
    ax = plot_scenario_deltas(kpis, kpi="coverage").axes[0]  # "all" by default
    assert [float(b.get_width()) for b in ax.patches] == [-0.01, -0.02]


def test_scenario_deltas_of_a_real_comparison() -> None:
    from ibm_engine.metrics import KPIS
    from ibm_engine.scenarios import Baseline, Scenario, compare, run_scenarios

    people, plan, services = ibm.synthetic_zemgale(3, n_grt=4, n_ft=3, n_bsac=2)
    scenarios = [Scenario("now"), Scenario("dearer", price_factor=1.2)]
    k = compare(run_scenarios(Baseline(people, plan, services), scenarios), baseline="now")
    for kpi in (*KPIS, "winners", "losers"):
        for lang in ("en", "lv"):
            title = plot_scenario_deltas(k, kpi=kpi, lang=lang).axes[0].get_title()
            assert kpi not in title  # a label, not the code
    ax = plot_scenario_deltas(k, kpi="unmet_eur", by="municipality").axes[0]
    rows = k[(k["kpi"] == "unmet_eur") & (k["by"] == "municipality")]
    assert sorted(float(b.get_width()) for b in ax.patches) == sorted(rows["delta"])


def test_scenario_deltas_refuse_ambiguous_or_missing_input() -> None:
    kpis = _kpis()
    with pytest.raises(InputError, match="several groupings"):
        grouped = kpis[kpis["by"] == "target_group"]
        plot_scenario_deltas(pd.concat([grouped, grouped.assign(by="age_band")]), kpi="coverage")
    with pytest.raises(InputError, match="no rows of 'gini'"):
        plot_scenario_deltas(kpis, kpi="gini")
    with pytest.raises(InputError, match="no rows by 'age_band'"):
        plot_scenario_deltas(kpis, kpi="coverage", by="age_band")
    with pytest.raises(InputError) as info:
        plot_scenario_deltas(kpis.drop(columns=["delta", "by"]), kpi="coverage")
    assert sorted(info.value.problems["column"]) == ["by", "delta"]
    assert set(info.value.problems["table"]) == {"kpis"}


def test_bad_arguments(tables: Callable[[], Tables]) -> None:
    r = ibm.allocate(*tables())
    with pytest.raises(InputError, match="measure"):
        plot_municipalities(r, measure="value")
    with pytest.raises(InputError, match="lang"):
        plot_coverage_distribution(r, lang="de")
    for top in (0, -1, True, 1.5):
        with pytest.raises(InputError, match="top"):
            plot_spend_by_service(r, top=top)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="bins"):
        plot_coverage_distribution(r, bins=0)
    with pytest.raises(InputError, match="neither a result"):
        plot_spend_by_service(42)
    with pytest.raises(InputError, match="missing"):
        plot_spend_by_service(r.participants)


def test_figures_save(tables: Callable[[], Tables], tmp_path: Path) -> None:
    r = ibm.allocate(*tables())
    for k, fig in enumerate(
        [plot_spend_by_service(r), plot_coverage_distribution(r), plot_municipalities(r)]
    ):
        path = tmp_path / f"{k}.png"
        fig.savefig(path)
        assert path.stat().st_size > 1000
