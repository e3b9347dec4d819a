"""The ``ibm-engine`` command line, run in-process through ``main`` and once as a program."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.cli import main
from ibm_engine.data import synthetic_zemgale
from ibm_engine.io import read_table

SERVICES = (
    "service,unit,unit_price_eur,max_units_per_year\n"
    "physiotherapy,session,27.10,\n"
    "psychologist,hour,35.35,\n"
    "respite_care,day,50.05,30\n"
)
PARTICIPANTS = (
    "participant_id,target_group,age,municipality,budget_eur\n"
    "007,GRT,40,NA,500.10\n"
    "010,FT,8,Dobele,333.33\n"
)
PLAN = (
    "participant_id,service,team_rank,recommended_units\n"
    "007,physiotherapy,1,12\n"
    "007,psychologist,2,10\n"
    "010,respite_care,1,15\n"
    "010,physiotherapy,2,20\n"
)


def _files(tmp_path: Path, participants: str = PARTICIPANTS, plan: str = PLAN) -> list[str]:
    for name, text in (("p.csv", participants), ("i.csv", plan), ("s.csv", SERVICES)):
        (tmp_path / name).write_text(text)
    return [
        "allocate",
        "--participants",
        str(tmp_path / "p.csv"),
        "--plan-items",
        str(tmp_path / "i.csv"),
        "--services",
        str(tmp_path / "s.csv"),
    ]


def test_demo_prints_both_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "synthetic Zemgale region, seed 2021, 1,288 participants" in out
    assert "Optimal allocation by municipality and target group" in out
    assert "Optimal vs priority" in out
    for heading in ("municipality", "budget EUR", "spent EUR", "max value", "coverage", "partly"):
        assert heading in out
    assert "\nTotal " in out
    assert "Participants better off under optimal:" in out
    assert "worse off: 0" in out
    totals = next(line for line in out.splitlines() if line.startswith("Total"))
    assert "1,288" in totals


def test_demo_in_chunks_prints_progress(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--scale", "0.05", "--seed", "3", "--chunk-size", "20"]) == 0
    captured = capsys.readouterr()
    assert "optimal: allocated 20 / 65 participants (" in captured.err
    assert "priority: allocated 65 / 65 participants (" in captured.err
    assert "Optimal vs priority" in captured.out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"ibm-engine {ibm.__version__}"


def test_version_as_a_program() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ibm_engine.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == f"ibm-engine {ibm.__version__}"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_allocate_end_to_end(fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main([*_files(tmp_path), "--out", str(out), "--format", fmt]) == 0
    printed = capsys.readouterr().out
    assert "allocated 2 participants (0 rejected), 4 plan items, policy optimal" in printed
    assert "wrote " in printed
    path = out / ("allocation.xlsx" if fmt == "xlsx" else f"items.{fmt}")
    items = read_table(path, "items")
    people = read_table(
        out / "allocation.xlsx" if fmt == "xlsx" else out / f"participants.{fmt}", "participants"
    )
    assert items["participant_id"].tolist() == ["007", "007", "010", "010"]
    assert people["municipality"].tolist() == ["NA", "Dobele"]
    expected = ibm.allocate(
        read_table(tmp_path / "p.csv", "participants"),
        read_table(tmp_path / "i.csv", "plan_items"),
        read_table(tmp_path / "s.csv", "services"),
    )
    assert items["cost_eur"].tolist() == expected.items["cost_eur"].tolist()
    assert people["spent_eur"].tolist() == expected.participants["spent_eur"].tolist()


def test_allocate_priority_policy_and_options(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = [*_files(tmp_path), "--out", str(out), "--policy", "priority", "--period-weeks", "52"]
    assert main([*args, "--team-share", "1"]) == 0
    people = read_table(out / "participants.csv", "participants")
    assert people["policy"].tolist() == ["priority", "priority"]


def test_bad_input_exits_2_with_the_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = PARTICIPANTS.replace("007,GRT,40", "007,GRT,2.5").replace("333.33", '"12,50"')
    assert main([*_files(tmp_path, participants=bad), "--out", str(tmp_path / "o")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "error: 2 input problems, nothing was allocated" in captured.err
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert lines[1].split() == ["table", "row", "column", "reason"]
    age = next(line for line in lines if " age " in line)
    assert age.split()[:3] == ["participants", "007", "age"]
    assert "2.5" in age
    assert any("budget_eur" in line and "'12,50'" in line for line in lines)
    assert not (tmp_path / "o").exists()


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _files(tmp_path)
    args[args.index("--plan-items") + 1] = str(tmp_path / "nowhere.csv")
    assert main([*args, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "plan_items" in err
    assert "file not found" in err
    assert "nowhere.csv" in err


def test_quarantine_writes_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = PARTICIPANTS.replace("010,FT,8", "010,FT,800")
    out = tmp_path / "out"
    args = [*_files(tmp_path, participants=bad), "--out", str(out), "--errors", "quarantine"]
    assert main(args) == 0
    assert "allocated 1 participants (1 rejected)" in capsys.readouterr().out
    rejected = read_table(out / "rejected.csv", "rejected")
    assert rejected["participant_id"].tolist() == ["010"]
    assert rejected["column"].tolist() == ["age"]


def test_allocate_in_chunks_equals_one_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p, i, s = synthetic_zemgale(9, n_grt=9, n_ft=8, n_bsac=6)
    for name, df in (("p", p), ("i", i.sample(frac=1, random_state=1)), ("s", s)):
        df.to_csv(tmp_path / f"{name}.csv", index=False)
    base = [
        "allocate",
        "--participants",
        str(tmp_path / "p.csv"),
        "--plan-items",
        str(tmp_path / "i.csv"),
        "--services",
        str(tmp_path / "s.csv"),
    ]
    assert main([*base, "--out", str(tmp_path / "one")]) == 0
    assert capsys.readouterr().err == ""
    assert main([*base, "--out", str(tmp_path / "many"), "--chunk-size", "5"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 5
    assert err[-1].startswith("allocated 23 / 23 participants (")
    for name in ("items", "participants", "rejected"):
        one = pd.read_csv(tmp_path / "one" / f"{name}.csv", dtype=str)
        many = pd.read_csv(tmp_path / "many" / f"{name}.csv", dtype=str)
        pd.testing.assert_frame_equal(many, one)


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "usage: ibm-engine" in capsys.readouterr().err


def test_out_of_range_options_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--period-weeks", "0"]) == 2
    assert "period_weeks" in capsys.readouterr().err
    args = [*_files(tmp_path), "--out", str(tmp_path / "o"), "--team-share", "1.5"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "arguments" in err
    assert "team_share" in err


def test_unwritable_output_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("a file where the output directory should go")
    assert main([*_files(tmp_path), "--out", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "Traceback" not in err
