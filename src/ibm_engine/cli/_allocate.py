"""``ibm-engine allocate``: read three files, allocate (a chunk at a time), write the results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ibm_engine import RunArchive
from ibm_engine.allocation._status import count
from ibm_engine.cli._files import out_problem, read_inputs
from ibm_engine.cli._runs import archive_key
from ibm_engine.cli._text import figures, pct
from ibm_engine.io import allocate_in_chunks, write_tables

ALLOCATE_EPILOG = """\
examples:
  ibm-engine allocate --participants participants.csv --plan-items plan_items.csv \\
                      --services services.csv --out results
  ibm-engine allocate --participants inputs.xlsx --plan-items inputs.xlsx \\
                      --services inputs.xlsx --out results --format xlsx --errors quarantine
  ibm-engine allocate --participants dalibnieki.csv --plan-items plans.csv \\
                      --services pakalpojumi.csv --out rezultati --locale lv

exit codes: 0 done; 2 bad input (problems listed) or bad arguments; 1 environment problem"""


def run_allocate(args: argparse.Namespace) -> int:
    problem = out_problem(Path(args.out))
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    (p, i, s), notes = read_inputs(args)
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
        # the chunks' tables with the record of the whole allocation (one allocate call's)
        run_id = RunArchive(args.archive).store(
            t, p, i, s, corrects=args.corrects, key=archive_key(args), note=args.note
        )
    f = figures(t)
    rejected = t.rejected["participant_id"].nunique() if len(t.rejected) else 0
    print(
        f"allocated {count(int(f['participants']), 'participant')} ({rejected:,} rejected), "
        f"{count(len(t.items), 'plan item')}, policy {args.policy}, "
        f"{count(args.period_weeks, 'week')}"
    )
    print(
        f"budget {f['budget']:,.2f} EUR, spent {f['spent']:,.2f} EUR "
        f"({pct(f['spent'], f['budget'])}); value {f['value']:,.2f} of {f['max']:,.2f} "
        f"({pct(f['value'], f['max'])})"
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
