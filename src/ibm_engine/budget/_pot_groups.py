"""Groups of a programme pot: which participants are protected, and which have a sub-pot.

A group is a value of one participants column (``target_group``, ``municipality``, a boolean
column such as ``priority_case``, any text or number column; or ``age_band``, derived from
``age`` when the table has no such column), compared as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ibm_engine._tolerances import NOISE_TOL
from ibm_engine.budget._fit_stats import age_bands
from ibm_engine.budget._params import ParameterCheck, finite
from ibm_engine.errors import InputError
from ibm_engine.tables import Prepared

__all__ = ["AGE_BAND", "AGE_BAND_EDGES", "PotGroups", "group_labels", "group_problems"]

#: the derived group column of age bands, and where its bands start
AGE_BAND = "age_band"
AGE_BAND_EDGES = (0, 5, 18, 65)


def _key(group: object) -> str:
    return str(group)


@dataclass(frozen=True)
class PotGroups:
    """Groups of participants that a programme pot treats apart.

    Parameters
    ----------
    column : str
        The participants column whose values are the groups (compared as text: a boolean
        column's groups are ``"True"`` and ``"False"``). ``"age_band"`` without such a column
        means the bands ``0-4``, ``5-17``, ``18-64`` and ``65+`` of ``age``.
    protect : mapping of group to share in [0, 1]
        These groups keep ``share`` x their formula budget (rounded to the cent, halves up):
        the pot does not scale them. ``1.0`` keeps the formula budget unchanged.
    floors : mapping of group to share in [0, 1]
        These groups are scaled with the others but never below ``share`` x their formula
        budget (rounded up to the cent).
    sub_pots : mapping of group to share in [0, 1]
        These groups get ``share`` of the pot (rounded down to the cent) and are calibrated to
        it on their own; the rest of the pot goes to everyone else. Shares add up to at most 1.

    Notes
    -----
    The formula budget is the formula's budget in whole cents (what ``formula.compute`` gives
    and ``details.formula_budget_eur`` shows), and a share is the decimal it is written as:
    ``share x`` the formula budget is computed exactly, then rounded as said above (a 0.95
    share of 587.08 EUR is 557.726, kept as 557.73).

    Examples
    --------
    >>> g = PotGroups("target_group", protect={"FT": 1.0}, sub_pots={"BSAC": 0.25})
    >>> g.kept("FT"), g.kept("GRT"), g.sub_pot_share("BSAC")
    (1.0, None, 0.25)
    >>> PotGroups("target_group", protect={"FT": 1.2})
    Traceback (most recent call last):
    ...
    ibm_engine.errors.InputError: 1 input problem:
      parameters, row pot_groups, column protect[FT]: must be <= 1 (got 1.2)
    """

    column: str
    protect: Mapping[Any, float] = field(default_factory=dict)
    floors: Mapping[Any, float] = field(default_factory=dict)
    sub_pots: Mapping[Any, float] = field(default_factory=dict)

    kind: ClassVar[str] = "pot_groups"

    def __post_init__(self) -> None:
        check = ParameterCheck(self.kind)
        if not isinstance(self.column, str) or not self.column:
            check.add("column", f"must be a participants column name (got {self.column!r})")
        for name in ("protect", "floors", "sub_pots"):
            shares = getattr(self, name)
            if not isinstance(shares, Mapping):
                check.add(name, f"must be a mapping of group to share (got {shares!r})")
                continue
            for group, share in shares.items():
                if not isinstance(group, str | int | bool | np.bool_) or _key(group) == "":
                    check.add(name, f"group {group!r} must be non-empty text, a number or a bool")
                check.number(f"{name}[{_key(group)}]", share, low=0.0, high=1.0)
        if isinstance(self.protect, Mapping) and isinstance(self.floors, Mapping):
            both = sorted({_key(g) for g in self.protect} & {_key(g) for g in self.floors})
            if both:
                check.add("floors", f"groups {both} are also in protect (one rule per group)")
        if isinstance(self.sub_pots, Mapping):
            total = sum(finite(s) or 0.0 for s in self.sub_pots.values())
            if total > 1.0 + NOISE_TOL:
                check.add("sub_pots", f"shares add up to {total:g}, more than the whole pot")
        check.raise_if_any()

    def kept(self, group: str) -> float | None:
        """The share of the formula budget ``group`` keeps (None: not protected)."""
        return next((float(s) for g, s in self.protect.items() if _key(g) == group), None)

    def floor(self, group: str) -> float | None:
        """The floor share of ``group`` (None: no floor)."""
        return next((float(s) for g, s in self.floors.items() if _key(g) == group), None)

    def sub_pot_share(self, group: str) -> float | None:
        """The share of the pot for ``group`` (None: it shares the rest of the pot)."""
        return next((float(s) for g, s in self.sub_pots.items() if _key(g) == group), None)

    def named(self) -> list[str]:
        """Every group the rules name, as text (sorted, no repeats)."""
        return sorted({_key(g) for m in (self.protect, self.floors, self.sub_pots) for g in m})

    def derived(self, frame: pd.DataFrame) -> bool:
        """Whether the groups are the age bands derived from ``age``."""
        return self.column == AGE_BAND and AGE_BAND not in frame.columns


def group_problems(frame: pd.DataFrame, groups: PotGroups) -> list[dict[str, Any]]:
    """Problems of the groups' column in ``frame`` (missing column, empty cells), as records."""
    if groups.derived(frame):
        return []  # ``age`` is a contract column: its problems are reported by the contract
    if groups.column not in frame.columns:
        return [
            {
                "table": "participants",
                "row": None,
                "participant_id": None,
                "column": groups.column,
                "reason": "required column is missing (the pot's groups are read from it)",
            }
        ]
    empty = np.flatnonzero(pd.isna(frame[groups.column]).to_numpy(dtype=bool))
    has_ids = "participant_id" in frame.columns
    out = []
    for k in empty:  # only the rows with a problem
        pid = frame["participant_id"].iloc[k] if has_ids else None
        pid = None if pid is None or bool(pd.isna(pid)) else str(pid)
        out.append(
            {
                "table": "participants",
                "row": pid if pid is not None else int(k) + 1,
                "participant_id": pid,
                "column": groups.column,
                "reason": "is required (the pot's groups are read from it) but empty",
            }
        )
    return out


def group_labels(prep: Prepared, groups: PotGroups) -> np.ndarray:
    """Each accepted participant's group as text; ``InputError`` if the column is bad."""
    frame = prep.participants
    if groups.derived(frame):
        return np.asarray(age_bands(prep.age, AGE_BAND_EDGES).astype(str), dtype=object)
    problems = group_problems(frame, groups)
    if problems:
        raise InputError(problems)
    return frame[groups.column].astype(str).to_numpy(dtype=object)
