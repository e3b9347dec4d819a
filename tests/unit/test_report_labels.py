"""Latvian and English labels: every column of every result and every coded value has both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.allocation._phrases import PHRASES, UNIT_WORDS
from ibm_engine.budget import CostedPlanBudget, Source
from ibm_engine.errors import InputError
from ibm_engine.region import allocate_region
from ibm_engine.report import COLUMN_LABELS, LANGUAGES, VALUE_LABELS, column_label, value_label
from ibm_engine.report._labels import TEXT

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def _result_tables(tables: Callable[[], Tables]) -> dict[str, pd.DataFrame]:
    """Every kind of result table the library makes: plain, formula budgets, region."""
    p, i, s = tables()
    plain = ibm.allocate(p, i, s, errors="quarantine")
    bad = p.copy()
    bad.loc[0, "age"] = -3  # a rejected row, so that the rejected table has rows
    rejected = ibm.allocate(bad, i, s, errors="quarantine").rejected
    formula = CostedPlanBudget(Source("test", dt.date(2026, 1, 1)), factor=0.8, floor_eur=50.0)
    budgeted = ibm.allocate(p.drop(columns=["budget_eur"]), i, s, budget=formula)
    caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 3}]
    region = allocate_region(p, i, s, caps, method="exact")
    assert len(rejected) > 0
    return {
        "items": plain.items,
        "participants": plain.participants,
        "rejected": rejected,
        "budget_participants": budgeted.participants,
        "region_items": region.items,
        "region_participants": region.participants,
        "region_lost": region.lost,
    }


def test_every_result_column_has_a_label_in_both_languages(
    tables: Callable[[], Tables],
) -> None:
    for name, df in _result_tables(tables).items():
        for column in df.columns:
            for lang in LANGUAGES:
                label = column_label(column, lang)
                assert label and label != column, (name, column, lang)
            if not column.startswith("budget_") or column == "budget_eur":
                assert column_label(column, "lv") != column_label(column, "en"), column


def test_labels_are_unique_within_a_language() -> None:
    # a header row of labels must still tell the columns apart
    for lang in LANGUAGES:
        labels = list(COLUMN_LABELS[lang].values())
        assert len(labels) == len(set(labels)), lang
    assert set(COLUMN_LABELS["en"]) == set(COLUMN_LABELS["lv"])


def test_every_reason_status_and_policy_has_both_labels(tables: Callable[[], Tables]) -> None:
    coded = {"reason": ibm.REASONS, "status": ("optimal", "feasible"), "policy": ibm.POLICIES}
    coded["budget_source"] = ("given", "formula")
    for column, values in coded.items():
        for v in values:
            en, lv = value_label(column, v, "en"), value_label(column, v, "lv")
            assert v != en != lv != v, (column, v)
    # and every value the results actually hold (rejected.reason is free text, not a code)
    for name, df in _result_tables(tables).items():
        for column in set(coded) & set(df.columns) - ({"reason"} if name == "rejected" else set()):
            for v in df[column].dropna().astype(str).unique():
                assert value_label(column, v, "lv") != v


def test_labels_reuse_the_phrases_of_the_explanations() -> None:
    for lang in LANGUAGES:
        assert value_label("reason", "funded", lang) == PHRASES[lang]["full"]
        for policy in ibm.POLICIES:
            assert value_label("policy", policy, lang) == PHRASES[lang][policy]
        for unit, (_, plural) in UNIT_WORDS[lang].items():
            if unit:
                assert VALUE_LABELS[lang]["unit"][unit] == plural


def test_texts_have_the_same_keys_and_fields_in_both_languages() -> None:
    import string

    assert set(TEXT["en"]) == set(TEXT["lv"])
    for key, en in TEXT["en"].items():
        fields = {f for _, f, _, _ in string.Formatter().parse(en) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(TEXT["lv"][key]) if f}, key


def test_unknown_columns_and_values_pass_through_and_bad_languages_fail() -> None:
    assert column_label("my_column", "lv") == "my_column"
    assert column_label("budget_need", "lv") == "Budžets: need (EUR)"
    assert value_label("reason", "something_new") == "something_new"
    for bad in ("de", "LV", None):
        with pytest.raises(InputError, match="lang"):
            column_label("units", bad)  # type: ignore[arg-type]


def test_every_kpi_and_grouping_of_a_comparison_has_both_labels() -> None:
    from ibm_engine.metrics import BY, KPIS

    for column, codes in (("kpi", (*KPIS, "winners", "losers")), ("by", BY)):
        for code in codes:
            en, lv = value_label(column, code, "en"), value_label(column, code, "lv")
            assert code != en != lv != code, (column, code)


def test_every_reason_unit_and_status_code_has_an_lv_label() -> None:
    from ibm_engine.domain._result import Reason, Status
    from ibm_engine.tables import UNITS

    coded = {"reason": [r.value for r in Reason], "status": [s.value for s in Status]}
    coded["unit"] = list(UNITS)
    assert set(coded["reason"]) == set(ibm.REASONS)
    for column, codes in coded.items():
        for code in codes:
            en, lv = value_label(column, code, "en"), value_label(column, code, "lv")
            assert code != lv and en != lv, (column, code)
            assert VALUE_LABELS["lv"][column][code] == lv
