"""write_tables(..., locale="lv"): CSV that Latvian Excel opens with the right columns and
numbers (``;``, decimal comma, BOM, no digit grouping, money with two decimals, no float noise),
under the contract's column names, reading back with ``read_table(..., locale="lv")``."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ibm_engine as ibm
from ibm_engine.io import read_table, write_tables
from ibm_engine.io._locale import LV_CSV_ENCODING, LV_SEPARATOR
from ibm_engine.io._write_lv import lv_column
from ibm_engine.report._format import DECIMALS, is_money

_NUMBER = re.compile(r"^-?\d+(,\d+)?$")  # no digit grouping, no exponent, decimal comma


def _cells(path: Path) -> pd.DataFrame:
    """The raw text of every cell (empty cells as "")."""
    return pd.read_csv(
        path, sep=LV_SEPARATOR, dtype=str, keep_default_na=False, encoding=LV_CSV_ENCODING
    )


def _zemgale() -> ibm.AllocationResult:
    return ibm.allocate(*ibm.synthetic_zemgale(4, n_grt=8, n_ft=6, n_bsac=4))


def test_columns_separator_bom_and_numbers(tmp_path: Path) -> None:
    result = _zemgale()
    paths = write_tables(result, tmp_path, "csv", locale="lv")
    assert [p.name for p in paths] == ["items.csv", "participants.csv", "rejected.csv"]
    for path, name in zip(paths, ("items", "participants", "rejected"), strict=True):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        header = raw.decode(LV_CSV_ENCODING).splitlines()[0]
        df = getattr(result, name)
        assert header.split(";") == list(df.columns)  # the contract's names, as they are
        cells = _cells(path)
        assert len(cells) == len(df)
        for c in df.columns:
            s = df[c]
            if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
                continue
            text = cells[c][s.notna().to_numpy()]
            assert text.str.match(_NUMBER).all(), (name, c, text[~text.str.match(_NUMBER)])
            assert (cells[c][s.isna().to_numpy()] == "").all()
            if is_money(c):
                assert text.str.match(r"^-?\d+,\d\d$").all(), c
                want = [f"{x // 100},{x % 100:02d}" for x in np.rint(s.dropna() * 100).astype(int)]
                assert text.tolist() == want, c
            elif pd.api.types.is_float_dtype(s.dtype):
                decimals = text.str.partition(",")[2]
                assert (decimals.str.len() <= DECIMALS).all(), c
                assert not decimals.str.endswith("0").any(), c  # trimmed
                back = text.str.replace(",", ".").astype(float).to_numpy()
                np.testing.assert_allclose(back, s.dropna().to_numpy(), rtol=0, atol=5e-7)
            else:
                assert text.tolist() == [str(int(v)) for v in s.dropna()], c


def test_float_noise_never_appears(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "participant_id": ["A", "B", "C", "D"],
            "coverage": [0.9999999999999999, 0.1 + 0.2, 1 / 3, -1e-9],
            "spent_eur": [0.1 + 0.2, 1e9 + 0.07, 12.0, -5.05],
            "units": pd.array([3, None, -1, 0], dtype="Int64"),
        }
    )
    result = SimpleNamespace(items=table, participants=table, rejected=table.iloc[:0])
    path = write_tables(result, tmp_path, locale="lv")[0]
    text = path.read_text(encoding=LV_CSV_ENCODING)
    assert text.splitlines() == [
        "participant_id;coverage;spent_eur;units",
        "A;1;0,30;3",
        "B;0,3;1000000000,07;",
        "C;0,333333;12,00;-1",
        "D;0;-5,05;0",
    ]
    assert "99999" not in text and "00001" not in text  # no 0.30000000000000004


def test_text_columns_with_numbers_and_gaps() -> None:
    s = pd.Series(["007", 12, 2.5, None, float("nan"), "-x", -3], dtype=object)
    assert lv_column("row", s).tolist() == ["007", 12, "2,5", None, None, "'-x", -3]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cents=st.lists(st.integers(-(10**13), 10**13), min_size=1, max_size=20))
def test_money_is_written_to_the_exact_cent(cents: list[int]) -> None:
    text = lv_column("cost_eur", pd.Series([c / 100 for c in cents])).tolist()
    want = [("-" if c < 0 else "") + f"{abs(c) // 100},{abs(c) % 100:02d}" for c in cents]
    assert text == want


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=st.lists(st.floats(-1e12, 1e12), min_size=1, max_size=20))
def test_other_numbers_have_at_most_six_decimals_and_no_exponent(x: list[float]) -> None:
    text = lv_column("weight", pd.Series(x)).tolist()
    for v, t in zip(x, text, strict=True):
        assert _NUMBER.match(t), t
        assert len(t.partition(",")[2]) <= DECIMALS
        assert abs(float(t.replace(",", ".")) - v) <= 5e-7 + 4 * np.spacing(abs(v))


def test_reads_back_with_the_latvian_reader(tmp_path: Path) -> None:
    """Every id comes back as written, escapes included: ``'=x`` is written ``''=x``."""
    ids = ["007", "=1+2", "-1", "+37120000000", "@x", "Ābele", "'=x", "''+y", "'quote", "O'Neil"]
    people = [
        {"participant_id": pid, "target_group": "GRT", "age": 40 + k,
         "municipality": "Jelgava city", "budget_eur": 100.0 + k / 100}
        for k, pid in enumerate(ids)
    ]  # fmt: skip
    plan = [
        {"participant_id": pid, "service": "physiotherapy", "team_rank": 1,
         "recommended_units": 12, "note": pid}
        for pid in ids
    ]  # fmt: skip
    services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.1}]
    result = ibm.allocate(people, plan, services)
    paths = write_tables(result, tmp_path, locale="lv")
    for path, name in zip(paths[:2], ("items", "participants"), strict=True):
        back = read_table(path, name, locale="lv")
        want = getattr(result, name)
        assert list(back.columns) == list(want.columns)
        assert back["participant_id"].tolist() == ids
        for c in want.columns:
            if is_money(c):
                assert back[c].tolist() == want[c].tolist(), c
        if name == "items":
            assert back["note"].tolist() == ids
            assert back["units"].tolist() == want["units"].tolist()
