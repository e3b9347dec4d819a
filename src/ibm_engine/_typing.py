"""Shared type aliases for ibm_engine's internals."""

from __future__ import annotations

from typing import NewType

import numpy as np
import numpy.typing as npt

__all__ = ["BoolArray", "Cents", "FloatArray", "IntArray", "ParticipantId"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

Cents = NewType("Cents", int)
ParticipantId = NewType("ParticipantId", str)
