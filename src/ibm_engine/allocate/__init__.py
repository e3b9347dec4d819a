"""The frame and object APIs: validate -> budget -> weights -> solve -> result tables."""

from ibm_engine.allocate._allocate import POLICIES, allocate
from ibm_engine.allocate._result import AllocationResult
from ibm_engine.allocate._single import allocate_plan
from ibm_engine.allocate._tables import REASONS

__all__ = ["POLICIES", "REASONS", "AllocationResult", "allocate", "allocate_plan"]
