"""The frame and object APIs: validate -> budget -> weights -> solve -> result tables."""

from ibm_engine.allocation._allocate import POLICIES, allocate
from ibm_engine.allocation._result import AllocationResult
from ibm_engine.allocation._single import allocate_plan
from ibm_engine.allocation._tables import REASONS

__all__ = ["POLICIES", "REASONS", "AllocationResult", "allocate", "allocate_plan"]
