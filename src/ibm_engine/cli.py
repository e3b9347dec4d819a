"""The ``ibm-engine`` command line: ``demo``, ``allocate``, ``runs`` and ``--version``.

Also run as ``python -m ibm_engine``. Inputs with more than ``--chunk-size`` participants are
allocated a chunk at a time, with a progress line per chunk on stderr (see
:func:`ibm_engine.io.allocate_in_chunks`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from ibm_engine import IbmEngineError, InputError, RankMerge, RunArchive, __version__
from ibm_engine._tolerances import VALUE_TOL
from ibm_engine.data import synthetic_zemgale
from ibm_engine.errors import problem_location
from ibm_engine.io import (
    CHUNK_SIZE,
    WRITE_FORMATS,
    AllocationTables,
    allocate_in_chunks,
    read_table,
    write_tables,
)
from ibm_engine.io._locale import LOCALES
from ibm_engine.tables._sources import SOURCE_ATTR

__all__ = ["main"]

_MAX_PROBLEMS = 200  # problems listed on stderr (all of them are in InputError.problems)


def _plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an ``s`` unless ``n`` is 1: "1 participant", "2 participants".

    Examples
    --------
    >>> _plural(1, "participant"), _plural(1288, "plan item"), _plural(0, "week")
    ('1 participant', '1,288 plan items', '0 weeks')
    """
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _render(rows: Sequence[Sequence[str]], left: int = 1, total: bool = False) -> str:
    """A fixed-width table: the first ``left`` columns left-aligned, the rest right-aligned."""
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    rule = "  ".join("-" * w for w in widths)

    def line(r: Sequence[str]) -> str:
        cells = (
            c.ljust(w) if j < left else c.rjust(w)
            for j, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        return "  ".join(cells).rstrip()

    body = [line(r) for r in rows[1:]]
    if total:
        body.insert(len(body) - 1, rule)
    return "\n".join([line(rows[0]), rule, *body])


def _figures(t: AllocationTables) -> dict[str, float]:
    p, reason = t.participants, t.items["reason"].astype("str")
    return {
        "participants": len(p),
        "budget": float(p["budget_eur"].sum()),
        "spent": float(p["spent_eur"].sum()),
        "value": float(p["value"].sum()),
        "max": float(p["max_value"].sum()),
        "funded": int((reason == "funded").sum()),
        "partly": int((reason == "partly_funded").sum()),
        "not": int((reason == "not_funded").sum()),
        "other": int(reason.isin(["not_eligible", "cap_below_min", "unavailable"]).sum()),
    }


def _pct(a: float, b: float) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"


def _group_row(name: Sequence[str], f: dict[str, float]) -> list[str]:
    return [
        *name,
        f"{f['participants']:,.0f}",
        f"{f['budget']:,.0f}",
        f"{f['spent']:,.0f}",
        f"{f['value']:,.1f}",
        f"{f['max']:,.1f}",
        _pct(f["value"], f["max"]),
        *(f"{f[k]:,.0f}" for k in ("funded", "partly", "not", "other")),
    ]


def _by_group(t: AllocationTables) -> str:
    keys = ["municipality", "target_group"]
    group_of = t.participants.set_index("participant_id")[keys]
    items = t.items.join(group_of, on="participant_id")
    rows = [
        [
            "municipality",
            "group",
            "people",
            "budget EUR",
            "spent EUR",
            "value",
            "max value",
            "coverage",
            "funded",
            "partly",
            "not funded",
            "ineligible",
        ]
    ]
    item_groups = dict(list(items.groupby(keys, sort=False)))
    for key, part in t.participants.groupby(keys, sort=True):
        sub = AllocationTables(item_groups.get(key, items.iloc[:0]), part, t.rejected)
        rows.append(_group_row([str(k) for k in key], _figures(sub)))
    rows.append(_group_row(["Total", ""], _figures(t)))
    return _render(rows, left=2, total=True)


def _compare(opt: AllocationTables, pri: AllocationTables) -> str:
    a, b = _figures(opt), _figures(pri)
    lines = [
        ("total value", "value", 1),
        ("max value", "max", 1),
        ("spent EUR", "spent", 0),
        ("items funded", "funded", 0),
        ("items partly funded", "partly", 0),
        ("items not funded", "not", 0),
    ]
    rows = [["", "optimal", "priority", "difference"]]
    for title, k, dec in lines:
        rows.append([title, f"{a[k]:,.{dec}f}", f"{b[k]:,.{dec}f}", f"{a[k] - b[k]:+,.{dec}f}"])
    rows.append(["coverage", _pct(a["value"], a["max"]), _pct(b["value"], b["max"]), ""])
    va = opt.participants["value"].to_numpy()
    by_id = pri.participants.set_index("participant_id")["value"]
    vb = by_id.reindex(opt.participants["participant_id"]).to_numpy()
    gain = va - vb
    up, down = gain > VALUE_TOL, gain < -VALUE_TOL
    avg = float(gain[up].mean()) if up.any() else 0.0
    base = float(vb[up].sum())
    rel = float(gain[up].sum()) / base if base > 0 else 0.0
    return (
        _render(rows)
        + f"\n\nParticipants better off under optimal: {int(up.sum()):,} of {len(va):,}"
        + f" ({_pct(up.sum(), len(va))}),\non average +{avg:.3f} value each"
        + f" (+{100 * rel:.1f}% on their value under priority); worse off: {int(down.sum()):,}"
    )


def _demo(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    p, i, s = synthetic_zemgale(args.seed, scale=args.scale, period_weeks=args.period_weeks)
    print(
        f"ibm-engine {__version__} demo: synthetic Zemgale region, seed {args.seed}, "
        f"{_plural(len(p), 'participant')}, {_plural(len(i), 'plan item')}, "
        f"{_plural(args.period_weeks, 'week')}"
    )
    runs = {
        policy: allocate_in_chunks(
            p,
            i,
            s,
            policy=policy,
            period_weeks=args.period_weeks,
            team_share=args.team_share,
            workers=args.workers,
            chunk_size=args.chunk_size,
            progress=sys.stderr,
            label=f"{policy}: ",
        )
        for policy in ("optimal", "priority")
    }
    print("\nOptimal allocation by municipality and target group\n")
    print(_by_group(runs["optimal"]))
    print("coverage = value / max value; ineligible = no catalogue row or cap below the minimum")
    print("\nOptimal vs priority (items in joint-list order, each given the most that fits)\n")
    print(_compare(runs["optimal"], runs["priority"]))
    print(f"\nDone in {time.perf_counter() - start:.1f} s")
    return 0


def _out_problem(out: Path) -> str | None:
    """Why ``--out`` cannot be the output directory, or None."""
    for folder in (out, *out.parents):
        if folder.exists() and not folder.is_dir():
            which = "is" if folder == out else f"is inside {folder}, which is"
            return (
                f"--out {out} {which} a file, not a directory "
                "(give a folder; it is created when missing)"
            )
    return None


def _read_inputs(args: argparse.Namespace) -> tuple[list[pd.DataFrame], list[str]]:
    """The three input tables, and a line for every file with blank rows the reader skipped."""
    files = {"participants": args.participants, "plan_items": args.plan_items,
             "services": args.services}  # fmt: skip
    frames, notes = [], []
    one_book = len(set(files.values())) == 1
    for table, path in files.items():
        df = read_table(path, table, locale=args.locale)
        frames.append(df)
        blank = int(df.attrs.get(SOURCE_ATTR, {}).get("blank_rows", 0))
        if blank > 0:
            where = f"{Path(path).name}, sheet {table}" if one_book else Path(path).name
            notes.append(f"{_plural(blank, 'blank row')} skipped in {where}")
    return frames, notes


def _allocate(args: argparse.Namespace) -> int:
    problem = _out_problem(Path(args.out))
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    (p, i, s), notes = _read_inputs(args)
    t = allocate_in_chunks(
        p,
        i,
        s,
        policy=args.policy,
        period_weeks=args.period_weeks,
        team_share=args.team_share,
        errors=args.errors,
        workers=args.workers,
        chunk_size=args.chunk_size,
        progress=sys.stderr,
    )
    paths = write_tables(t, args.out, args.format, locale=args.locale)
    run_id = None
    if args.archive is not None:
        run = _ArchivedTables(t.items, t.participants, t.rejected, args.policy,
                              args.period_weeks, args.team_share)  # fmt: skip
        run_id = RunArchive(args.archive).store(
            run, p, i, s, corrects=args.corrects, key=_key(args), note=args.note
        )
    f = _figures(t)
    rejected = t.rejected["participant_id"].nunique() if len(t.rejected) else 0
    print(
        f"allocated {_plural(int(f['participants']), 'participant')} ({rejected:,} rejected), "
        f"{_plural(len(t.items), 'plan item')}, policy {args.policy}, "
        f"{_plural(args.period_weeks, 'week')}"
    )
    print(
        f"budget {f['budget']:,.2f} EUR, spent {f['spent']:,.2f} EUR "
        f"({_pct(f['spent'], f['budget'])}); value {f['value']:,.2f} of {f['max']:,.2f} "
        f"({_pct(f['value'], f['max'])})"
    )
    print(
        f"items: {f['funded']:,} funded, {f['partly']:,} partly funded, "
        f"{f['not']:,} not funded, {f['other']:,} ineligible"
    )
    for note in notes:
        print(note)
    print("wrote " + ", ".join(str(x) for x in paths))
    if run_id is not None:
        print(f"archived as run {run_id} in {args.archive}")
    return 0


@dataclass(frozen=True)
class _ArchivedTables:
    """The tables of a (chunked) allocation with the parameters that made them, as the run
    archive stores them (the chunks put together equal one ``allocate`` call)."""

    items: pd.DataFrame
    participants: pd.DataFrame
    rejected: pd.DataFrame
    policy: str
    period_weeks: int
    team_share: float
    merge: RankMerge = field(default_factory=lambda: RankMerge(kind="borda"))
    budget: None = None


def _key(args: argparse.Namespace) -> str | None:
    """The pseudonymisation key, from the environment variable named by ``--key-env``."""
    if getattr(args, "key_env", None) is None:
        return None
    key = os.environ.get(args.key_env)
    if not key:
        raise InputError.single(
            "arguments", "--key-env", f"the environment variable {args.key_env} is not set"
        )
    return key


def _runs_list(args: argparse.Namespace) -> int:
    runs = RunArchive(args.archive).runs(
        since=args.since, until=args.until, municipality=args.municipality, policy=args.policy
    )
    if runs.empty:
        print(f"no runs in {args.archive}")
        return 0
    rows = [["run", "stored (UTC)", "policy", "people", "spent EUR", "corrects", "note"]]
    for rec in runs.to_dict("records"):
        spent = "" if pd.isna(rec["spent_eur"]) else f"{rec['spent_eur']:,.2f}"
        rows.append([str(rec["run_id"]), f"{rec['stored_at']:%Y-%m-%d %H:%M:%S}",
                     _cell(rec["policy"]), f"{rec['participants']:,}", spent,
                     _cell(rec["corrects"]), _cell(rec["note"])])  # fmt: skip
    print(_render(rows, left=3))
    return 0


def _runs_show(args: argparse.Namespace) -> int:
    run = RunArchive(args.archive).load(args.run_id)
    print(f"run {run.run_id}, stored {run.stored_at:%Y-%m-%d %H:%M:%S} UTC, {run.kind}"
          + (f", corrects {run.corrects}" if run.corrects else "")
          + (", pseudonymised" if run.pseudonymised else ""))  # fmt: skip
    if run.note:
        print(f"note: {run.note}")
    print("\nsummary")
    for k, v in run.summary.items():
        print(f"  {k}: {v}")
    print("\nrecord")
    print(json.dumps(run.record, indent=2, sort_keys=True, ensure_ascii=False))
    return 0


def _runs_diff(args: argparse.Namespace) -> int:
    d = RunArchive(args.archive).diff(args.before, args.after)
    if d.empty:
        print(f"no differences between runs {args.before} and {args.after}")
        return 0
    rows = [["participant", "service", "units", "change", "EUR", "change", "reason"]]
    for r in d.head(args.limit).to_dict("records"):
        reason = f"{_cell(r['reason_before']) or '-'} -> {_cell(r['reason_after']) or '-'}"
        rows.append([str(r["participant_id"]), str(r["service"]), f"{r['units_after']:,}",
                     f"{r['units_change']:+,}", f"{r['cost_eur_after']:,.2f}",
                     f"{r['cost_eur_change']:+,.2f}", reason])  # fmt: skip
    print(_render(rows, left=2))
    cents = np.round(d["cost_eur_change"].to_numpy() * 100).astype(np.int64)
    gained = d.loc[cents > 0, "participant_id"].nunique()
    lost = d.loc[cents < 0, "participant_id"].nunique()
    if len(d) > args.limit:
        print(f"... and {len(d) - args.limit:,} more rows")
    print(f"{_plural(len(d), 'item')} changed; {gained:,} participants gained, {lost:,} lost; "
          f"net {cents.sum() / 100:+,.2f} EUR")  # fmt: skip
    return 0


def _runs_reproduce(args: argparse.Namespace) -> int:
    archive = RunArchive(args.archive)
    tables: list[Any] = [None, None, None]
    if args.participants is not None:
        tables, _ = _read_inputs(args)
    key = _key(args)
    try:
        report = archive.reproduce(args.run_id, *tables, key=key)
    except NotImplementedError as err:
        archive.load(args.run_id).rebuild(*tables, key=key)
        print(f"note: {err}")
        given = "given" if args.participants is not None else "stored"
        print(f"run {args.run_id}: allocate on the {given} inputs gives the stored outputs")
        return 0
    print(report)
    return 0


def _cell(x: object) -> str:
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)


def _print_problems(err: InputError, stream: TextIO) -> None:
    df = err.problems
    n = len(df)
    print(f"error: {n:,} input problem{'s' if n != 1 else ''}, nothing was allocated", file=stream)
    shown = df.head(_MAX_PROBLEMS)
    # where in the file (unless the reason names the file already)
    where = [
        "" if str(p["file"]) in str(p["reason"]) else problem_location(p)
        for p in shown.to_dict("records")
    ]
    in_files = any(where)
    rows = [["table", "row", "column", *(["where"] if in_files else []), "reason"]]
    for rec, at in zip(shown.itertuples(index=False), where, strict=True):
        cells = [_cell(rec.table), _cell(rec.row), _cell(rec.column)]
        rows.append([*cells, *([at] if in_files else []), _cell(rec.reason)])
    print(_render(rows, left=4), file=stream)
    if n > _MAX_PROBLEMS:
        print(
            f"... and {n - _MAX_PROBLEMS:,} more (with --errors quarantine the participants "
            "with problems are listed in rejected and the others allocated)",
            file=stream,
        )


class _Help(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown after each option's help (not for required options or those without
    a default); the examples of the epilog kept as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.required or action.default is None:
            return action.help
        return super()._get_help_string(action)


_MAIN_EPILOG = """\
examples:
  ibm-engine demo
  ibm-engine allocate --participants participants.csv --plan-items plan_items.csv \\
                      --services services.csv --out results

'ibm-engine COMMAND --help' lists a command's options; 'python -m ibm_engine' is the same
program."""

_DEMO_EPILOG = """\
example:
  ibm-engine demo --seed 7 --scale 10 --workers 2"""

_ALLOCATE_EPILOG = """\
examples:
  ibm-engine allocate --participants participants.csv --plan-items plan_items.csv \\
                      --services services.csv --out results
  ibm-engine allocate --participants inputs.xlsx --plan-items inputs.xlsx \\
                      --services inputs.xlsx --out results --format xlsx --errors quarantine
  ibm-engine allocate --participants dalibnieki.csv --plan-items plans.csv \\
                      --services pakalpojumi.csv --out rezultati --locale lv

exit codes: 0 done; 2 bad input (problems listed) or bad arguments; 1 environment problem"""


_RUNS_EPILOG = """\
examples:
  ibm-engine runs list --archive runs.duckdb --municipality Dobele
  ibm-engine runs show RUN --archive runs.duckdb
  ibm-engine runs diff RUN_BEFORE RUN_AFTER --archive runs.duckdb
  ibm-engine runs reproduce RUN --archive postgresql://user@host/db"""


def _runs_parser(sub: Any) -> None:
    runs = sub.add_parser(
        "runs",
        help="list, show, diff and reproduce archived runs",
        description="The runs of a run archive (a DuckDB file or a postgresql:// URL).",
        epilog=_RUNS_EPILOG,
        formatter_class=_Help,
    )
    verbs = runs.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = verbs.add_parser("list", help="the stored runs, oldest first")
    listing.add_argument("--since", default=None, help="stored on or after (YYYY-MM-DD)")
    listing.add_argument("--until", default=None, help="stored on or before (YYYY-MM-DD)")
    listing.add_argument("--municipality", default=None, help="with participants of it")
    listing.add_argument("--policy", choices=("optimal", "priority"), default=None)
    listing.set_defaults(run=_runs_list)
    show = verbs.add_parser("show", help="a run's record and summary")
    show.add_argument("run_id", metavar="RUN")
    show.set_defaults(run=_runs_show)
    diff = verbs.add_parser("diff", help="who gained or lost what between two runs")
    diff.add_argument("before", metavar="RUN_BEFORE")
    diff.add_argument("after", metavar="RUN_AFTER")
    diff.add_argument("--limit", type=int, default=50, help="rows printed")
    diff.set_defaults(run=_runs_diff)
    again = verbs.add_parser("reproduce", help="re-run a stored run and compare")
    again.add_argument("run_id", metavar="RUN")
    for flag in ("--participants", "--plan-items", "--services"):
        again.add_argument(flag, metavar="FILE", default=None,
                           help="original table (needed for a pseudonymised run)")  # fmt: skip
    again.add_argument("--locale", choices=LOCALES, default=None, help="CSV locale of the files")
    again.add_argument("--key-env", metavar="VAR", default=None,
                       help="environment variable holding the pseudonymisation key")  # fmt: skip
    again.set_defaults(run=_runs_reproduce)
    for p in (listing, show, diff, again):
        p.add_argument("--archive", required=True, metavar="WHERE",
                       help="a DuckDB file or a postgresql:// URL")  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ibm-engine",
        description="Individual budgets for community-based social services.",
        epilog=_MAIN_EPILOG,
        formatter_class=_Help,
    )
    parser.add_argument("--version", action="version", version=f"ibm-engine {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="allocate the synthetic Zemgale region with both policies",
        description="Allocate the synthetic Zemgale region with the optimal and the priority\n"
        "policy and print both, side by side.",
        epilog=_DEMO_EPILOG,
        formatter_class=_Help,
    )
    demo.add_argument("--seed", type=int, default=2021, help="random seed of the region")
    demo.add_argument(
        "--scale",
        type=float,
        default=None,
        help="multiply the 502 GRT / 510 FT / 276 BSAC participants (default: 1)",
    )
    demo.set_defaults(run=_demo)
    alloc = sub.add_parser(
        "allocate",
        help="allocate the tables of three files",
        description="Read participants, plan items and services (CSV, Excel or Parquet),\n"
        "allocate every participant's budget and write the items, participants and\n"
        "rejected tables to a directory.",
        epilog=_ALLOCATE_EPILOG,
        formatter_class=_Help,
    )
    for flag in ("--participants", "--plan-items", "--services"):
        alloc.add_argument(flag, required=True, metavar="FILE", help=".csv, .xlsx or .parquet")
    alloc.add_argument(
        "--policy",
        choices=("optimal", "priority"),
        default="optimal",
        help="optimal: the most value each budget buys; priority: items in joint-list order, "
        "each given the most that fits",
    )
    alloc.add_argument(
        "--errors",
        choices=("raise", "quarantine"),
        default="raise",
        help="raise: stop at any bad row; quarantine: set bad participants aside",
    )
    alloc.add_argument(
        "--out", required=True, metavar="DIR", help="directory for the results (created)"
    )
    alloc.add_argument("--format", choices=WRITE_FORMATS, default="csv", help="output format")
    alloc.add_argument(
        "--locale",
        choices=LOCALES,
        default=None,
        help="lv: read and write CSV as Latvian Excel does (';' between fields, decimal "
        "comma, UTF-8 with BOM; formula-looking text escaped); default: plain CSV",
    )
    alloc.add_argument(
        "--archive",
        metavar="WHERE",
        default=None,
        help="also store the run in a run archive: a DuckDB file or a postgresql:// URL",
    )
    alloc.add_argument("--corrects", metavar="RUN", default=None, help="run id this corrects")
    alloc.add_argument("--note", default=None, help="a note stored with the archived run")
    alloc.add_argument(
        "--key-env",
        metavar="VAR",
        default=None,
        help="pseudonymise participant ids with the key in this environment variable",
    )
    alloc.set_defaults(run=_allocate)
    _runs_parser(sub)
    for p in (demo, alloc):
        p.add_argument("--period-weeks", type=int, default=26, help="plan period in weeks")
        p.add_argument(
            "--team-share", type=float, default=0.5, help="team's share in the rank merge"
        )
        p.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes to solve in (2 uses both cores of a 2-core machine)",
        )
        p.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="participants per chunk")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Exit codes: 0 done; 1 an environment problem (a missing optional dependency, a file that
    cannot be written, a run archive that is locked or refuses the write); 2 bad input (the
    problems are listed on stderr) or bad arguments.

    Examples
    --------
    >>> main(["--version"])
    Traceback (most recent call last):
    SystemExit: 0

    """
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except InputError as err:
        _print_problems(err, sys.stderr)
        return 2
    except ValueError as err:  # an argument out of range, a table too large for Excel
        print(f"error: {err}", file=sys.stderr)
        return 2
    except IbmEngineError as err:  # a run archive locked, unreachable or refusing a write
        print(f"error: {err}", file=sys.stderr)
        return 1
    except (ImportError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
