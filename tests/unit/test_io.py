"""Readers, writers and chunked allocation of ibm_engine.io."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.data import synthetic_zemgale
from ibm_engine.io import allocate_in_chunks, read_table, read_tables, write_tables

FORMATS = ("csv", "xlsx", "parquet")
MONEY = {
    "items": ("unit_price_eur", "cost_eur"),
    "participants": ("budget_eur", "spent_eur", "left_eur"),
}


def _services() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "service": ["physiotherapy", "psychologist", "respite_care"],
            "unit": ["session", "hour", "day"],
            "unit_price_eur": [27.10, 35.35, 50.05],
            "max_units_per_year": [np.nan, np.nan, 30.0],
            "hours_per_unit": [1.0, 1.0, 0.0],
        }
    )


def _participants() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "participant_id": ["007", "010", "7"],
            "target_group": ["GRT", "FT", "BSAC"],
            "age": [40, 8, 12],
            "municipality": ["NA", "Dobele", "null"],
            "budget_eur": [500.10, 333.33, 0.30],
            "family_hours_per_week": [np.nan, 5.0, np.nan],
        }
    )


def _plan() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "participant_id": ["007", "007", "010", "010", "010", "7"],
            "service": [
                "physiotherapy",
                "psychologist",
                "physiotherapy",
                "respite_care",
                "psychologist",
                "physiotherapy",
            ],
            "team_rank": [1, 2, 1, 2, 3, 1],
            "recommended_units": [12, 10, 20, 15, 8, 4],
            "case_note": ["a", "", "0042", "N/A", "b", "c"],
        }
    )


def _write_input(directory: Path, fmt: str, frames: dict[str, pd.DataFrame]) -> list[Path]:
    paths = []
    for name, df in frames.items():
        path = directory / f"{name}.{fmt}"
        if fmt == "csv":
            df.to_csv(path, index=False)
        elif fmt == "xlsx":
            df.to_excel(path, index=False, sheet_name=name)
        else:
            df.to_parquet(path, index=False)
        paths.append(path)
    return paths


def _cents(s: pd.Series) -> np.ndarray:
    """Whole cents (-1 where empty, e.g. the price of an item no catalogue row applies to)."""
    x = s.to_numpy(dtype=float)
    return np.where(np.isnan(x), -1, np.round(np.nan_to_num(x) * 100)).astype(np.int64)


@pytest.fixture(scope="module")
def region() -> ibm.AllocationResult:
    participants, plan_items, services = synthetic_zemgale(11, n_grt=25, n_ft=25, n_bsac=15)
    return ibm.allocate(participants, plan_items, services)


@pytest.mark.parametrize("fmt", FORMATS)
def test_result_round_trip_money_exact_to_the_cent(
    fmt: str, region: ibm.AllocationResult, tmp_path: Path
) -> None:
    paths = write_tables(region, tmp_path, fmt)
    for name in ("items", "participants"):
        path = paths[0] if fmt == "xlsx" else tmp_path / f"{name}.{fmt}"
        back = read_table(path, name)
        orig = getattr(region, name)
        assert list(back.columns) == list(orig.columns)
        assert len(back) == len(orig)
        for col in MONEY[name]:
            assert back[col].dtype == np.float64
            np.testing.assert_array_equal(back[col].to_numpy(), orig[col].to_numpy())
            np.testing.assert_array_equal(_cents(back[col]), _cents(orig[col]))
        assert back["participant_id"].tolist() == orig["participant_id"].tolist()
        assert pd.api.types.is_string_dtype(back["participant_id"].dtype)
    items = read_table(paths[0] if fmt == "xlsx" else tmp_path / f"items.{fmt}", "items")
    assert items["units"].dtype == np.int64
    assert items["units"].tolist() == region.items["units"].tolist()
    assert items["reason"].tolist() == region.items["reason"].astype(str).tolist()
    assert items["family_rank"].isna().tolist() == region.items["family_rank"].isna().tolist()


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_keeps_text_ids_and_odd_municipalities(fmt: str, tmp_path: Path) -> None:
    result = ibm.allocate(_participants(), _plan(), _services())
    paths = write_tables(result, tmp_path / "out" / fmt, fmt)
    assert all(p.exists() for p in paths)
    path = paths[0] if fmt == "xlsx" else tmp_path / "out" / fmt / f"participants.{fmt}"
    back = read_table(path, "participants")
    assert back["participant_id"].tolist() == ["007", "010", "7"]
    assert back["municipality"].tolist() == ["NA", "Dobele", "null"]
    np.testing.assert_array_equal(_cents(back["spent_eur"]), _cents(result.participants.spent_eur))


@pytest.mark.parametrize("fmt", FORMATS)
def test_inputs_read_back_allocate_identically(fmt: str, tmp_path: Path) -> None:
    frames = {"participants": _participants(), "plan_items": _plan(), "services": _services()}
    p, i, s = read_tables(*_write_input(tmp_path, fmt, frames))
    assert p["participant_id"].tolist() == ["007", "010", "7"]
    assert p["municipality"].tolist() == ["NA", "Dobele", "null"]
    one = ibm.allocate(_participants(), _plan(), _services())
    two = ibm.allocate(p, i, s)
    assert two.items["cost_eur"].tolist() == one.items["cost_eur"].tolist()
    assert two.participants["spent_eur"].tolist() == one.participants["spent_eur"].tolist()


@pytest.mark.parametrize("fmt", FORMATS)
def test_rejected_round_trip(fmt: str, tmp_path: Path) -> None:
    people = _participants()
    people.loc[1, "age"] = 200
    result = ibm.allocate(people, _plan(), _services(), errors="quarantine")
    assert len(result.rejected) > 0
    paths = write_tables(result, tmp_path, fmt)
    back = read_table(paths[0] if fmt == "xlsx" else tmp_path / f"rejected.{fmt}", "rejected")
    assert back["participant_id"].tolist() == result.rejected["participant_id"].tolist()
    assert back["reason"].tolist() == result.rejected["reason"].tolist()


def test_csv_text_stays_text_and_only_empty_cells_are_missing(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "participant_id,municipality,target_group,age,budget_eur,note\n"
        "007,NA,GRT,40,10.50,N/A\n"
        "008,,FT,7,,0042\n"
        "009,N/A,BSAC,12,3,\n"
    )
    df = read_table(path, "participants")
    assert df["participant_id"].tolist() == ["007", "008", "009"]
    assert df["municipality"].iloc[[0, 2]].tolist() == ["NA", "N/A"]
    assert df["municipality"].isna().tolist() == [False, True, False]
    assert df["note"].iloc[[0, 1]].tolist() == ["N/A", "0042"]
    assert df["age"].dtype == np.int64
    assert df["budget_eur"].dtype == np.float64
    assert df["budget_eur"].isna().tolist() == [False, True, False]


def test_csv_numbers_are_not_coerced(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_text(
        "participant_id,service,team_rank,recommended_units,max_units,weight\n"
        "P1,physiotherapy,1,2.5,#N/A,0.5\n"
        "P1,psychologist,2,3,,abc\n"
        "P1,respite_care,3,4,7,1e-1\n"
    )
    df = read_table(path, "plan_items")
    assert df["recommended_units"].tolist() == [2.5, 3.0, 4.0]
    assert df["max_units"].tolist()[0] == "#N/A"
    assert pd.isna(df["max_units"].iloc[1])
    assert df["weight"].tolist()[1:] == ["abc", 0.1]
    assert df["team_rank"].dtype == np.int64
    people = pd.DataFrame(
        {
            "participant_id": ["P1"],
            "target_group": ["GRT"],
            "age": [30],
            "municipality": ["Bauska"],
            "budget_eur": [100.0],
        }
    )
    with pytest.raises(ibm.InputError) as info:
        ibm.allocate(people, df, _services())
    problems = info.value.problems
    assert set(problems["column"]) == {"recommended_units", "max_units", "weight"}
    reason = problems.loc[problems["column"] == "recommended_units", "reason"].iloc[0]
    assert "2.5" in str(reason)


def test_csv_int_column_with_gaps_is_nullable_int(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_text("participant_id,family_rank,min_units\nP1,1,0\nP1,,2.0\n")
    df = read_table(path)
    assert str(df["family_rank"].dtype) == "Int64"
    assert df["min_units"].dtype == np.float64


def test_csv_semicolon_separator_and_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes("\ufeffservice;unit;unit_price_eur\nmūzikas_terapija;session;27.10\n".encode())
    df = read_table(path, "services")
    assert df.columns.tolist() == ["service", "unit", "unit_price_eur"]
    assert df["service"].tolist() == ["mūzikas_terapija"]
    assert df["unit_price_eur"].tolist() == [27.10]


def test_excel_numeric_ids_become_text_and_sheets_by_table(tmp_path: Path) -> None:
    path = tmp_path / "all.xlsx"
    people = _participants().assign(participant_id=[7, 10, 12])
    with pd.ExcelWriter(path) as writer:
        _services().to_excel(writer, sheet_name="services", index=False)
        people.to_excel(writer, sheet_name="participants", index=False)
        _plan().assign(participant_id=[7, 7, 10, 10, 10, 12]).to_excel(
            writer, sheet_name="plan_items", index=False
        )
    p, i, s = read_tables(path, path, path)
    assert p["participant_id"].tolist() == ["7", "10", "12"]
    assert p["municipality"].tolist() == ["NA", "Dobele", "null"]
    assert i["participant_id"].tolist() == ["7", "7", "10", "10", "10", "12"]
    assert s["service"].tolist() == _services()["service"].tolist()
    assert ibm.allocate(p, i, s).participants["participant_id"].tolist() == ["7", "10", "12"]
    first = read_table(path)  # no table name: the first sheet
    assert first.columns.tolist() == _services().columns.tolist()


def test_parquet_keeps_stored_types(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    _participants().to_parquet(path, index=False)
    df = read_table(path, "participants")
    assert df["age"].dtype == np.int64
    assert df["participant_id"].tolist() == ["007", "010", "7"]
    assert df["budget_eur"].tolist() == [500.10, 333.33, 0.30]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("missing.csv", None, "file not found"),
        ("table.txt", "a,b\n", "unsupported file type '.txt'"),
        ("empty.csv", "", "file is empty"),
        ("folder.csv", "dir", "is a directory"),
    ],
)
def test_unreadable_files_raise_input_error(
    name: str, content: str | None, reason: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ibm.InputError) as info:
        read_table(path, "participants")
    message = str(info.value)
    assert reason in message
    assert str(path) in message
    assert info.value.problems["table"].tolist() == ["participants"]


def test_malformed_csv_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("participant_id,age\nP1,3\nP2,4,5,6\n")
    with pytest.raises(ibm.InputError, match=r"participants: cannot be read \(ParserError") as info:
        read_table(path, "participants")
    assert "\n" not in info.value.problems["reason"].iloc[0]


def test_bad_csv_encoding_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes("service,unit\nmūzika,day\n".encode("utf-16"))
    with pytest.raises(ibm.InputError, match="services"):
        read_table(path, "services")


@pytest.mark.parametrize(
    ("module", "fmt", "extra"), [("openpyxl", "xlsx", "excel"), ("pyarrow", "parquet", "parquet")]
)
def test_missing_optional_dependency_names_the_extra(
    module: str, fmt: str, extra: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"t.{fmt}"
    path.write_bytes(b"not really")
    result = ibm.allocate(_participants(), _plan(), _services())
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=rf"pip install ibm_engine\[{extra}\]"):
        read_table(path, "participants")
    with pytest.raises(ImportError, match=rf"pip install ibm_engine\[{extra}\]"):
        write_tables(result, tmp_path / "out", fmt)


def test_write_rejects_unknown_format_and_oversized_sheets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = ibm.allocate(_participants(), _plan(), _services())
    with pytest.raises(ibm.InputError, match="format"):
        write_tables(result, tmp_path, "json")
    monkeypatch.setattr("ibm_engine.io._write._EXCEL_MAX_ROWS", 3)
    with pytest.raises(ValueError, match="items table has 6 rows"):
        write_tables(result, tmp_path, "xlsx")


# --- chunked allocation -------------------------------------------------------------------


@pytest.fixture(scope="module")
def shuffled() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    p, i, s = synthetic_zemgale(5, n_grt=12, n_ft=10, n_bsac=8)
    order = np.random.default_rng(0).permutation(len(i))  # items of participants interleaved
    return p, i.iloc[order].reset_index(drop=True), s


@pytest.mark.parametrize("policy", ["optimal", "priority"])
@pytest.mark.parametrize("chunk_size", [1, 7, 29])
def test_chunked_equals_one_call(
    policy: str, chunk_size: int, shuffled: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
) -> None:
    p, i, s = shuffled
    one = ibm.allocate(p, i, s, policy=policy, period_weeks=20, team_share=0.7)
    progress = io.StringIO()
    t = allocate_in_chunks(
        p,
        i,
        s,
        policy=policy,
        period_weeks=20,
        team_share=0.7,
        chunk_size=chunk_size,
        progress=progress,
        label="x: ",
    )
    pd.testing.assert_frame_equal(t.items, one.items)
    pd.testing.assert_frame_equal(t.participants, one.participants)
    lines = progress.getvalue().splitlines()
    assert len(lines) == -(-len(p) // chunk_size)
    assert lines[-1].startswith(f"x: allocated {len(p):,} / {len(p):,} participants (")


def test_chunked_quarantine_keeps_duplicates_together(
    shuffled: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    p, i, s = shuffled
    p = pd.concat([p, p.iloc[[0]]], ignore_index=True)  # a duplicate in the first and last chunk
    p.loc[5, "age"] = 500
    one = ibm.allocate(p, i, s, errors="quarantine")
    t = allocate_in_chunks(p, i, s, errors="quarantine", chunk_size=4)
    pd.testing.assert_frame_equal(t.items, one.items)
    pd.testing.assert_frame_equal(t.participants, one.participants)
    key = ["participant_id", "table", "column", "reason"]
    pd.testing.assert_frame_equal(
        t.rejected.sort_values(key).reset_index(drop=True),
        one.rejected.sort_values(key).reset_index(drop=True),
    )


def test_chunked_input_error_lists_every_problem_like_one_call(
    shuffled: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    p, i, s = shuffled
    p = p.assign(age=p["age"].astype(float))
    p.loc[2, "age"] = 2.5
    p.loc[len(p) - 2, "participant_id"] = None
    with pytest.raises(ibm.InputError) as single:
        ibm.allocate(p, i, s)
    with pytest.raises(ibm.InputError) as chunked:
        allocate_in_chunks(p, i, s, chunk_size=3)
    pd.testing.assert_frame_equal(chunked.value.problems, single.value.problems)


def test_chunk_size_must_be_positive(
    shuffled: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        allocate_in_chunks(*shuffled, chunk_size=0)
