"""Participant ids that differ only by surrounding spaces.

Ids are compared exactly, never stripped ("P1" and "P1 " are two spellings, and nothing is
changed on the caller's behalf), but such a pair is almost always one person typed twice or a
cell with a stray space, so it is reported: two participants whose ids differ only by
surrounding spaces are each a problem naming the other (like a duplicated id, every copy is
rejected), and a plan item whose id is not in the participants table says which participant it
would name without the spaces. Both run on distinct ids only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray
from ibm_engine.tables._convert import Codes
from ibm_engine.tables._hints import twins
from ibm_engine.tables._problems import ProblemLog

__all__ = ["check_id_spaces", "report_orphans"]

_SPACES = "differs from {other!r} only by surrounding spaces"


def check_id_spaces(pid: Codes, spaced: BoolArray, log: ProblemLog) -> None:
    """A problem on every participant whose id equals another's after ``str.strip()``.

    ``spaced`` marks the distinct ids (``pid.texts``) with surrounding spaces, found while
    the column was read; without any, nothing more is looked at.
    """
    texts = pid.texts
    if texts.shape[0] < 2 or not spaced.any():
        return
    group, count = twins(texts, strip_only=True)
    for t in np.flatnonzero(count > 1).tolist():
        others = [texts[o] for o in np.flatnonzero(group == group[t]).tolist() if o != t]
        reason = (
            f"participant_id {texts[t]!r} "
            + " and ".join(_SPACES.format(other=o) for o in others)
            + ": ids must be unique"
        )
        log.add_rows("participants", "participant_id", pid.codes == t, reason, pid)


def report_orphans(
    item_pid: Codes, orphan: BoolArray, part_ids: np.ndarray, log: ProblemLog
) -> None:
    """Record the plan items whose participant_id is not in the participants table (fatal);
    where the id names a participant once surrounding spaces are stripped, the reason says so."""
    if not orphan.any():  # every plan line names a participant: nothing to look at
        return
    reason = "participant_id is not in the participants table"
    hint = np.full(item_pid.texts.shape[0], None, dtype=object)
    if part_ids.shape[0]:
        used = np.unique(item_pid.codes[orphan])
        stripped = pd.Series(part_ids, dtype=object).str.strip()
        by_strip = pd.Series(part_ids, index=stripped.to_numpy(dtype=object), dtype=object)
        by_strip = by_strip[~by_strip.index.duplicated()]
        mine = pd.Series(item_pid.texts[used], dtype=object).str.strip()
        hint[used] = by_strip.reindex(mine.to_numpy(dtype=object)).to_numpy(dtype=object)
    has_hint = pd.notna(hint)
    codes = np.maximum(item_pid.codes, 0)
    hinted = orphan & (has_hint[codes] if has_hint.shape[0] else orphan)
    log.add_rows(
        "plan_items",
        "participant_id",
        orphan & ~hinted,
        reason,
        None,
        detail=item_pid,
        attributable=False,
        with_row=True,
    )
    for u in np.flatnonzero(has_hint).tolist():
        log.add_rows(
            "plan_items",
            "participant_id",
            hinted & (item_pid.codes == u),
            f"{reason}; it {_SPACES.format(other=hint[u])}",
            None,
            detail=item_pid,
            attributable=False,
            with_row=True,
        )
