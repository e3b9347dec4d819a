"""Where problems are in the files read: duplicate headers, sheets, blank rows, source rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.io import read_table, read_tables
from ibm_engine.tables._sources import SOURCE_ATTR, FileSource

SERVICES = "service,unit,unit_price_eur\nphysiotherapy,session,27.10\npsychologist,hour,35.35\n"
PLAN = (
    "participant_id,service,team_rank,recommended_units\n"
    "P1,physiotherapy,1,10\nP1,psychologist,2,4\nP2,physiotherapy,1,6\n"
)


def _people(**changes: object) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "participant_id": ["P1", "P2"],
            "target_group": ["GRT", "FT"],
            "age": [40, 8],
            "municipality": ["Bauska", "Dobele"],
            "budget_eur": [500.0, 300.0],
        }
    )
    return df.assign(**changes)


def _raises(*tables: object, errors: str = "raise") -> ibm.InputError:
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(*tables, errors=errors)
    return info.value


# --- duplicate headers ----------------------------------------------------------------------


def test_duplicate_csv_header_is_the_frame_problem_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "\nparticipant_id,budget_eur,age,budget_eur,age\nP1,10,3,20,4\n", encoding="utf-8"
    )
    with pytest.raises(ibm.InputError) as info:
        read_table(path, "participants")
    got = info.value.problems
    frame = _people().rename(columns={"age": "budget_eur"})
    expected = _raises(frame, pd.read_csv(_write(tmp_path, "i.csv", PLAN)), _services()).problems
    assert got[["table", "column", "reason"]].values.tolist() == [
        ["participants", "age", "column appears more than once"],
        ["participants", "budget_eur", "column appears more than once"],
    ]
    assert expected["reason"].tolist() == ["column appears more than once"]
    assert got["file"].tolist() == [str(path)] * 2
    assert got["source_row"].tolist() == [2, 2]  # the header, below one empty line
    assert f"({path}, line 2)" in str(info.value)


def test_duplicate_excel_header_names_file_and_sheet(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["P1", 10, 20]]).to_excel(
            writer, sheet_name="participants", index=False, header=False, startrow=1
        )
        _services().to_excel(writer, sheet_name="services", index=False)
    book = __import__("openpyxl").load_workbook(path)
    sheet = book["participants"]
    for col, name in zip("ABC", ["participant_id", "budget_eur", "budget_eur"], strict=True):
        sheet[f"{col}1"] = name
    book.save(path)
    with pytest.raises(ibm.InputError) as info:
        read_table(path, "participants")
    problem = info.value.problems.iloc[0]
    assert problem["column"] == "budget_eur"
    assert problem["reason"] == "column appears more than once"
    assert (problem["file"], problem["sheet"], problem["source_row"]) == (
        str(path),
        "participants",
        1,
    )
    assert "sheet participants, row 1" in str(info.value)


# --- sheets ---------------------------------------------------------------------------------


def test_workbook_without_the_tables_sheet_lists_its_sheets(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        _services().to_excel(writer, sheet_name="Services", index=False)
        _people().to_excel(writer, sheet_name="Sheet2", index=False)
    with pytest.raises(ibm.InputError) as info:
        read_tables(path, path, path)
    problem = info.value.problems.iloc[0]
    assert problem["table"] == "participants"
    assert problem["file"] == str(path)
    assert "no sheet named 'participants'" in problem["reason"]
    assert "its sheets: 'Services', 'Sheet2'" in problem["reason"]
    with pytest.raises(ibm.InputError, match=r"rename 'Services' to 'services'"):
        read_table(path, "services")


def test_single_sheet_workbook_is_read_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    _people().to_excel(path, sheet_name="Lapa1", index=False)
    df = read_table(path, "participants")
    assert df["participant_id"].tolist() == ["P1", "P2"]
    assert df.attrs[SOURCE_ATTR]["sheet"] == "Lapa1"


# --- row stays an int or text ---------------------------------------------------------------


def test_row_is_an_int_or_text_never_a_float(tmp_path: Path) -> None:
    services = _services()
    services.loc[1, "unit"] = "minute"
    people = _people().drop(columns="municipality")
    err = _raises(people, pd.read_csv(_write(tmp_path, "i.csv", PLAN)), services)
    problems = err.problems
    assert problems["row"].dtype == object
    assert problems["source_row"].dtype == object
    rows = dict(zip(problems["column"], problems["row"], strict=True))
    assert rows["municipality"] is None
    assert rows["unit"] == 2 and type(rows["unit"]) is int
    assert "row 2.0" not in str(err) and "services, row 2, column unit" in str(err)
    assert problems[["file", "sheet", "source_row"]].isna().all().all()


def test_row_from_a_float_is_an_int() -> None:
    err = ibm.InputError([{"table": "t", "row": np.float64(3.0), "column": "c", "reason": "r"}])
    assert err.problems["row"].tolist() == [3]
    assert type(err.problems["row"].iloc[0]) is int
    assert str(err).splitlines()[1] == "  t, row 3, column c: r"
    nan = ibm.InputError([{"table": "t", "row": float("nan"), "column": None, "reason": "r"}])
    assert nan.problems["row"].tolist() == [None]


def test_rejected_rows_keep_ids_and_name_the_file(tmp_path: Path) -> None:
    people = _write(
        tmp_path,
        "p.csv",
        "participant_id,target_group,age,municipality,budget_eur\n"
        "P1,GRT,40,Bauska,500\n\nP2,XX,8,Dobele,300\n",
    )
    p, i, s = read_tables(
        people, _write(tmp_path, "i.csv", PLAN), _write(tmp_path, "s.csv", SERVICES)
    )
    result = ibm.allocate(p, i, s, errors="quarantine")
    rejected = result.rejected
    assert rejected.columns.tolist()[-3:] == ["file", "sheet", "source_row"]
    assert rejected["row"].tolist() == ["P2"]
    assert rejected["source_row"].tolist() == [4]
    assert rejected["file"].tolist() == [str(people)]
    i = pd.read_csv(tmp_path / "i.csv")
    plain = ibm.allocate(_people(target_group=["GRT", "XX"]), i, _services(), errors="quarantine")
    assert plain.rejected.columns.tolist() == ["participant_id", "table", "row", "column", "reason"]


# --- source rows ----------------------------------------------------------------------------


def test_source_rows_count_blank_lines_and_quoted_line_breaks(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "i.csv",
        "\n\nparticipant_id,service,team_rank,recommended_units,note\n"  # header on line 3
        'P1,physiotherapy,1,10,"two\nlines"\n'  # lines 4-5
        "\n"  # line 6
        ",,,,\n"  # line 7: every cell empty
        "P1,psychologist,2,x,\n"  # line 8
        "  \n"  # line 9: only spaces
        "P2,physiotherapy,1,2.5,\n"  # line 10
        "\n\n",  # trailing: not counted
    )
    items = read_table(path, "plan_items")
    source = items.attrs[SOURCE_ATTR]
    assert len(items) == 3
    assert source["blank_rows"] == 3
    assert source["source_rows"] == [[0, 4], [1, 8], [2, 10]]
    err = _raises(_people(), items, _services())
    problems = err.problems.set_index("column")
    assert problems.loc["recommended_units", "source_row"].tolist() == [8, 10]
    assert problems.loc["recommended_units", "row"].tolist() == ["P1", "P2"]
    assert f"({path}, line 10)" in str(err)


def test_source_rows_of_a_sheet_with_empty_rows(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    services = _services()
    services.loc[1, "unit_price_eur"] = -1.0
    with pd.ExcelWriter(path) as writer:
        services.iloc[:1].to_excel(writer, sheet_name="services", index=False, startrow=2)
        services.iloc[1:].to_excel(
            writer, sheet_name="services", index=False, header=False, startrow=6
        )
        _people().to_excel(writer, sheet_name="participants", index=False)
    s = read_table(path, "services")
    assert s.attrs[SOURCE_ATTR]["blank_rows"] == 2
    assert s.attrs[SOURCE_ATTR]["source_rows"] == [[0, 4], [1, 7]]
    p = read_table(path, "participants")
    err = _raises(p, pd.read_csv(_write(tmp_path, "i.csv", PLAN)), s)
    problem = err.problems.iloc[0]
    assert (problem["table"], problem["row"], problem["source_row"]) == ("services", 2, 7)
    assert problem["sheet"] == "services"
    assert "(" + str(path) + ", sheet services, row 7)" in str(err)


def test_rows_are_traced_by_label_and_untraceable_rows_get_none(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "s.csv", "service,unit,unit_price_eur\n" + "a,day,1\n\nb,day,2\nc,day,3\n"
    )
    df = read_table(path, "services")
    assert FileSource.of(df) is not None
    traced = {
        "as read": (df, [2, 4, 5]),
        "filtered": (df[df["service"] != "a"], [4, 5]),
        "reordered": (df.iloc[[2, 0]], [5, 2]),
        "sorted and re-indexed": (df.iloc[[2, 1, 0]].reset_index(drop=True), [-1, -1, -1]),
        "filtered and re-indexed": (df.iloc[[1, 2]].reset_index(drop=True), [-1, -1]),
        "concatenated": (pd.concat([df, df], ignore_index=True), [-1] * 6),
    }
    for what, (frame, rows) in traced.items():
        source = FileSource.of(frame)
        assert source is not None, what
        assert source.source_rows.tolist() == rows, what
        assert source.file == str(path)
    assert FileSource.of(pd.DataFrame({"a": [1]})) is None
    bad = df.copy()
    bad.attrs[SOURCE_ATTR] = {"file": "x.csv", "rows": "many", "source_rows": [[0, 2]]}
    assert FileSource.of(bad).source_rows.tolist() == [-1, -1, -1]  # type: ignore[union-attr]


def test_reordered_rows_still_name_the_file(tmp_path: Path) -> None:
    s = read_table(_write(tmp_path, "s.csv", SERVICES.replace("27.10", "-1")), "services")
    s = s.iloc[::-1].reset_index(drop=True)
    err = _raises(_people(), pd.read_csv(_write(tmp_path, "i.csv", PLAN)), s)
    problem = err.problems.iloc[0]
    assert problem["row"] == 2
    assert problem["file"] == str(tmp_path / "s.csv")
    assert problem["source_row"] is None


def test_parquet_names_the_file_only(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    read_table(_write(tmp_path, "s.csv", SERVICES.replace("27.10", "-1")), "services").to_parquet(
        path
    )  # attrs are stored as JSON: they must be JSON
    s = read_table(path, "services")
    assert s.attrs[SOURCE_ATTR]["file"] == str(path)
    err = _raises(_people(), pd.read_csv(_write(tmp_path, "i.csv", PLAN)), s)
    problem = err.problems.iloc[0]
    assert (problem["file"], problem["source_row"], problem["row"]) == (str(path), None, 1)


def test_file_level_problems_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.csv"
    with pytest.raises(ibm.InputError) as info:
        read_table(path, "services")
    assert info.value.problems["file"].tolist() == [str(path)]
    assert str(info.value).splitlines()[1] == f"  services: file not found: {path}"


def test_missing_column_names_the_file(tmp_path: Path) -> None:
    s = read_table(_write(tmp_path, "s.csv", "service,unit\nphysiotherapy,session\n"), "services")
    err = _raises(_people(), pd.read_csv(_write(tmp_path, "i.csv", PLAN)), s)
    problem = err.problems.iloc[0]
    assert (problem["column"], problem["file"], problem["source_row"]) == (
        "unit_price_eur",
        str(tmp_path / "s.csv"),
        None,
    )


def _services() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "service": ["physiotherapy", "psychologist"],
            "unit": ["session", "hour"],
            "unit_price_eur": [27.10, 35.35],
        }
    )


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_budget_formula_problems_name_the_file(tmp_path: Path) -> None:
    """The formula's own columns (here ``assessment_points``) are read as numbers from a CSV
    (a valid ``12`` is no problem), and their problems are located in the file too."""
    from datetime import date

    from ibm_engine.budget import PointsBudget, Source

    path = tmp_path / "p.csv"
    path.write_text(
        "participant_id,target_group,age,municipality,assessment_points\n"
        "P1,GRT,40,Dobele,12\n\nP2,GRT,41,Dobele,many\n",
        encoding="utf-8",
    )
    people = ibm.read_table(path, "participants")
    plan = pd.DataFrame(
        {"participant_id": ["P1", "P2"], "service": ["physiotherapy"] * 2, "team_rank": [1, 1],
         "recommended_units": [4, 4]}
    )  # fmt: skip
    services = pd.DataFrame(
        {"service": ["physiotherapy"], "unit": ["session"], "unit_price_eur": [27.0]}
    )
    formula = PointsBudget(20.0, Source("illustrative", date(2024, 1, 1)))
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(people, plan, services, budget=formula)
    problems = info.value.problems
    mine = problems[problems["column"] == "assessment_points"]
    assert mine[["row", "file", "source_row"]].values.tolist() == [["P2", str(path), 4]]
