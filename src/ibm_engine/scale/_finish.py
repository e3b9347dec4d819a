"""The end of a run on the client: every partition's problems as one error, or the record of
the whole from the partitions' hashes (which add up); the manifest of a written result."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ibm_engine.allocation import Record
from ibm_engine.allocation._record import build_record, hash_inputs
from ibm_engine.errors import InputError
from ibm_engine.scale._layout import LAYOUT, MANIFEST
from ibm_engine.scale._partition import RESULT_TABLES, PartitionSummary
from ibm_engine.tables._hash import TableHash

__all__ = ["MESSAGE_PROBLEMS", "collect", "problems_file", "problems_of", "write_manifest"]

_KEY = ["table", "row", "participant_id", "column", "reason"]
#: problems an InputError's message lists (the rest are in ``problems``, and in a file)
MESSAGE_PROBLEMS = 50


def problems_of(summaries: Sequence[PartitionSummary]) -> pd.DataFrame:
    """Every partition's problems, in partition order. A problem every partition reports
    alike (a missing column, a catalogue row) is kept once; problems of rows are kept as
    they are (two copies of a duplicated id are two problems, as in one call)."""
    frames = [s.problems for s in summaries if s.problems is not None and len(s.problems)]
    if not frames:
        return pd.DataFrame(columns=_KEY)
    df = pd.concat(frames, ignore_index=True)
    rowless = df["participant_id"].isna() & ~df["row"].map(lambda r: isinstance(r, int))
    shared = df["table"].eq("services") | rowless
    once = df[shared].astype(str).duplicated(subset=_KEY)
    return df[~(shared & once.reindex(df.index, fill_value=False))].reset_index(drop=True)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    clean = df.astype(object).where(df.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in clean.to_dict(orient="records")]


def _total(parts: Sequence[TableHash]) -> TableHash:
    total = parts[0]
    for h in parts[1:]:
        total = total + h
    return total


def problems_file(output: Path) -> Path:
    """Where the problems of a run that raised are written: beside ``output``, not in it."""
    return output.parent / f"{output.name}.problems.parquet"


def collect(
    summaries: Sequence[PartitionSummary],
    parameters: Mapping[str, Any],
    services: object,
    errors: str,
    output: Path | None = None,
) -> Record:
    """Raise one InputError with every partition's problems, or build the run's record.

    With ``output`` and more problems than the message lists, they are also written to
    :func:`problems_file` (the error's note says where).

    The record is built as one ``ibm.allocate`` call builds it: the parameters of that call,
    the input and output hashes as the sums of the partitions' (the hash of a table is the
    sum of its rows' digests), the catalogue's hash; so its id is the same.
    """
    problems = problems_of(summaries)
    if len(problems):
        err = InputError(_records(problems))
        if output is not None and len(problems) > MESSAGE_PROBLEMS:
            path = problems_file(output)
            err.problems.astype({"row": "string", "source_row": "string"}).to_parquet(
                path, index=False
            )
            err.add_note(f"all {len(problems):,} problems are also in {path}")
        raise err
    inputs = {
        name: _total([s.inputs[name] for s in summaries]) for name in ("participants", "plan_items")
    }
    inputs.update(hash_inputs(services=services))
    outputs = {name: _total([s.outputs[name] for s in summaries]) for name in RESULT_TABLES}
    return build_record(
        "allocate",
        parameters,
        inputs,
        outputs,
        services=services,
        limit_hit=any(s.limit_hit for s in summaries),
    )


def write_manifest(
    folder: Path, record: Record, partitions: int, summaries: Sequence[PartitionSummary]
) -> None:
    """``record.json`` and the manifest (layout, partitions, rows per table) of a result."""
    (folder / "record.json").write_text(record.to_json() + "\n", encoding="utf-8")
    rows = {t: sum(s.rows.get(t, 0) for s in summaries) for t in RESULT_TABLES}
    text = json.dumps(
        {"layout": LAYOUT, "partitions": partitions, "kind": "result", "rows": rows,
         "record_id": record.id},
        indent=2,
    )  # fmt: skip
    (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")
