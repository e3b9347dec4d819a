"""The cause rule of explanations on hand-made arrays, the trade-off's words, and both languages.

Each case is small enough to check by hand; the property test
(tests/property/test_explain_properties.py) checks the rule on random plans.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.allocation._explain_causes import LIMITS, find_causes
from ibm_engine.allocation._phrases import (
    CAUSE_PHRASES,
    GLOSSARY,
    OF_RECOMMENDED_LV,
    ONE_LV,
    PHRASES,
    UNIT_WORDS,
)
from ibm_engine.tables import UNITS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _causes(**kw: object) -> list[str]:
    n = len(kw["units"])  # type: ignore[arg-type]
    base: dict[str, object] = {
        "lower": np.ones(n, dtype=np.int64),
        "recommended": np.full(n, 10, dtype=np.int64),
        "upper": np.full(n, 10, dtype=np.int64),
        "eligible": np.ones(n, dtype=bool),
        "legal_cap": np.zeros(n, dtype=bool),
        "hours": np.zeros(n),
        "hours_cap": np.inf,
        "proven": True,
    }
    base.update(kw)
    arrays = {
        k: np.asarray(v, dtype=np.int64 if k in ("units", "cost", "lower", "upper") else None)
        if isinstance(v, list)
        else v
        for k, v in base.items()
    }
    c = find_causes(**arrays)  # type: ignore[arg-type]
    return [LIMITS[k] for k in c.code.tolist()]


def test_rooms_are_what_the_items_up_to_it_leave() -> None:
    # item 1: 8 units of 100, room 1000 - 800 = 200 >= 100: a unit more fits -> trade_off
    c = find_causes(
        units=np.array([0, 8], dtype=np.int64),
        cost=np.array([500, 100], dtype=np.int64),
        hours=np.zeros(2),
        lower=np.ones(2, dtype=np.int64),
        upper=np.array([10, 10], dtype=np.int64),
        recommended=np.array([10, 10], dtype=np.int64),
        eligible=np.ones(2, dtype=bool),
        legal_cap=np.zeros(2, dtype=bool),
        budget=1000,
        hours_cap=np.inf,
        proven=True,
    )
    assert c.money_room.tolist() == [1000, 200]
    assert [LIMITS[k] for k in c.code.tolist()] == ["trade_off", "trade_off"]
    assert c.preferred == [(1,), ()]  # item 0: the money (200 left < 500) went to item 1
    assert c.short_now == ["money", None]  # item 1: one more unit fits into what is left


def test_budget_only_when_even_the_items_after_it_cannot_make_room() -> None:
    # item 0 has 1 of 10 (300 cents); item 1 gets its 5 x 100: 1200 - 300 = 900 >= 300
    got = _causes(units=[1, 5], cost=[300, 100], budget=1200, upper=[10, 5], recommended=[10, 5])
    assert got == ["trade_off", "recommendation"]
    # item 0 has 3 of 10: 1000 - 900 = 100 < 300 even with item 1 at 0; item 1: 100 fits
    got = _causes(units=[3, 0], cost=[300, 100], budget=1000, upper=[10, 5], recommended=[10, 5])
    assert got == ["budget", "trade_off"]


def test_family_hours_and_both_resources() -> None:
    # 8 h per unit, cap 20 h: 2 units use 16 h, one more needs 8 > 4 + 1e-9
    got = _causes(units=[2], cost=[100], hours=[8.0], budget=10_000, hours_cap=20.0)
    assert got == ["family_hours"]
    # both short: budget wins and blocked_by says budget
    c = find_causes(
        units=np.array([2], dtype=np.int64),
        cost=np.array([100], dtype=np.int64),
        hours=np.array([8.0]),
        lower=np.ones(1, dtype=np.int64),
        upper=np.array([10], dtype=np.int64),
        recommended=np.array([10], dtype=np.int64),
        eligible=np.ones(1, dtype=bool),
        legal_cap=np.zeros(1, dtype=bool),
        budget=250,
        hours_cap=20.0,
        proven=True,
    )
    assert LIMITS[int(c.code[0])] == "budget"
    assert c.money_short.tolist() == [True] and c.hours_short.tolist() == [True]
    assert c.blocked_by == ["budget"]


def test_hours_right_at_the_cap_use_the_tolerance_in_hours() -> None:
    # 3 units x 8 h = 24 h; cap 0.9230769228 h/week x 26 weeks = 23.9999999928 h: 7.2e-9 h
    # over the cap, more than the 1e-9 tolerance: the third unit does not fit
    cap = 0.9230769228 * 26
    assert _causes(units=[2], cost=[1], hours=[8.0], budget=100, hours_cap=cap) == ["family_hours"]
    # within 1e-9 h of the cap: it fits
    assert _causes(units=[2], cost=[1], hours=[8.0], budget=100, hours_cap=24 - 5e-10) == [
        "trade_off"
    ]


def test_minimum_does_not_fit_only_when_one_unit_would() -> None:
    # minimum 4 x 100 = 400 > 300 left, one unit (100) fits
    assert _causes(units=[0], cost=[100], lower=[4], budget=300) == ["minimum_does_not_fit"]
    # not even one unit fits: the budget
    assert _causes(units=[0], cost=[400], lower=[4], budget=300) == ["budget"]
    # a minimum of 1 is never "the minimum"
    assert _causes(units=[0], cost=[400], lower=[1], budget=300) == ["budget"]


def test_unproven_results_claim_no_trade_off() -> None:
    assert _causes(units=[0, 8], cost=[500, 100], budget=1000, proven=False) == [
        "not_proven",
        "not_proven",
    ]


def test_caps_and_eligibility_keep_their_causes() -> None:
    got = _causes(
        units=[5, 0, 0, 0, 10],
        cost=[100, 100, 100, 100, 1],
        upper=[5, 0, 3, 0, 10],
        lower=[1, 1, 4, 1, 1],
        recommended=[10, 10, 10, 10, 10],
        eligible=[True, True, True, False, True],
        legal_cap=[True, False, False, False, False],
        budget=10_000,
    )
    assert got == [
        "legal_cap",
        "item_max_units",
        "minimum_does_not_fit",
        "not_eligible",
        "recommendation",
    ]


# ---------------------------------------------------------------- words of a trade-off


def _tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    services = pd.DataFrame(
        [
            {"service": "music_therapy", "unit": "session", "unit_price_eur": 40.0},
            {"service": "home_care", "unit": "hour", "unit_price_eur": 9.0},
            {"service": "transport", "unit": "trip", "unit_price_eur": 5.0},
        ]
    )
    people = pd.DataFrame(
        [
            {
                "participant_id": "P",
                "target_group": "GRT",
                "age": 40,
                "municipality": "M",
                "budget_eur": 100.0,
            }
        ]
    )
    plan = pd.DataFrame(
        [
            {"participant_id": "P", "service": "music_therapy", "team_rank": 1,
             "recommended_units": 2, "weight": 0.5},
            {"participant_id": "P", "service": "home_care", "team_rank": 2,
             "recommended_units": 6, "weight": 0.3},
            {"participant_id": "P", "service": "transport", "team_rank": 3,
             "recommended_units": 4, "weight": 0.2},
        ]
    )  # fmt: skip
    return people, plan, services


def test_trade_off_text_states_what_forcing_the_step_costs() -> None:
    # value per unit: music 0.5/2 = 0.25 (40 EUR), home care 0.3/6 = 0.05 (9 EUR), transport
    # 0.2/4 = 0.05 (5 EUR); budget 100 EUR. Optimum: 2 music + 4 trips = 100 EUR, value 0.7.
    # Home care gets nothing although 20 EUR (the trips) are below it: 9 EUR fits -> a
    # trade-off. Forcing 1 hour: 2 music + 1 hour + 2 trips = 99 EUR, value 0.65 (or 1 music +
    # 4 hours + 4 trips = 96 EUR, 0.65): the list drops from 70% to 65%.
    r = ibm.allocate(*_tables())
    f = r.explain("P").set_index("service")
    assert f["units"].tolist() == [2, 0, 4]
    assert f.loc["home_care", "limited_by"] == "trade_off"
    assert f.loc["home_care", "trade_off_with"] == "transport"
    assert f.loc["home_care", "forced_value"] == pytest.approx(0.65, abs=1e-12)
    line = r.explain_text("P").splitlines()[4]
    assert line.startswith(
        "2. Home care: 0 of 6 hours recommended, 0.00 EUR — the rest of the budget went to "
        "services lower on the joint list (Transport); funding one hour would mean giving up "
    )
    assert line.endswith(
        "and the list as a whole would then be funded to 65.0% instead of 70.0% of what was "
        "recommended."
    )
    lv = r.explain_text("P", language="lv").splitlines()[4]
    assert "atlikušais budžets tika piešķirts zemāk kopīgajā sarakstā esošiem" in lv
    assert "lai finansētu vienu stundu" in lv and "par 65,0%, nevis 70,0% no ieteiktā" in lv


def test_a_tie_is_said_to_be_a_tie() -> None:
    # a and b: 10 EUR, value 0.3 each; c and d: 5 EUR, 0.2 each. Budget 20 EUR: a + c + d and
    # b + c + d both give 0.7 (a + b only 0.6); ties go to the item higher on the list, so a
    # is funded. b fits (20 - 10 = 10 EUR once c and d get nothing), and forcing it gives the
    # same 0.7 by giving up a: the text says it is a tie, not that a is better.
    services = pd.DataFrame(
        [{"service": x, "unit": "session", "unit_price_eur": eur}
         for x, eur in (("a", 10.0), ("b", 10.0), ("c", 5.0), ("d", 5.0))]
    )  # fmt: skip
    people = pd.DataFrame(
        [{"participant_id": "P", "target_group": "GRT", "age": 40, "municipality": "M",
          "budget_eur": 20.0}]
    )  # fmt: skip
    plan = pd.DataFrame(
        [{"participant_id": "P", "service": x, "team_rank": k + 1, "recommended_units": 1,
          "weight": w}
         for k, (x, w) in enumerate((("a", 0.3), ("b", 0.3), ("c", 0.2), ("d", 0.2)))]
    )  # fmt: skip
    r = ibm.allocate(people, plan, services)
    f = r.explain("P")
    assert f["units"].tolist() == [1, 0, 1, 1]
    assert f["limited_by"].tolist() == [
        "recommendation", "trade_off", "recommendation", "recommendation"
    ]  # fmt: skip
    assert f["forced_value"].iloc[1] == pytest.approx(0.7, abs=1e-12)
    line = r.explain_text("P").splitlines()[4]
    assert "funding one session is possible with the list as a whole funded equally well" in line
    assert "(70.0% of what was recommended) by giving up A (1 session)" in line
    assert "the one that gives more to the services higher on the list is chosen" in line
    assert "ties go to items higher on the list" in f["limit_detail"].iloc[1]


# ---------------------------------------------------------------- both languages


def test_every_cause_has_its_phrases_in_both_languages() -> None:
    assert set(CAUSE_PHRASES) == set(LIMITS)
    assert set(PHRASES["en"]) == set(PHRASES["lv"])
    for keys in CAUSE_PHRASES.values():
        for key in keys:
            assert PHRASES["en"][key] and PHRASES["lv"][key]
            fields_en = set(re.findall(r"{(\w+)}", PHRASES["en"][key]))
            fields_lv = set(re.findall(r"{(\w+)}", PHRASES["lv"][key]))
            assert fields_en == fields_lv, key


def test_every_unit_has_its_words_in_both_languages() -> None:
    units = {*UNITS, ""}
    for language in ("en", "lv"):
        assert set(UNIT_WORDS[language]) == units
    assert set(OF_RECOMMENDED_LV) == units
    assert set(ONE_LV["nom"]) == units and set(ONE_LV["acc"]) == units


def test_the_glossary_page_shows_the_glossary_the_text_uses() -> None:
    page = (DOCS / "explanations.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", page, flags=re.M)
    table = {en.strip(): lv.strip() for en, lv in rows if en.strip() in GLOSSARY}
    assert table == GLOSSARY
    latvian = " ".join(PHRASES["lv"].values()).casefold()
    english = " ".join(PHRASES["en"].values()).casefold()
    for en, lv in GLOSSARY.items():
        # each term is used in both languages (Latvian in some inflected form: its stem)
        assert en.casefold().split()[0][:5] in english, en
        assert lv.casefold().split()[0][:5] in latvian, lv


@pytest.mark.parametrize("language", ["en", "lv"])
def test_frame_and_text_agree_on_the_zemgale_sample(language: str) -> None:
    p, i, s = ibm.synthetic_zemgale(seed=7, n_grt=3, n_ft=3, n_bsac=2)
    for policy in ("optimal", "priority"):
        r = ibm.allocate(p, i, s, policy=policy)
        for pid in r.participants["participant_id"]:
            f = r.explain(pid)
            lines = [x for x in r.explain_text(pid, language).splitlines() if re.match(r"\d+\.", x)]
            for cause, line in zip(f["limited_by"].astype(str), lines, strict=True):
                stems = [
                    PHRASES[language][k].split("{")[0].strip(" ;:") for k in CAUSE_PHRASES[cause]
                ]
                assert any(stem in line for stem in stems), (pid, cause, line)
