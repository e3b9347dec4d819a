"""Allocating many participants in chunks, with a progress line per chunk.

Results are independent per participant, so a region can be allocated a chunk of participants
at a time; the tables put together equal those of one :func:`ibm_engine.allocate` call.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, replace
from typing import TextIO

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.allocation import Record, allocate
from ibm_engine.allocation._record import build_record, hash_inputs, hash_outputs
from ibm_engine.errors import InputError

__all__ = ["CHUNK_SIZE", "AllocationTables", "allocate_in_chunks"]

#: participants per chunk; inputs with more are allocated chunk by chunk
CHUNK_SIZE = 50_000


@dataclass(frozen=True)
class AllocationTables:
    """The three result tables of an allocation (what :func:`write_tables` writes) and, from
    :func:`allocate_in_chunks`, the record of the whole allocation (the same id as one
    ``allocate`` call's: same inputs, parameters and versions)."""

    items: pd.DataFrame
    participants: pd.DataFrame
    rejected: pd.DataFrame
    record: Record | None = None


def _chunks(
    participants: pd.DataFrame, plan_items: pd.DataFrame, size: int
) -> list[tuple[IntArray, IntArray]]:
    """Row positions of the participants and plan items of each chunk.

    A participant goes to the chunk of the first row with its id, so every copy of a
    duplicated id is in one chunk; a plan item goes with its participant (an item of an unknown
    participant goes to the first chunk, where it is reported as in one call).
    """
    n = len(participants)
    codes, uniques = pd.factorize(participants["participant_id"].astype("str"))
    first = np.full(max(len(uniques), 1), n, dtype=np.int64)
    seen, at = np.unique(codes, return_index=True)
    first[seen[seen >= 0]] = at[seen >= 0]
    p_chunk = np.where(codes >= 0, first[np.maximum(codes, 0)], np.arange(n)) // size
    ic = pd.Index(uniques).get_indexer(plan_items["participant_id"].astype("str"))
    i_chunk = np.where(ic >= 0, first[np.maximum(ic, 0)] // size, 0)
    out = []
    for k in range(int(p_chunk.max()) + 1):
        p_rows = np.flatnonzero(p_chunk == k)
        if len(p_rows):
            out.append((p_rows, np.flatnonzero(i_chunk == k)))
    return out


def _concat(frames: list[pd.DataFrame], marker: str | None = None) -> pd.DataFrame:
    """Chunk tables put together; with ``marker``, in the order of that column (then dropped)."""
    df = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    if marker is None:
        return df
    order = np.argsort(df[marker].to_numpy(), kind="stable")
    return df.iloc[order].drop(columns=marker).reset_index(drop=True)


def _marker(df: pd.DataFrame) -> str:
    """A column name ``df`` does not have, to carry the input row positions through."""
    name = "__ibm_engine_row__"
    while name in df.columns:
        name += "_"
    return name


def allocate_in_chunks(
    participants: pd.DataFrame,
    plan_items: pd.DataFrame,
    services: pd.DataFrame,
    *,
    policy: str = "optimal",
    period_weeks: int = 26,
    team_share: float = 0.5,
    errors: str = "raise",
    workers: int = 1,
    chunk_size: int = CHUNK_SIZE,
    progress: TextIO | None = None,
    label: str = "",
) -> AllocationTables:
    """:func:`ibm_engine.allocate` a chunk of ``chunk_size`` participants at a time.

    Each chunk holds whole participants (every copy of a duplicated id, with all their plan
    items), so the tables equal those of one call: ``items`` and ``participants`` in input
    order, ``rejected`` with the same rows (grouped by chunk). When a chunk has input
    problems, the whole input goes to one call, so the error lists every problem with its
    true row number. Warnings are repeated once, not once per chunk.

    Parameters
    ----------
    participants, plan_items, services : pandas.DataFrame
        The contract tables.
    policy, period_weeks, team_share, errors, workers
        As in :func:`ibm_engine.allocate`.
    chunk_size : int
        Participants per chunk; with no more participants than this, one call.
    progress : file, optional
        Where to print ``allocated 150,000 / 1,000,000 participants (12.3 s)`` after each
        chunk (nothing is printed for a single call).
    label : str
        Prefix of the progress lines, e.g. ``"optimal: "``.

    Returns
    -------
    AllocationTables

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> from ibm_engine.data import synthetic_zemgale
    >>> p, i, s = synthetic_zemgale(1, n_grt=5, n_ft=4, n_bsac=3)
    >>> t = allocate_in_chunks(p, i, s, chunk_size=5)
    >>> one = ibm.allocate(p, i, s)
    >>> t.items.equals(one.items), t.participants.equals(one.participants)
    (True, True)
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")

    def run(people: pd.DataFrame, items: pd.DataFrame) -> AllocationTables:
        r = allocate(
            people, items, services, policy, period_weeks, team_share, errors, workers=workers
        )
        return AllocationTables(r.items, r.participants, r.rejected, r.record)

    n = len(participants)
    if (
        n <= chunk_size
        or "participant_id" not in participants.columns
        or "participant_id" not in plan_items.columns
    ):
        return run(participants, plan_items)
    pm, im = _marker(participants), _marker(plan_items)
    people = participants.assign(**{pm: np.arange(n)})
    items = plan_items.assign(**{im: np.arange(len(plan_items))})
    start, done, parts = time.perf_counter(), 0, []
    caught: list[warnings.WarningMessage] = []
    for p_rows, i_rows in _chunks(participants, plan_items, chunk_size):
        try:
            with warnings.catch_warnings(record=True) as got:
                warnings.simplefilter("always")
                parts.append(run(people.iloc[p_rows], items.iloc[i_rows]))
        except InputError:
            return run(participants, plan_items)
        caught += got
        done += len(p_rows)
        if progress is not None:
            elapsed = time.perf_counter() - start
            noun = "participant" if n == 1 else "participants"
            line = f"{label}allocated {done:,} / {n:,} {noun} ({elapsed:.1f} s)"
            print(line, file=progress, flush=True)
    for message in {(w.category, str(w.message)): w.message for w in caught}.values():
        warnings.warn(message, stacklevel=2)
    whole = AllocationTables(
        _concat([t.items for t in parts], im),
        _concat([t.participants for t in parts], pm),
        _concat([t.rejected for t in parts]),
    )
    recs = [t.record for t in parts if t.record is not None]
    record = build_record(
        "allocate",
        recs[0].parameters,
        hash_inputs(participants=participants, plan_items=plan_items, services=services),
        hash_outputs(items=whole.items, participants=whole.participants, rejected=whole.rejected),
        services=services,
        limit_hit=any(r.limit_hit for r in recs),
    )
    # the chunks as one allocation: the whole tables' hashes (of row multisets, so the
    # chunks' order does not matter), the chunks' parameters, a limit hit where any chunk's
    return replace(whole, record=record)
