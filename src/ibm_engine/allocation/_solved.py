"""The solved state behind an allocation: what explanations and what-ifs work from.

Built once by the one pipeline (:func:`ibm_engine.allocation._pipeline.stage`: validated tables
and canonical arrays with weights) and the solve (the solution per participant). A result keeps
it out of sight; its public face is the tables, the record and ``result.participant(pid)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ibm_engine.allocation._problem import Assembled
    from ibm_engine.solve import BatchSolution
    from ibm_engine.tables import Prepared

__all__ = ["Solved"]


@dataclass(frozen=True, eq=False)
class Solved:
    """Validated tables (``prep``), canonical arrays with weights in joint-list order
    (``asm``), the solution (``sol``) and the policy that made it."""

    prep: Prepared
    asm: Assembled
    sol: BatchSolution
    policy: str
