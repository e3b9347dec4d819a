"""Rank merges -> value weights (no solving)."""

from ibm_engine.priorities._borda import WEIGHT_TIE, borda_weights, joint_order, rank_points

__all__ = ["WEIGHT_TIE", "borda_weights", "joint_order", "rank_points"]
