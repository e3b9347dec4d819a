"""The ``ibm-engine`` command line: ``demo``, ``allocate``, ``dataset``, ``runs``, ``--version``.

Also run as ``python -m ibm_engine``. Inputs with more than ``--chunk-size`` participants are
allocated a chunk at a time, with a progress line per chunk on stderr (see
:func:`ibm_engine.io.allocate_in_chunks`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ibm_engine import IbmEngineError, InputError, __version__
from ibm_engine.cli._allocate import ALLOCATE_EPILOG, run_allocate
from ibm_engine.cli._dataset import add_dataset_parser
from ibm_engine.cli._demo import DEMO_EPILOG, run_demo
from ibm_engine.cli._runs import add_runs_parser
from ibm_engine.cli._text import HelpFormatter, print_problems
from ibm_engine.io import CHUNK_SIZE, WRITE_FORMATS
from ibm_engine.io._locale import LOCALES

__all__ = ["main"]


_MAIN_EPILOG = """\
examples:
  ibm-engine demo
  ibm-engine allocate --participants participants.csv --plan-items plan_items.csv \\
                      --services services.csv --out results

'ibm-engine COMMAND --help' lists a command's options; 'python -m ibm_engine' is the same
program."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ibm-engine",
        description="Individual budgets for community-based social services.",
        epilog=_MAIN_EPILOG,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ibm-engine {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="allocate the synthetic Zemgale region with both policies",
        description="Allocate the synthetic Zemgale region with the optimal and the priority\n"
        "policy and print both, side by side.",
        epilog=DEMO_EPILOG,
        formatter_class=HelpFormatter,
    )
    demo.add_argument("--seed", type=int, default=2021, help="random seed of the region")
    demo.add_argument(
        "--scale",
        type=float,
        default=None,
        help="multiply the 502 GRT / 510 FT / 276 BSAC participants (default: 1)",
    )
    demo.set_defaults(run=run_demo)
    alloc = sub.add_parser(
        "allocate",
        help="allocate the tables of three files",
        description="Read participants, plan items and services (CSV, Excel or Parquet),\n"
        "allocate every participant's budget and write the items, participants and\n"
        "rejected tables to a directory.",
        epilog=ALLOCATE_EPILOG,
        formatter_class=HelpFormatter,
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
    alloc.set_defaults(run=run_allocate)
    dataset = add_dataset_parser(sub)
    add_runs_parser(sub)
    for flag, choices, default in (
        ("--policy", ("optimal", "priority"), "optimal"),
        ("--errors", ("raise", "quarantine"), "raise"),
    ):
        dataset.add_argument(flag, choices=choices, default=default, help="as for allocate")
    dataset.add_argument("--period-weeks", type=int, default=26, help="plan period in weeks")
    dataset.add_argument(
        "--team-share", type=float, default=0.5, help="team's share in the rank merge"
    )
    for p in (demo, alloc):
        p.add_argument("--period-weeks", type=int, default=26, help="plan period in weeks")
        p.add_argument(
            "--team-share", type=float, default=0.5, help="team's share in the rank merge"
        )
        p.add_argument(
            "--workers",
            type=int,
            default=1,
            help="threads to solve in (2 uses both cores of a 2-core machine)",
        )
        p.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="participants per chunk")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Exit codes: 0 done; 1 an environment problem (a missing optional dependency, a file that
    cannot be written, a run archive that is locked or refuses the write); 2 bad input (the
    problems are listed on stderr) or bad arguments; 3 ``runs reproduce``: the run does not
    reproduce (the report says where).

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
        print_problems(err, sys.stderr)
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
