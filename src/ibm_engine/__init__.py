"""ibm_engine: individual budgets for community-based social services."""

from __future__ import annotations

import logging

from ibm_engine.allocation import REASONS, AllocationResult, allocate, allocate_plan
from ibm_engine.errors import (
    IbmEngineError,
    IbmEngineWarning,
    InputError,
    SolverError,
    SolverWarning,
    UnknownMunicipalityWarning,
)

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "REASONS",
    "AllocationResult",
    "IbmEngineError",
    "IbmEngineWarning",
    "InputError",
    "SolverError",
    "SolverWarning",
    "UnknownMunicipalityWarning",
    "__version__",
    "allocate",
    "allocate_plan",
]
