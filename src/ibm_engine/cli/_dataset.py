"""``ibm-engine dataset``: allocate a Parquet dataset on Dask and write the result dataset."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ibm_engine.allocation._status import count
from ibm_engine.errors import InputError
from ibm_engine.scale import DatasetResult, allocate_dataset

DATASET_EPILOG = """\
examples:
  ibm-engine dataset region/ --out allocated/
  ibm-engine dataset region/ --out allocated/ --scheduler tcp://10.0.0.5:8786
  ibm-engine dataset region/ --services prices.parquet --out allocated/ --errors quarantine

region/ is a dataset folder (participants/, plan_items/ and services.parquet; see
docs/scale.md). A progress bar and the dashboard link go to stderr.
exit codes: 0 done; 2 bad input (problems listed) or bad arguments; 1 environment problem"""


def add_dataset_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``dataset`` command's options (policy, errors, period and team share are added with
    those of ``allocate``)."""
    from ibm_engine.cli._text import HelpFormatter

    p: argparse.ArgumentParser = sub.add_parser(
        "dataset",
        help="allocate a Parquet dataset on Dask",
        description="Allocate a dataset folder partition by partition on a Dask cluster\n"
        "(a local one by default) and write the result as a dataset.",
        epilog=DATASET_EPILOG,
        formatter_class=HelpFormatter,
    )
    p.add_argument("dataset", metavar="DIR", help="dataset folder (participants/, plan_items/)")
    p.add_argument("--out", required=True, metavar="DIR", help="result folder (created)")
    p.add_argument("--services", metavar="FILE", default=None, help="catalogue (.parquet)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="a running Dask scheduler (default: a local cluster for this run)",
    )
    p.set_defaults(run=run_dataset)
    return p


def _allocate(args: argparse.Namespace, client: Any) -> DatasetResult:
    try:
        return allocate_dataset(
            args.dataset,
            None,
            args.services,
            policy=args.policy,
            period_weeks=args.period_weeks,
            team_share=args.team_share,
            errors=args.errors,
            output=args.out,
            client=client,
            progress=sys.stderr,
        )
    except InputError as err:
        for note in getattr(err, "__notes__", []):  # where every problem was written
            print(note, file=sys.stderr)
        raise


def run_dataset(args: argparse.Namespace) -> int:
    client = None
    if args.scheduler is not None:
        from distributed import Client

        client = Client(args.scheduler)
    try:
        r = _allocate(args, client)
    finally:
        if client is not None:
            client.close()  # our connection to the scheduler, not the cluster
    rows = r.record.outputs
    print(
        f"allocated {count(rows['participants'].rows, 'participant')} "
        f"({count(rows['rejected'].rows, 'rejected row')}), "
        f"{count(rows['items'].rows, 'plan item')} in {count(r.partitions, 'partition')}, "
        f"policy {args.policy}"
    )
    print(f"record {r.record.id}; wrote {r.path}")
    return 0
