"""RunArchive round trips in DuckDB and in a real PostgreSQL server: tables as they were, money
to the cent, append-only, corrections, filters, diff, pseudonymisation and explanations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.io import _archive_run

pytest.importorskip("duckdb")

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
KEY = "a secret of at least sixteen bytes"


@pytest.fixture(params=["duckdb", "postgres"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "duckdb":
        return str(tmp_path / "runs.duckdb")
    return str(request.getfixturevalue("postgres_db"))


@pytest.fixture(scope="module")
def zemgale() -> Tables:
    return ibm.synthetic_zemgale(seed=11, n_grt=12, n_ft=12, n_bsac=6)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes.astype(str)) == list(b.dtypes.astype(str))


def test_allocation_round_trip_tables_inputs_and_explanations(where: str, zemgale: Tables) -> None:
    p, i, s = zemgale
    result = ibm.allocate(p, i, s)
    archive = ibm.RunArchive(where)
    run_id = archive.store(result, p, i, s, note="baseline")
    run = archive.load(run_id)
    for name in ("items", "participants", "rejected"):
        _same(getattr(run, name), getattr(result, name))
    for name, table in zip(("participants", "plan_items", "services"), zemgale, strict=True):
        _same(run.inputs[name], table)
    assert run.summary["participants"] == len(p) and run.note == "baseline"
    pid = str(p["participant_id"].iloc[3])
    for lang in ("en", "lv"):
        assert run.explain_text(pid, lang) == result.explain_text(pid, language=lang)


def test_quarantined_rows_and_mixed_columns_round_trip(where: str, tables: Callable) -> None:
    p, i, s = tables()
    p.loc[1, "age"] = 300  # P2 is quarantined
    p["caseworker"] = ["A", "B", "C"]  # an extra column is stored as it is
    result = ibm.allocate(p, i, s, errors="quarantine")
    assert len(result.rejected)
    archive = ibm.RunArchive(where)
    run = archive.load(archive.store(result, p, i, s))
    _same(run.rejected, result.rejected)
    _same(run.participants, result.participants)
    _same(run.inputs["participants"], p)
    assert run.rebuild().items.equals(result.items)


def test_money_round_trips_to_the_cent(where: str, tables: Callable) -> None:
    p, i, s = tables()
    s["unit_price_eur"] = [27.01, 35.99, 31.07, 29.03, 48.11]
    p["budget_eur"] = [500.01, 900.99, 100.07]
    result = ibm.allocate(p, i, s)
    archive = ibm.RunArchive(where)
    run = archive.load(archive.store(result, p, i, s))
    for column in ("budget_eur", "spent_eur", "left_eur"):
        assert run.participants[column].tolist() == result.participants[column].tolist()
    assert run.items["cost_eur"].tolist() == result.items["cost_eur"].tolist()
    listed = archive.runs().iloc[0]
    assert listed["spent_eur"] == round(float(result.participants["spent_eur"].sum()), 2)


def test_a_stored_run_never_changes(
    where: str, tables: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    p, i, s = tables()
    result = ibm.allocate(p, i, s)
    monkeypatch.setattr(
        _archive_run, "record_of", lambda r: {"id": "fixed", "kind": "allocation"}, raising=True
    )
    from ibm_engine.io import _archive

    monkeypatch.setattr(_archive, "record_of", _archive_run.record_of)
    # run ids are the record id and a random suffix: force a collision to see it refused
    monkeypatch.setattr(_archive.secrets, "token_hex", lambda n: "0" * (2 * n))
    archive = ibm.RunArchive(where)
    assert archive.store(result, p, i, s, note="first") == "fixed-00000000"
    other = ibm.allocate(p, i, s, policy="priority")
    with pytest.raises(ibm.IbmEngineError, match="already in the archive"):
        archive.store(other, p, i, s, note="second")
    runs = archive.runs()
    assert runs["note"].tolist() == ["first"]
    _same(archive.load("fixed-00000000").items, result.items)


def test_the_same_decision_stored_twice_is_two_runs(where: str, tables: Callable) -> None:
    p, i, s = tables()
    result = ibm.allocate(p, i, s)
    archive = ibm.RunArchive(where)
    first, second = archive.store(result, p, i, s), archive.store(result, p, i, s)
    assert first != second
    assert first.rsplit("-", 1)[0] == second.rsplit("-", 1)[0] == result.record.id


def test_postgres_refuses_update_and_delete(postgres_db: str, tables: Callable) -> None:
    import psycopg

    p, i, s = tables()
    ibm.RunArchive(postgres_db).store(ibm.allocate(p, i, s), p, i, s)
    for sql in ("UPDATE ibm_items SET units = 0", "DELETE FROM ibm_runs", "TRUNCATE ibm_items"):
        with psycopg.connect(postgres_db) as con, pytest.raises(psycopg.errors.RaiseException):
            con.execute(sql)


def test_corrections_filters_and_diff(where: str, tables: Callable) -> None:
    p, i, s = tables()
    archive = ibm.RunArchive(where)
    first = archive.store(ibm.allocate(p, i, s), p, i, s)
    with pytest.raises(ibm.InputError, match="names no run"):
        archive.store(ibm.allocate(p, i, s), p, i, s, corrects="nope")
    p2 = p.assign(budget_eur=[800.0, 900.0, 100.0])  # P1 was given 300 EUR more
    fixed = archive.store(ibm.allocate(p2, i, s), p2, i, s, corrects=first)
    runs = archive.runs()
    assert runs["run_id"].tolist() == [first, fixed]
    assert runs["corrects"].tolist()[1] == first and runs["corrected_by"].tolist()[0] == fixed
    assert archive.runs(municipality="Dobele")["run_id"].tolist() == [first, fixed]
    assert archive.runs(municipality="Riga").empty
    assert archive.runs(policy="priority").empty
    assert len(archive.runs(since="2000-01-01", until=pd.Timestamp.now(tz="UTC"))) == 2
    assert archive.runs(until="2000-01-01").empty
    d = archive.diff(first, fixed)
    assert set(d["participant_id"]) == {"P1"}
    spent = (
        archive.load(fixed).participants["spent_eur"]
        - archive.load(first).participants["spent_eur"]
    )
    assert round(float(d["cost_eur_change"].sum()), 2) == round(float(spent.sum()), 2)
    assert archive.diff(first, first).empty


def test_pseudonymised_run(where: str, tables: Callable, tmp_path: Path) -> None:
    p, i, s = tables()
    p["name"] = ["Anna Bērziņa", "Jānis Ozols", "Pēteris Kalns"]
    result = ibm.allocate(p, i, s)
    archive = ibm.RunArchive(where)
    run_id = archive.store(result, p, i, s, key=KEY)
    run = archive.load(run_id)
    assert run.pseudonymised
    assert not set(run.participants["participant_id"]) & {"P1", "P2", "P3"}
    assert "name" not in run.participants.columns and "name" not in run.inputs["participants"]
    assert run.participants["spent_eur"].tolist() == result.participants["spent_eur"].tolist()
    if not where.startswith("postgresql"):
        data = Path(where).read_bytes()
        for secret in (b"Anna", b"Ozols", KEY.encode(), b"P1\x00", b"\x02P2"):
            assert secret not in data
    with pytest.raises(ibm.InputError, match="pseudonymised"):
        run.explain_text("P1")
    assert run.explain_text("P1", participants=p, plan_items=i, services=s, key=KEY) == (
        result.explain_text("P1")
    )
    with pytest.raises(ibm.InputError, match="do not give this run's pseudonyms"):
        run.rebuild(p, i, s, key=KEY + "!")  # checked before anything is re-run
    other = archive.load(archive.store(result, p, i, s, key=KEY + "!"))
    assert not set(other.items["participant_id"]) & set(run.items["participant_id"])
    with pytest.raises(ibm.InputError, match="pseudonymised"):
        archive.diff(run_id, archive.store(result, p, i, s))


def test_region_result_is_stored_rebuilt_and_explained(where: str, tables: Callable) -> None:
    """A region run is stored with its capacities table (required: the record names it), comes
    back as it was, reproduces from the archive alone and explains as the original does."""
    p, i, s = tables()
    caps = pd.DataFrame([{"municipality": "Bauska", "service": "psychologist", "units": 3}])
    region = ibm.allocate_region(p, i, s, caps)
    archive = ibm.RunArchive(where)
    with pytest.raises(ibm.InputError, match=r"capacities table too: pass it \(capacities=") as e:
        archive.store(region, p, i, s)
    assert e.value.problems.iloc[0]["column"] == "capacities"
    fewer = caps.assign(units=2)
    with pytest.raises(ibm.InputError, match="not the table this result was computed from"):
        archive.store(region, p, i, s, capacities=fewer)
    run = archive.load(archive.store(region, p, i, s, capacities=caps.iloc[::-1]))
    assert run.kind == "region"
    _same(run.items, region.items)
    _same(run.participants, region.participants)
    _same(run.inputs["capacities"], caps.iloc[::-1])
    rebuilt = run.rebuild()
    assert isinstance(rebuilt, ibm.RegionResult)
    for pid in region.participants["participant_id"]:
        for lang in ("en", "lv"):
            assert run.explain_text(pid, lang) == region.participant(pid).text(lang)
    assert archive.reproduce(run.run_id).identical


def test_store_refuses_tables_the_result_was_not_computed_from(
    where: str, tables: Callable
) -> None:
    p, i, s = tables()
    result = ibm.allocate(p, i, s)
    archive = ibm.RunArchive(where)
    cheaper = s.assign(unit_price_eur=s["unit_price_eur"] - 0.01)
    with pytest.raises(ibm.InputError, match="not the table this result") as e:
        archive.store(result, p, i, cheaper)
    assert e.value.problems.iloc[0]["table"] == "services"
    caps = pd.DataFrame([{"municipality": "Bauska", "service": "psychologist", "units": 3}])
    with pytest.raises(ibm.InputError, match="was not an input of this allocate run"):
        archive.store(result, p, i, s, capacities=caps)
    with pytest.raises(ibm.InputError, match="is not an input table the archive stores"):
        archive.store(result, p, i, s, prices=caps)
    assert archive.runs().empty  # nothing stored by a refused store


def test_every_result_type_is_stored_rebuilt_and_explained(where: str, tables: Callable) -> None:
    """Traditional, periods and scenario runs: their tables back as they were, each run
    reproduces from the archive alone, and its explanations re-rendered from the archive are
    the original's, word for word."""
    from ibm_engine.scenarios import traditional

    p, i, s = tables()
    pids = list(p["participant_id"])
    archive = ibm.RunArchive(where)
    queue = traditional(p, i, s)
    run = archive.load(archive.store(queue, p, i, s))
    assert run.kind == "traditional"
    _same(run.items, queue.items)
    _same(run.participants, queue.participants)
    assert archive.reproduce(run.run_id).identical
    for pid in pids:
        assert run.explain_text(pid, "lv") == queue.participant(pid).text("lv")
    periods = pd.DataFrame(
        {"period": [1, 2], "start_date": ["2018-09-01", "2019-03-01"],
         "end_date": ["2019-02-28", "2019-08-31"]}
    )  # fmt: skip
    spread = ibm.run_periods(p, i, s, periods)
    run = archive.load(archive.store(spread, p, i, s, periods=periods))
    assert run.kind == "periods"
    _same(run.items, spread.items)
    _same(run.inputs["periods"], periods)
    assert archive.reproduce(run.run_id).identical
    for pid in pids:
        for period in (1, 2):
            assert run.explain_text(pid, period=period) == spread.participant(pid, period).text()
    scenario = ibm.run_scenario(ibm.Baseline(p, i, s))
    run_id = archive.store(scenario, p, i, s)
    _same(archive.load(run_id).items, scenario.items)
    assert archive.reproduce(run_id).identical  # a scenario run's record is its allocation's
    assert archive.load(run_id).explain_text(pids[0]) == scenario.participant(pids[0]).text()


def test_reproduce_needs_the_record_engine(
    where: str, tables: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    p, i, s = tables()
    archive = ibm.RunArchive(where)
    run_id = archive.store(ibm.allocate(p, i, s), p, i, s)
    monkeypatch.delattr(ibm, "reproduce", raising=False)
    with pytest.raises(NotImplementedError, match=r"ibm_engine\.reproduce"):
        archive.reproduce(run_id)
    calls = []
    monkeypatch.setattr(
        ibm, "reproduce", lambda *a, **k: calls.append(a) or "report", raising=False
    )
    assert archive.reproduce(run_id) == "report"
    assert calls[0][0]["id"] == run_id.rsplit("-", 1)[0] and calls[0][1].equals(p)


def test_a_stored_run_reproduces(where: str, tables: Callable) -> None:
    p, i, s = tables()
    result = ibm.allocate(p, i, s)
    archive = ibm.RunArchive(where)
    run_id = archive.store(result, p, i, s)
    report = archive.reproduce(run_id)  # from the stored inputs alone
    assert report.identical, str(report)


def test_empty_archive_and_unknown_run(tmp_path: Path) -> None:
    archive = ibm.RunArchive(tmp_path / "none.duckdb")
    assert archive.runs().empty
    with pytest.raises(ibm.InputError, match="names no run"):
        archive.load("x")
    with pytest.raises(ibm.InputError, match="16 bytes"):
        archive.store(None, [], [], [], key="short")
