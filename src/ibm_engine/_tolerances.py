"""Every numerical tolerance of ibm_engine, each defined once with its meaning and unit.

Other modules import these names; a bare ``1e-9`` in the code base is a tolerance that belongs
here (``tests/unit/test_architecture.py`` keeps it so). Numbers follow the contract
(``../shared/spec/CONTRACT.md``) where it fixes them.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CAP_UNITS_TOL",
    "CENT_TOL_EUR",
    "HOURS_TOL",
    "VALUE_TOL",
    "WEIGHT_TIE_TOL",
]

#: units: a cap ``max_units_per_week * T`` becomes ``F(x) = floor(x + CAP_UNITS_TOL)`` whole
#: units (contract), so 9.999999999 sessions allowed by a rounded rate still count as 10
CAP_UNITS_TOL: Final = 1e-9

#: hours: the family-hours constraint is ``sum h u <= H + HOURS_TOL`` (contract); the tolerance
#: is in hours, never in units: ``floor((H + HOURS_TOL - used) / h)`` units fit, not
#: ``floor((H - used) / h + HOURS_TOL)``
HOURS_TOL: Final = 1e-9

#: value (share of the recommended list, 0..1 per weight): optimal values are equal when within
#: this absolute tolerance (contract); ties between optima are those within it
VALUE_TOL: Final = 1e-9

#: weight: weights within this of each other count as equal in the joint-list order (contract)
WEIGHT_TIE_TOL: Final = 1e-12

#: EUR: a money value is whole cents when within this of a whole number of cents (contract)
CENT_TOL_EUR: Final = 1e-6
