"""The optimisation core: numpy arrays in (int64 cents), arrays out; no pandas, no pydantic."""

from ibm_engine._tolerances import HOURS_TOL, VALUE_TOL
from ibm_engine.solve._batch import Batch, BatchSolution
from ibm_engine.solve._bound import Multipliers, multipliers
from ibm_engine.solve._optimal import solve_optimal, solve_priority
from ibm_engine.solve._parallel import Solver, ThreadedSolver, in_threads, solve_in_threads
from ibm_engine.solve._search import needs_compiling

__all__ = [
    "HOURS_TOL",
    "VALUE_TOL",
    "Batch",
    "BatchSolution",
    "Multipliers",
    "Solver",
    "ThreadedSolver",
    "in_threads",
    "multipliers",
    "needs_compiling",
    "solve_in_threads",
    "solve_optimal",
    "solve_priority",
]
