"""The ``ibm-engine`` command line, run in-process through ``main`` and once as a program."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

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
    assert lines[1].split() == ["table", "row", "column", "where", "reason"]
    age = next(line for line in lines if " age " in line)
    assert age.split()[:3] == ["participants", "007", "age"]
    assert "p.csv, line 2" in age  # the line the user sees in the file (header = line 1)
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
    assert "allocated 1 participant (1 rejected), 2 plan items" in capsys.readouterr().out
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


def test_out_naming_a_file_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("a file where the output directory should go")
    for out in (blocker, blocker / "below"):
        assert main([*_files(tmp_path), "--out", str(out)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith(f"error: --out {out} ")
        assert f"{blocker}" in captured.err and "a file, not a directory" in captured.err
        assert "Traceback" not in captured.err
    assert blocker.read_text() == "a file where the output directory should go"


def test_counts_are_pluralised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = PARTICIPANTS.rsplit("\n", 2)[0] + "\n"  # participant 007 only
    plan = "\n".join(PLAN.splitlines()[:2]) + "\n"  # one plan item
    out = tmp_path / "out"
    assert main([*_files(tmp_path, one, plan), "--out", str(out), "--period-weeks", "1"]) == 0
    printed = capsys.readouterr().out
    assert "allocated 1 participant (0 rejected), 1 plan item, policy optimal, 1 week\n" in printed
    assert "participants" not in printed.splitlines()[0]


def test_help_shows_defaults_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["allocate", "--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for needle in ("(default: optimal)", "(default: raise)", "(default: csv)", "(default: 26)",
                   "(default: 0.5)", "(default: 1)", "(default: 50000)", "--locale {lv}",
                   "examples: ibm-engine allocate --participants", "exit codes:"):  # fmt: skip
        assert needle in text, needle
    assert "(default: None)" not in text
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: 2021)" in text and "example: ibm-engine demo" in text
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "python -m ibm_engine" in capsys.readouterr().out


def test_a_mistyped_command_names_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["alocate"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'alocate'" in err and "'allocate'" in err


def test_python_m_ibm_engine() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ibm_engine", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == f"ibm-engine {ibm.__version__}"


def test_locale_lv_writes_latvian_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writing side of ``--locale lv``: the locale reaches the reader and the writer."""
    seen: list[object] = []

    def reader(path: object, table: str, *, locale: object = None) -> pd.DataFrame:
        seen.append(locale)
        return read_table(path, table)  # type: ignore[arg-type]  # these inputs are plain CSV

    monkeypatch.setattr("ibm_engine.cli._files.read_table", reader)
    out = tmp_path / "out"
    assert main([*_files(tmp_path), "--out", str(out), "--locale", "lv"]) == 0
    assert seen == ["lv", "lv", "lv"]
    raw = (out / "participants.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("participant_id;target_group;age;municipality;budget_eur;")
    assert lines[1].startswith("007;GRT;40;NA;500,10;")
    assert lines[2].startswith("010;FT;8;Dobele;333,33;")
    capsys.readouterr()
    # without --locale the reader is called as before, without the keyword's value
    seen.clear()
    assert main([*_files(tmp_path), "--out", str(tmp_path / "plain")]) == 0
    assert seen == [None, None, None]
    assert (tmp_path / "plain" / "participants.csv").read_text().startswith("participant_id,")


def test_locale_lv_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Latvian CSV in and out. Needs ``read_table(..., locale="lv")`` (io/_read.py, issue 9,
    written in parallel)."""
    lv = {
        "p.csv": PARTICIPANTS.replace(",", ";").replace("500.10", "500,10")
        .replace("333.33", "333,33"),
        "i.csv": PLAN.replace(",", ";"),
        "s.csv": SERVICES.replace(",", ";").replace("27.10", "27,10").replace("35.35", "35,35")
        .replace("50.05", "50,05"),
    }  # fmt: skip
    for name, text in lv.items():
        (tmp_path / name).write_text(text, encoding="utf-8-sig")
    args = ["allocate", "--participants", str(tmp_path / "p.csv"), "--plan-items",
            str(tmp_path / "i.csv"), "--services", str(tmp_path / "s.csv")]  # fmt: skip
    out = tmp_path / "out"
    assert main([*args, "--out", str(out), "--locale", "lv"]) == 0
    assert "allocated 2 participants (0 rejected), 4 plan items" in capsys.readouterr().out
    here = tmp_path / "plain"
    here.mkdir()
    _files(here)
    plain = ibm.allocate(
        read_table(here / "p.csv", "participants"),
        read_table(here / "i.csv", "plan_items"),
        read_table(here / "s.csv", "services"),
    )
    lv_read: Any = read_table
    back = lv_read(out / "participants.csv", "participants", locale="lv")
    assert back["spent_eur"].tolist() == plain.participants["spent_eur"].tolist()
    assert back["participant_id"].tolist() == ["007", "010"]


def test_blank_rows_skipped_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head, *rows = PARTICIPANTS.strip("\n").split("\n")
    people = "\n".join([head, rows[0], "", ",,,,", *rows[1:]]) + "\n"  # 2 blank rows
    plan_head, *plan_rows = PLAN.strip("\n").split("\n")
    plan = "\n".join([plan_head, "", *plan_rows]) + "\n"  # 1 blank row
    args = [*_files(tmp_path, participants=people, plan=plan), "--out", str(tmp_path / "o")]
    assert main(args) == 0, capsys.readouterr().err
    lines = capsys.readouterr().out.splitlines()
    skipped = [line for line in lines if " skipped in " in line and not line.startswith("wrote")]
    assert skipped == ["2 blank rows skipped in p.csv", "1 blank row skipped in i.csv"]


def test_cli_page_runs_and_prints_what_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/cli.md: every python block runs (in a scratch folder) and prints what it shows."""
    from helpers.docs_pages import normalise, run_page

    monkeypatch.chdir(tmp_path)
    results = run_page("cli.md")
    assert len(results) >= 5
    for block, printed in results:
        if block.expected is not None:
            assert normalise(printed) == normalise(block.expected), f"docs/cli.md:{block.line}"


def _run_id(out: str) -> str:
    line = next(x for x in out.splitlines() if x.startswith("archived as run "))
    return line.split()[3]


def test_archive_commands_store_list_show_diff_and_reproduce(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``allocate --archive`` and ``runs list|show|diff|reproduce`` on a real DuckDB file: the
    archived run is the allocation's (its record id is one allocate call's), a second run in
    chunks reproduces too, a diff names who gained what, and a run whose stored inputs are
    given wrongly reports the difference with exit code 3."""
    pytest.importorskip("duckdb")
    where = str(tmp_path / "runs.duckdb")
    args = _files(tmp_path)
    assert main([*args, "--out", str(tmp_path / "a"), "--archive", where, "--note", "spring"]) == 0
    first = _run_id(capsys.readouterr().out)
    one = ibm.allocate(*(read_table(tmp_path / f, n) for f, n in (
        ("p.csv", "participants"), ("i.csv", "plan_items"), ("s.csv", "services"))))  # fmt: skip
    assert first.startswith(one.record.id + "-")
    richer = PARTICIPANTS.replace("333.33", "433.33")
    (tmp_path / "more").mkdir()
    args2 = _files(tmp_path / "more", participants=richer)
    code = main([*args2, "--out", str(tmp_path / "b"), "--archive", where, "--corrects", first,
                 "--chunk-size", "1"])  # fmt: skip
    assert code == 0
    second = _run_id(capsys.readouterr().out)

    assert main(["runs", "list", "--archive", where]) == 0
    listing = capsys.readouterr().out
    assert first in listing and second in listing and "spring" in listing
    assert listing.index(first) < listing.index(second)
    assert main(["runs", "list", "--archive", where, "--municipality", "Dobele"]) == 0
    assert first in capsys.readouterr().out
    assert main(["runs", "list", "--archive", where, "--policy", "priority"]) == 0
    assert "no runs in" in capsys.readouterr().out

    assert main(["runs", "show", second, "--archive", where]) == 0
    shown = capsys.readouterr().out
    assert f"run {second}, stored " in shown and f"corrects {first}" in shown
    assert '"kind": "allocate"' in shown and '"policy": "optimal"' in shown

    assert main(["runs", "diff", first, second, "--archive", where]) == 0
    diff = capsys.readouterr().out
    assert "010" in diff and "1 participant gained, 0 lost" in diff

    for run in (first, second):  # one call and chunks both reproduce from the archive alone
        assert main(["runs", "reproduce", run, "--archive", where]) == 0
        assert "reproduced: the re-run gives the recorded outputs" in capsys.readouterr().out
    wrong = ["--participants", str(tmp_path / "more" / "p.csv"), "--plan-items",
             str(tmp_path / "i.csv"), "--services", str(tmp_path / "s.csv")]  # fmt: skip
    assert main(["runs", "reproduce", first, "--archive", where, *wrong]) == 3
    assert "participants" in capsys.readouterr().out

    with pytest.raises(SystemExit):
        main(["runs", "show", "--archive", where])  # RUN missing: argparse exits 2
    capsys.readouterr()
    assert main(["runs", "show", "nope", "--archive", where]) == 2
    assert "names no run" in capsys.readouterr().err


def test_archive_with_a_key_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("duckdb")
    where = str(tmp_path / "runs.duckdb")
    args = _files(tmp_path)
    assert main([*args, "--out", str(tmp_path / "a"), "--archive", where,
                 "--key-env", "IBM_TEST_KEY"]) == 2  # fmt: skip
    assert "IBM_TEST_KEY is not set" in capsys.readouterr().err
    monkeypatch.setenv("IBM_TEST_KEY", "a key of at least sixteen bytes")
    assert main([*args, "--out", str(tmp_path / "a"), "--archive", where,
                 "--key-env", "IBM_TEST_KEY"]) == 0  # fmt: skip
    run = _run_id(capsys.readouterr().out)
    assert "007" not in ibm.RunArchive(where).load(run).items["participant_id"].tolist()
    assert main(["runs", "reproduce", run, "--archive", where]) == 2  # needs tables and key
    assert "pseudonymised" in capsys.readouterr().err
    originals = ["--participants", str(tmp_path / "p.csv"), "--plan-items",
                 str(tmp_path / "i.csv"), "--services", str(tmp_path / "s.csv")]  # fmt: skip
    assert main(["runs", "reproduce", run, "--archive", where, *originals,
                 "--key-env", "IBM_TEST_KEY"]) == 0  # fmt: skip
    assert "reproduced: the re-run gives the recorded outputs" in capsys.readouterr().out


def test_demo_says_when_it_compiles(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ibm_engine.cli import _demo

    monkeypatch.setattr(_demo, "needs_compiling", lambda: True)
    assert main(["demo", "--scale", "0.02"]) == 0
    assert capsys.readouterr().err.startswith("Compiling the optimiser (first run only, about")
    monkeypatch.setattr(_demo, "needs_compiling", lambda: False)
    assert main(["demo", "--scale", "0.02"]) == 0
    assert "Compiling" not in capsys.readouterr().err


def test_needs_compiling_after_a_solve_is_false() -> None:
    from ibm_engine.solve import needs_compiling

    ibm.allocate(*ibm.data.synthetic_zemgale(1, scale=0.01))
    assert needs_compiling() is False
