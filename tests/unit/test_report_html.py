"""result_html and AllocationResult._repr_html_: well-formed, self-contained, escaped, exact
money, a bar per shown participant, every shown item with its reason, honest truncation."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ibm_engine as ibm
from ibm_engine.errors import InputError
from ibm_engine.region import allocate_region
from ibm_engine.report import result_html, value_label
from ibm_engine.report._format import eur
from strategies import Case, cases

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
_WIDTH = re.compile(r"background:#3572b0;width:([0-9.]+)%")


class _Page(HTMLParser):
    """Checks that every tag closes in order; collects the text and the table rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        self.tags.add(tag)
        if tag == "tr":
            self.rows.append([])

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if "td" in self.stack and self.rows:
            self.rows[-1].append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    return parser


def test_repr_html_is_the_builder(tables: Callable[[], Tables]) -> None:
    r = ibm.allocate(*tables())
    assert r._repr_html_() == result_html(r)


def test_self_contained_no_script_no_external_assets(tables: Callable[[], Tables]) -> None:
    page = result_html(ibm.allocate(*tables()))
    parsed = parse(page)
    assert parsed.tags <= {"div", "p", "b", "table", "thead", "tbody", "tr", "th", "td", "span"}
    for needle in ("<script", "src=", "href=", "url(", "@import", "javascript:"):
        assert needle not in page.lower()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(max_participants=5), lang=st.sampled_from(["en", "lv"]))
def test_money_bars_and_reasons_are_exact(case: Case, lang: str) -> None:
    r = ibm.allocate(*case.frames(), period_weeks=case.period_weeks, team_share=case.team_share)
    page = result_html(r, lang=lang)
    text = "".join(parse(page).text)
    # totals from the specification, in cents (independent of the result's float columns)
    budget = sum(p.budget_cents for p in case.participants)
    price = {(p.participant_id, it.service): it.price_cents for p in case.participants
             for it in p.items}  # fmt: skip
    units = r.items.set_index(["participant_id", "service"])["units"]
    spent = sum(price[k] * int(u) for k, u in units.items())
    assert f"{eur(budget, lang)}" in text and f"{eur(spent, lang)}" in text
    assert f"{eur(budget - spent, lang)}" in text
    # one bar per participant, as wide as spent / budget
    widths = [float(w) for w in _WIDTH.findall(page)]
    assert len(widths) == len(case.participants)
    for w, p in zip(widths, case.participants, strict=True):
        got = sum(price[(p.participant_id, it.service)] * int(units[(p.participant_id, it.service)])
                  for it in p.items)  # fmt: skip
        want = 0.0 if p.budget_cents == 0 else 100.0 * got / p.budget_cents
        assert w == pytest.approx(want, abs=0.051)
    # every item listed once, with its reason in the page's language
    reasons = [value_label("reason", x, lang) for x in r.items["reason"].astype(str)]
    rows = [row for row in parse(page).rows if row and row[-1] in set(reasons)]
    assert [row[-1] for row in rows] == reasons


def test_text_is_escaped(tables: Callable[[], Tables]) -> None:
    p, i, s = tables()
    evil = '<script>alert("x")</script>&'
    i.loc[i["participant_id"] == "P1", "participant_id"] = evil
    p.loc[p["participant_id"] == "P1", "participant_id"] = evil
    page = result_html(ibm.allocate(p, i, s))
    assert "<script" not in page
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;") >= 2
    assert evil in "".join(parse(page).text)


def _many(n: int) -> Tables:
    people = pd.DataFrame(
        {
            "participant_id": [f"P{k:04d}" for k in range(n)],
            "target_group": "GRT",
            "age": 40,
            "municipality": "Bauska",
            "budget_eur": 100.0,
        }
    )
    plan = pd.DataFrame(
        {
            "participant_id": people["participant_id"].repeat(2).to_numpy(),
            "service": ["physiotherapy", "psychologist"] * n,
            "team_rank": [1, 2] * n,
            "recommended_units": 3,
        }
    )
    services = pd.DataFrame(
        {"service": ["physiotherapy", "psychologist"], "unit": "session",
         "unit_price_eur": [27.1, 35.0]}
    )  # fmt: skip
    return people, plan, services


def test_large_results_are_truncated_and_say_so() -> None:
    r = ibm.allocate(*_many(1288))
    page = result_html(r, max_participants=20, max_items=15)
    text = "".join(parse(page).text)
    assert "Participants shown: the first 20 of 1,288." in text
    assert "Plan items shown: the first 15 of these participants' 40." in text
    assert len(_WIDTH.findall(page)) == 20
    assert "P0019" in text and "P0020" not in text
    lv = "".join(parse(result_html(r, lang="lv", max_participants=3)).text)
    assert "Parādīti dalībnieki: pirmie 3 no 1 288." in lv
    assert "Dalībnieki: 1 288; plāna pakalpojumi: 2 576" in lv
    # nothing is said to be cut when nothing is
    small = "".join(parse(result_html(ibm.allocate(*_many(3)))).text)
    assert "Showing" not in small


def test_region_results_render(tables: Callable[[], Tables]) -> None:
    caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 3}]
    region = allocate_region(*tables(), caps, method="exact")
    page = result_html(region, lang="lv")
    parse(page)
    assert len(_WIDTH.findall(page)) == len(region.participants)


def test_empty_results_and_rejections_are_said() -> None:
    empty = SimpleNamespace(
        items=pd.DataFrame(columns=["participant_id", "service", "units", "cost_eur", "reason"]),
        participants=pd.DataFrame(
            columns=["participant_id", "budget_eur", "spent_eur", "left_eur", "coverage"]
        ),
        rejected=pd.DataFrame({"participant_id": ["X"], "reason": ["bad"]}),
    )
    text = "".join(parse(result_html(empty)).text)  # type: ignore[arg-type]
    assert "No participants." in text and "Input problems set aside: 1" in text


def test_bad_arguments_are_all_reported_at_once() -> None:
    broken = SimpleNamespace(items=pd.DataFrame({"service": []}), participants=None)
    with pytest.raises(InputError) as info:
        result_html(broken, lang="de", max_participants=-1, max_items=True)  # type: ignore[arg-type]
    got = info.value.problems
    assert set(got["column"].dropna()) >= {
        "lang", "max_participants", "max_items", "result", "participant_id", "units"
    }  # fmt: skip
