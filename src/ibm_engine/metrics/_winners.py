"""Winners and losers: each participant's coverage and spend against a baseline result."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from ibm_engine._tolerances import VALUE_TOL
from ibm_engine._typing import ResultTables
from ibm_engine.metrics._frames import participant_frame

__all__ = ["OUTCOMES", "TOLERANCE", "winners_losers"]

#: outcome categories of a participant against the baseline
OUTCOMES: Final[tuple[str, ...]] = ("winner", "loser", "unchanged")

#: coverage changes within this are "unchanged" (float sums of the values)
TOLERANCE: Final = VALUE_TOL


def winners_losers(result: ResultTables, baseline: ResultTables) -> pd.DataFrame:
    """Every participant present in both results, with coverage and spend in each.

    A participant *wins* when their coverage (``value / max_value``) rises by more than
    :data:`TOLERANCE`, *loses* when it falls by more, else is ``unchanged``. Participants
    with nothing fundable in either result (``max_value == 0``) count as coverage 0 there.
    Participants in only one of the results are left out (they are neither).

    Returns
    -------
    DataFrame
        ``participant_id``, ``municipality``, ``target_group``, ``age_band`` (of ``result``),
        ``coverage``, ``baseline_coverage``, ``coverage_delta``, ``spent_eur``,
        ``baseline_spent_eur``, ``spent_delta_eur`` (exact cents) and ``outcome``.

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> people, plan, services = ibm.synthetic_zemgale(3, n_grt=4, n_ft=3, n_bsac=2)
    >>> opt = ibm.allocate(people, plan, services)
    >>> pri = ibm.allocate(people, plan, services, policy="priority")
    >>> w = winners_losers(opt, pri)
    >>> bool((w.coverage_delta >= -1e-9).all())  # the optimum never covers less
    True
    >>> int((w.outcome == "loser").sum())
    0
    """
    a = participant_frame(result)
    b = participant_frame(baseline).set_index("participant_id")
    pos = b.index.get_indexer(pd.Index(a["participant_id"]))
    a = a.loc[pos >= 0].reset_index(drop=True)
    pos = pos[pos >= 0]
    cov = np.nan_to_num(a["coverage"].to_numpy(np.float64))
    base = np.nan_to_num(b["coverage"].to_numpy(np.float64)[pos])
    delta = cov - base
    spent = a["spent_c"].to_numpy(np.int64)
    spent_b = b["spent_c"].to_numpy(np.int64)[pos]
    code = np.where(delta > TOLERANCE, 0, np.where(delta < -TOLERANCE, 1, 2))
    return pd.DataFrame(
        {
            "participant_id": a["participant_id"],
            "municipality": a["municipality"],
            "target_group": a["target_group"],
            "age_band": a["age_band"],
            "coverage": cov,
            "baseline_coverage": base,
            "coverage_delta": delta,
            "spent_eur": spent / 100.0,
            "baseline_spent_eur": spent_b / 100.0,
            "spent_delta_eur": (spent - spent_b) / 100.0,
            "outcome": pd.Categorical.from_codes(code, categories=list(OUTCOMES)),  # type: ignore[call-overload]  # stubs reject ndarray codes
        }
    )
