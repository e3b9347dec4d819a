"""``ibm-engine runs list|show|diff|reproduce``, and the key ``allocate --archive`` uses."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine import InputError, RunArchive
from ibm_engine.allocation._status import count
from ibm_engine.cli._files import read_inputs
from ibm_engine.cli._text import HelpFormatter, cell, render
from ibm_engine.io._locale import LOCALES


def archive_key(args: argparse.Namespace) -> str | None:
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
                     cell(rec["policy"]), f"{rec['participants']:,}", spent,
                     cell(rec["corrects"]), cell(rec["note"])])  # fmt: skip
    print(render(rows, left=3))
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
        reason = f"{cell(r['reason_before']) or '-'} -> {cell(r['reason_after']) or '-'}"
        rows.append([str(r["participant_id"]), str(r["service"]), f"{r['units_after']:,}",
                     f"{r['units_change']:+,}", f"{r['cost_eur_after']:,.2f}",
                     f"{r['cost_eur_change']:+,.2f}", reason])  # fmt: skip
    print(render(rows, left=2))
    cents = np.round(d["cost_eur_change"].to_numpy() * 100).astype(np.int64)
    gained = d.loc[cents > 0, "participant_id"].nunique()
    lost = d.loc[cents < 0, "participant_id"].nunique()
    if len(d) > args.limit:
        print(f"... and {len(d) - args.limit:,} more rows")
    print(f"{count(len(d), 'item')} changed; {count(gained, 'participant')} gained, "
          f"{lost:,} lost; net {cents.sum() / 100:+,.2f} EUR")  # fmt: skip
    return 0


#: exit code of ``runs reproduce`` when the run does not reproduce
NOT_REPRODUCED = 3


def _runs_reproduce(args: argparse.Namespace) -> int:
    """Exit 0 when the run reproduces (or may differ only because a solve stopped at a time
    limit, which the report says); 3 when it does not (the report says where)."""
    archive = RunArchive(args.archive)
    tables: list[Any] = [None, None, None]
    if args.participants is not None:
        tables, _ = read_inputs(args)
    report = archive.reproduce(args.run_id, *tables, key=archive_key(args))
    print(report)
    return 0 if report.status in ("identical", "may_differ") else NOT_REPRODUCED


_RUNS_EPILOG = """\
examples:
  ibm-engine runs list --archive runs.duckdb --municipality Dobele
  ibm-engine runs show RUN --archive runs.duckdb
  ibm-engine runs diff RUN_BEFORE RUN_AFTER --archive runs.duckdb
  ibm-engine runs reproduce RUN --archive postgresql://user@host/db"""


def add_runs_parser(sub: Any) -> None:
    runs = sub.add_parser(
        "runs",
        help="list, show, diff and reproduce archived runs",
        description="The runs of a run archive (a DuckDB file or a postgresql:// URL).",
        epilog=_RUNS_EPILOG,
        formatter_class=HelpFormatter,
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
