"""Text the command line prints: fixed-width tables, figures of an allocation, problems."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

import numpy as np

from ibm_engine import InputError
from ibm_engine.errors import problem_location
from ibm_engine.io import AllocationTables

_MAX_PROBLEMS = 200  # problems listed on stderr (all of them are in InputError.problems)


def render(rows: Sequence[Sequence[str]], left: int = 1, total: bool = False) -> str:
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


def cell(x: object) -> str:
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x)


def print_problems(err: InputError, stream: TextIO) -> None:
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
        cells = [cell(rec.table), cell(rec.row), cell(rec.column)]
        rows.append([*cells, *([at] if in_files else []), cell(rec.reason)])
    print(render(rows, left=4), file=stream)
    if n > _MAX_PROBLEMS:
        print(
            f"... and {n - _MAX_PROBLEMS:,} more (with --errors quarantine the participants "
            "with problems are listed in rejected and the others allocated)",
            file=stream,
        )


def figures(t: AllocationTables) -> dict[str, float]:
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


def pct(a: float, b: float) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown after each option's help (not for required options or those without
    a default); the examples of the epilog kept as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.required or action.default is None:
            return action.help
        return super()._get_help_string(action)
