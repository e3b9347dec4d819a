"""The tolerances module: the contract's numbers, and every old name is the same object."""

from __future__ import annotations

import math

from ibm_engine import _tolerances as tol


def test_the_contract_numbers() -> None:
    assert tol.CAP_UNITS_TOL == 1e-9  # F(x) = floor(x + 1e-9)
    assert tol.HOURS_TOL == 1e-9  # sum h u <= H + 1e-9
    assert tol.VALUE_TOL == 1e-9  # optimal values compared with 1e-9
    assert tol.WEIGHT_TIE_TOL == 1e-12  # weights within 1e-12 are equal
    assert tol.CENT_TOL_EUR == 1e-6  # within 1e-6 EUR of a whole cent
    assert tol.INT_TOL == 0.0  # 2.5 is not an int


def test_derived_numbers_agree() -> None:
    assert math.isclose(tol.CENT_TOL_CENTS, tol.CENT_TOL_EUR * 100, rel_tol=1e-12)
    assert tol.CENT_NOISE_CENTS == 10.0**-tol.ROUND_NOISE_DECIMALS
    assert tol.HIGHS_FEASIBILITY_TOL / tol.MILP_HOURS_ROW_SCALE <= tol.HOURS_TOL / 100
    assert tol.FLOAT_SUM_REL_ERR == 2.0**-52


def test_old_names_are_the_same_numbers() -> None:
    from ibm_engine.domain._result import VALUE_TOLERANCE
    from ibm_engine.domain._service import CENT_TOLERANCE_EUR
    from ibm_engine.metrics._winners import TOLERANCE
    from ibm_engine.priorities import WEIGHT_TIE
    from ibm_engine.region._capacity_result import PROVEN_GAP
    from ibm_engine.solve import HOURS_TOL, VALUE_TOL
    from ibm_engine.tables import CAP_TOL

    assert (HOURS_TOL, VALUE_TOL, CAP_TOL) == (tol.HOURS_TOL, tol.VALUE_TOL, tol.CAP_UNITS_TOL)
    assert (WEIGHT_TIE, VALUE_TOLERANCE, TOLERANCE) == (
        tol.WEIGHT_TIE_TOL,
        tol.VALUE_TOL,
        tol.VALUE_TOL,
    )
    assert (CENT_TOLERANCE_EUR, PROVEN_GAP) == (tol.CENT_TOL_EUR, tol.PROVEN_GAP)


def test_the_hours_tolerance_is_in_hours() -> None:
    """``floor((H + tol - used) / h)`` units, not ``floor((H - used) / h + tol)``."""
    H, h = 0.9230769228 * 26, 8.0
    assert math.floor((H + tol.HOURS_TOL) / h) == 2
    assert math.floor(H / h + tol.HOURS_TOL) == 3  # the bug of issue 9
