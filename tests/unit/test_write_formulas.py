"""No text the library writes is ever run by a spreadsheet: workbooks hold text as text (never a
formula, never an error value); Latvian CSV escapes formula-looking text (OWASP's CSV-injection
guidance); plain CSV for programs is written as it always was; numbers are never escaped."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ibm_engine as ibm
from ibm_engine.io import write_tables
from ibm_engine.io._locale import FORMULA_ESCAPE, FORMULA_PREFIXES, LV_CSV_ENCODING
from ibm_engine.report import write_excel_report

#: texts a spreadsheet would run or misread if they were not written as text
DANGEROUS = (
    "=1+2",
    '=HYPERLINK("http://example.com/?steal","click")',
    "+1",
    "-1",
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
    "#N/A",
    "\t=3+4",  # distinct from "=1+2" also after strip (ids differing by spaces are one id)
)


def _allocation(ids: tuple[str, ...] = DANGEROUS) -> ibm.AllocationResult:
    """One participant per dangerous id, each with a dangerous extra column in its plan."""
    services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.1}]
    people = [
        {"participant_id": pid, "target_group": "GRT", "age": 40, "municipality": "Bauska",
         "budget_eur": 100.0}
        for pid in ids
    ]  # fmt: skip
    plan = [
        {"participant_id": pid, "service": "physiotherapy", "team_rank": 1,
         "recommended_units": 12, "case_note": pid, "delta": -k - 1}
        for k, pid in enumerate(ids)
    ]  # fmt: skip
    return ibm.allocate(people, plan, services)


def _column(sheet: Any, name: str) -> list[Any]:
    header = [c.value for c in sheet[1]]
    k = header.index(name) + 1
    return [sheet.cell(row=r, column=k) for r in range(2, sheet.max_row + 1)]


def _assert_text_cells(sheet: Any, column: str, want: list[str]) -> None:
    cells = _column(sheet, column)
    assert [c.value for c in cells] == want
    assert [c.data_type for c in cells] == ["s"] * len(want), column


def test_write_tables_xlsx_never_writes_a_formula(tmp_path: Path) -> None:
    result = _allocation()
    (path,) = write_tables(result, tmp_path, "xlsx")
    book = openpyxl.load_workbook(path)
    for name in ("items", "participants"):
        _assert_text_cells(book[name], "participant_id", list(DANGEROUS))
    _assert_text_cells(book["items"], "case_note", list(DANGEROUS))
    # negative numbers stay numbers
    deltas = _column(book["items"], "delta")
    assert [c.value for c in deltas] == [-k - 1 for k in range(len(DANGEROUS))]
    assert {c.data_type for c in deltas} == {"n"}
    # and the library's reader gives the ids back unchanged
    back = ibm.read_table(path, "items")
    assert back["participant_id"].tolist() == list(DANGEROUS)


@pytest.mark.parametrize(("lang", "headers"), [("en", "names"), ("en", "labels"), ("lv", None)])
def test_excel_report_never_writes_a_formula(
    lang: str, headers: str | None, tmp_path: Path
) -> None:
    result = _allocation()
    extra = pd.DataFrame({'=HYPERLINK("http://x")': list(DANGEROUS), "n": [-1.5] * len(DANGEROUS)})
    path = write_excel_report(
        result, tmp_path / "r.xlsx", lang=lang, headers=headers, tables={"extra": extra}
    )
    book = openpyxl.load_workbook(path)
    head = (
        "participant_id" if headers == "names" else ibm.report.column_label("participant_id", lang)
    )
    for name in ("items", "participants"):
        _assert_text_cells(book[name], head, list(DANGEROUS))
    sheet = book["extra"]
    assert sheet["A1"].value == '=HYPERLINK("http://x")' and sheet["A1"].data_type == "s"
    _assert_text_cells(sheet, '=HYPERLINK("http://x")', list(DANGEROUS))
    assert {c.data_type for c in _column(sheet, "n")} == {"n"}
    for sheet in book:  # not a single formula or error value anywhere
        for row in sheet.iter_rows():
            assert not any(c.data_type in ("f", "e") for c in row), sheet.title


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(
        st.sampled_from(["=", "+", "-", "@", "#", "\t"]).flatmap(
            lambda p: st.text(
                st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=10
            ).map(lambda rest: p + rest)
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_formula_looking_text_stays_text_in_a_workbook(
    texts: list[str], tmp_path_factory: Any
) -> None:
    table = pd.DataFrame({"participant_id": texts, "note": texts})
    result = SimpleNamespace(items=table, participants=table, rejected=table.iloc[:0])
    (path,) = write_tables(result, tmp_path_factory.mktemp("x"), "xlsx")
    sheet = openpyxl.load_workbook(path)["items"]
    for column in ("participant_id", "note"):
        cells = _column(sheet, column)
        assert [c.value for c in cells] == [t if t else None for t in texts]
        assert all(c.data_type == "s" for c in cells if c.value is not None)


# --- CSV -----------------------------------------------------------------------------------


def test_plain_csv_is_written_exactly_as_before(tmp_path: Path) -> None:
    result = _allocation()
    paths = write_tables(result, tmp_path)
    for path, name in zip(paths, ("items", "participants", "rejected"), strict=True):
        want = getattr(result, name).to_csv(index=False).encode("utf-8")
        assert path.read_bytes() == want  # no escaping, no BOM: machines read it
    assert "=1+2" in paths[0].read_text().splitlines()[1]


def test_latvian_csv_escapes_formula_text_but_never_numbers(tmp_path: Path) -> None:
    result = _allocation()
    paths = write_tables(result, tmp_path, locale="lv")
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    items = pd.read_csv(
        paths[0], sep=";", dtype=str, keep_default_na=False, encoding=LV_CSV_ENCODING
    )
    escaped = [FORMULA_ESCAPE + t if t.startswith(FORMULA_PREFIXES) else t for t in DANGEROUS]
    assert escaped[-2] == "#N/A"  # not a formula prefix: Excel shows it as text in a CSV
    assert items["participant_id"].tolist() == escaped
    assert items["case_note"].tolist() == escaped
    assert items["delta"].tolist() == [str(-k - 1) for k in range(len(DANGEROUS))]
    for column in items.columns:  # no cell a spreadsheet would run
        assert not items[column].str.startswith(("=", "+", "@")).any(), column


def test_latvian_csv_escapes_formula_headers(tmp_path: Path) -> None:
    table = pd.DataFrame({"participant_id": ["A"], "=1+2": [-3.5]})
    result = SimpleNamespace(items=table, participants=table, rejected=table.iloc[:0])
    path = write_tables(result, tmp_path, locale="lv")[0]
    lines = path.read_text(encoding=LV_CSV_ENCODING).splitlines()
    assert lines == ["participant_id;'=1+2", "A;-3,5"]


def test_unknown_locale_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(ibm.InputError, match="locale"):
        write_tables(_allocation(), tmp_path, locale="de")  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())
