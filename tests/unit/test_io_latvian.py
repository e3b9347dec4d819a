"""Latvian CSV: ``;`` between fields, decimal commas, digit groups, formula escapes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ibm_engine as ibm
from ibm_engine.io import read_table, read_tables
from ibm_engine.io._locale import FORMULA_ESCAPE, FORMULA_PREFIXES, LV_GROUP_SEPARATORS

HEADER = "participant_id;target_group;age;municipality;budget_eur;family_hours_per_week\n"


def _lv_money(cents: int, group: str | None) -> str:
    """``cents`` as Latvian Excel writes it: ``-1 234 567,05`` (``group=None``: no groups)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    digits = f"{whole:,}".replace(",", group) if group is not None else str(whole)
    return f"{sign}{digits},{frac:02d}"


def _plain_money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def _write(path: Path, text: str, bom: bool = True) -> Path:
    path.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
    return path


@settings(max_examples=60, deadline=None)
@given(
    cents=st.lists(st.integers(-(10**13), 10**13), min_size=1, max_size=20),
    group=st.sampled_from([None, *LV_GROUP_SEPARATORS]),
    bom=st.booleans(),
)
def test_money_is_exact_to_the_cent(
    cents: list[int], group: str | None, bom: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    lines = [f"P{k};GRT;30;Bauska;{_lv_money(c, group)};" for k, c in enumerate(cents)]
    path = _write(tmp_path_factory.mktemp("lv") / "p.csv", HEADER + "\n".join(lines) + "\n", bom)
    df = read_table(path, "participants", locale="lv")
    values = df["budget_eur"].to_numpy()
    assert df["budget_eur"].dtype == np.float64
    # the same float as the plain text gives, so exactly the cents written
    np.testing.assert_array_equal(values, [float(_plain_money(c)) for c in cents])
    assert np.round(values * 100).astype(np.int64).tolist() == cents
    assert df["participant_id"].tolist() == [f"P{k}" for k in range(len(cents))]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 500,00", 1500.0),
        ("1\u00a0500,5", 1500.5),
        ("12\u202f345\u202f678,09", 12345678.09),
        ("1500,00", 1500.0),
        ("-0,01", -0.01),
        (" 7 ", 7),
        ("+3,5", 3.5),
    ],
)
def test_latvian_numbers(text: str, value: float, tmp_path: Path) -> None:
    path = _write(tmp_path / "p.csv", HEADER + f"P1;GRT;30;Bauska;{text};\n")
    assert read_table(path, "participants", locale="lv")["budget_eur"].tolist() == [value]


@pytest.mark.parametrize(
    "text", ["1 50,00", "1.500,00", "1,500.00", "2.5", "1 5000", "1,2,3", "€5"]
)
def test_not_latvian_numbers_stay_text_and_are_reported_with_their_row(
    text: str, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "p.csv", HEADER + "P1;GRT;30;Bauska;10,00;\n\nP2;FT;8;Bauska;" + text + ";\n"
    )
    people = read_table(path, "participants", locale="lv")
    assert people["budget_eur"].tolist() == [10.0, text]
    services = pd.DataFrame({"service": ["a"], "unit": ["day"], "unit_price_eur": [1.0]})
    items = pd.DataFrame(
        {"participant_id": ["P1"], "service": ["a"], "team_rank": [1], "recommended_units": [1]}
    )
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(people, items, services)
    problem = info.value.problems.iloc[0]
    assert (problem["row"], problem["column"], problem["source_row"]) == ("P2", "budget_eur", 4)
    assert repr(text) in problem["reason"]


def test_text_columns_are_untouched(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "p.csv",
        HEADER.replace("\n", ";note\n") + "1 500,00;GRT;30;0,5;1,00;2,5;3,5\n",
    )
    df = read_table(path, "participants", locale="lv")
    assert df[["participant_id", "municipality", "note"]].values.tolist() == [
        ["1 500,00", "0,5", "3,5"]
    ]
    assert df["family_hours_per_week"].tolist() == [2.5]
    assert df["age"].dtype == np.int64


def test_decimal_comma_without_locale_says_to_use_it(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "i.csv",
        "participant_id;service;team_rank;recommended_units;weight;note\n"
        "P1;a;1;2;0,5;1,5\nP1;b;2;3;abc;\n\nP2;a;1;1 000,5;0.5;\n",
    )
    items = read_table(path, "plan_items")
    assert items["weight"].tolist() == ["0,5", "abc", 0.5]
    assert items["note"].tolist()[0] == "1,5"
    people = pd.DataFrame(
        {
            "participant_id": ["P1", "P2"],
            "target_group": ["GRT", "FT"],
            "age": [30, 8],
            "municipality": ["Bauska", "Bauska"],
            "budget_eur": [100.0, 100.0],
        }
    )
    services = pd.DataFrame(
        {"service": ["a", "b"], "unit": ["day", "day"], "unit_price_eur": [1.0, 2.0]}
    )
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(people, items, services)
    problems = info.value.problems.sort_values("source_row")
    assert problems[["row", "column", "source_row"]].values.tolist() == [
        ["P1", "weight", 2],
        ["P1", "weight", 3],
        ["P2", "recommended_units", 5],
    ]
    hinted = ["locale='lv'" in r and "--locale lv" in r for r in problems["reason"]]
    assert hinted == [True, False, True]  # 'abc' is no decimal comma
    assert problems["file"].tolist() == [str(path)] * 3
    lv = read_table(path, "plan_items", locale="lv")
    assert lv["weight"].tolist() == [0.5, "abc", "0.5"]
    assert lv["recommended_units"].tolist() == [2, 3, 1000.5]


def test_formula_escapes_are_restored_only_with_the_locale(tmp_path: Path) -> None:
    cells = [FORMULA_ESCAPE + p + "x" for p in FORMULA_PREFIXES if p not in "\t\r"]
    cells += ["'\tx", "'abc", "''=x", "=x"]
    quoted = ";".join(f'"{c}"' for c in cells)
    names = ";".join(f"c{k}" for k in range(len(cells)))
    path = _write(tmp_path / "t.csv", f"participant_id;{names}\n'=1;{quoted}\n")
    lv = read_table(path, locale="lv")
    # one escape comes off text that begins with escapes and a formula prefix (the writer puts
    # one more on: io/_locale.py's NEEDS_ESCAPE and ESCAPED_TEXT undo each other)
    assert lv.iloc[0].tolist() == ["=1", "=x", "+x", "-x", "@x", "\tx", "'abc", "'=x", "=x"]
    plain = read_table(path)
    assert plain.iloc[0].tolist() == ["'=1", *cells]


def test_latvian_files_allocate_like_the_frames(tmp_path: Path) -> None:
    people = _write(
        tmp_path / "p.csv",
        HEADER + "P1;GRT;40;Bauska;1 234,56;\nP2;FT;8;Dobele;333,33;2,5\n",
        bom=False,
    )
    items = _write(
        tmp_path / "i.csv",
        "participant_id;service;team_rank;recommended_units\n"
        "P1;physiotherapy;1;40\nP2;physiotherapy;1;12\nP2;psychologist;2;6\n",
    )
    services = _write(
        tmp_path / "s.csv",
        "service;unit;unit_price_eur;hours_per_unit\n"
        "physiotherapy;session;27,10;1\npsychologist;hour;35,35;0,5\n",
    )
    p, i, s = read_tables(people, items, services, locale="lv")
    frames = (
        pd.DataFrame(
            {
                "participant_id": ["P1", "P2"],
                "target_group": ["GRT", "FT"],
                "age": [40, 8],
                "municipality": ["Bauska", "Dobele"],
                "budget_eur": [1234.56, 333.33],
                "family_hours_per_week": [np.nan, 2.5],
            }
        ),
        pd.read_csv(items, sep=";"),
        pd.DataFrame(
            {
                "service": ["physiotherapy", "psychologist"],
                "unit": ["session", "hour"],
                "unit_price_eur": [27.10, 35.35],
                "hours_per_unit": [1.0, 0.5],
            }
        ),
    )
    one, two = ibm.allocate(*frames), ibm.allocate(p, i, s)
    assert two.items["cost_eur"].tolist() == one.items["cost_eur"].tolist()
    assert two.participants["spent_eur"].tolist() == one.participants["spent_eur"].tolist()


def test_unknown_locale_is_an_argument_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.csv", HEADER)
    with pytest.raises(ibm.InputError, match="locale") as info:
        read_table(path, "participants", locale="de")  # type: ignore[arg-type]
    assert info.value.problems["table"].tolist() == ["arguments"]
