"""Where ``ibm-engine allocate`` and ``runs reproduce`` read their inputs and write results."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ibm_engine.allocation._status import count
from ibm_engine.io import read_table
from ibm_engine.tables._sources import SOURCE_ATTR


def out_problem(out: Path) -> str | None:
    """Why ``--out`` cannot be the output directory, or None."""
    for folder in (out, *out.parents):
        if folder.exists() and not folder.is_dir():
            which = "is" if folder == out else f"is inside {folder}, which is"
            return (
                f"--out {out} {which} a file, not a directory "
                "(give a folder; it is created when missing)"
            )
    return None


def read_inputs(args: argparse.Namespace) -> tuple[list[pd.DataFrame], list[str]]:
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
            notes.append(f"{count(blank, 'blank row')} skipped in {where}")
    return frames, notes
