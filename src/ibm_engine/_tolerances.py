"""Every numerical tolerance of ibm_engine, each defined once with its meaning and unit.

Other modules import these names; a bare ``1e-9`` in the code base is a tolerance that belongs
here (``tests/unit/test_architecture.py`` keeps it so). Numbers follow the contract
(``../shared/spec/CONTRACT.md``) where it fixes them; the others are numerical safeguards of the
algorithms, each named for the one thing it decides.

Units: *units* are service units (sessions, hours, days, ...), *hours* family hours, *value*
the objective ``sum w u / r`` (0..1 per participant), *share* a fraction of a participant's
best value, *EUR* / *cents* money; *relative* tolerances are multiplied by a magnitude.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CAPACITY_UNITS_TOL",
    "CAP_UNITS_TOL",
    "CENT_NOISE_CENTS",
    "CENT_TOL_CENTS",
    "CENT_TOL_EUR",
    "DISPLAY_SHARE_TOL",
    "DISPLAY_WHOLE_TOL",
    "DIVISOR_FLOOR",
    "FLOAT_SUM_REL_ERR",
    "HIGHS_FEASIBILITY_TOL",
    "HOURS_TOL",
    "INT_TOL",
    "KEMENY_COST_REL_TOL",
    "LP_HOURS_BINDING_TOL",
    "LP_WEIGHT_TOL",
    "MILP_HOURS_ROW_SCALE",
    "MILP_REL_GAP",
    "NOISE_TOL",
    "PROVEN_GAP",
    "RC_REL_TOL",
    "ROUND_NOISE_DECIMALS",
    "SEARCH_HOURS_SLACK",
    "SEARCH_VALUE_REL_TOL",
    "SHARE_FLOOR_REL_SLACK",
    "SHARE_TOL",
    "STEP_MIN_LAGRANGE",
    "STEP_MIN_NEIGHBOURS",
    "SUBGRADIENT_GAP_REL_FLOOR",
    "TIE_TILT_REL",
    "VALUE_TOL",
    "WEIGHT_TIE_TOL",
]

# --------------------------------------------------------------------------- the contract's

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

#: cents: :data:`CENT_TOL_EUR` in cents (``|100 x - round(100 x)| <= CENT_TOL_CENTS``)
CENT_TOL_CENTS: Final = 1e-4

#: units: an "int" column's float must be a whole number exactly (contract: ``3.0`` is
#: accepted, ``2.5`` is not; no tolerance)
INT_TOL: Final = 0.0

# --------------------------------------------------------------------------- money arithmetic

#: decimals of a cent: float noise below ``10**-ROUND_NOISE_DECIMALS`` cent is rounded away
#: before rounding to whole cents
ROUND_NOISE_DECIMALS: Final = 6

#: cents: float noise in a computed amount of cents, ``10**-ROUND_NOISE_DECIMALS`` (a total of
#: 41999.9999999 cents still floors to 42000)
CENT_NOISE_CENTS: Final = 1e-6

# --------------------------------------------------------------------------- float arithmetic

#: relative: bound on the rounding error of a float64 sum, per term (machine epsilon); a sum of
#: ``n`` terms is within ``n * FLOAT_SUM_REL_ERR * sum|x|`` of the exact sum
FLOAT_SUM_REL_ERR: Final = 2.0**-52

#: value / share / bound (0..1 scale): float noise; an improvement must exceed it, and values,
#: shares or gaps closer than it decide nothing
NOISE_TOL: Final = 1e-12

#: any: the smallest magnitude used as a divisor or scale (``x / max(y, DIVISOR_FLOOR)``
#: stays finite where ``y`` is 0)
DIVISOR_FLOOR: Final = 1e-300

# --------------------------------------------------------------------------- the solver (solve/)

#: hours: the LP relaxation uses more than ``H + LP_HOURS_BINDING_TOL`` hours: the hours
#: constraint binds and its multiplier is searched
LP_HOURS_BINDING_TOL: Final = 1e-12

#: hours: extra room the exact search gives its partial hour sums (accumulated in another order
#: than the rule's), so that pruning never cuts a feasible allocation; every leaf is then
#: checked with the hours rule itself
SEARCH_HOURS_SLACK: Final = 1e-12

#: relative (to the participant's largest possible value): float noise of the search's value
#: sums and bounds on top of :data:`VALUE_TOL`, so that an equally good allocation is never
#: pruned (passed to the compiled search as an argument, like every tolerance it uses)
SEARCH_VALUE_REL_TOL: Final = 1e-12

#: HiGHS ``mip_rel_gap``: 0, HiGHS proves the optimum (its default 1e-4 stops early)
MILP_REL_GAP: Final = 0.0

#: a constraint's own units: HiGHS's default primal feasibility tolerance (scipy does not expose
#: it), far above :data:`HOURS_TOL`; so the hours row is scaled by :data:`MILP_HOURS_ROW_SCALE`
HIGHS_FEASIBILITY_TOL: Final = 1e-7

#: 1/hours: factor of the family-hours row given to HiGHS, so that its feasibility tolerance
#: is a hundredth of :data:`HOURS_TOL` in hours (``HIGHS_FEASIBILITY_TOL / scale = 1e-11`` h)
MILP_HOURS_ROW_SCALE: Final = 1e4

# --------------------------------------------------------------------------- priorities/

#: relative (to the participant's total pairwise weight): Kemeny payments this close count as
#: equal (then the smallest ranking wins)
KEMENY_COST_REL_TOL: Final = 1e-9

# --------------------------------------------------------------------------- region/

#: share (planned x share of a month, in units): floored after this tolerance (3 x 1/3 gives 1),
#: and delivery shares this close count as equal
SHARE_TOL: Final = 1e-9

#: relative (to the best value): a region result is optimal when its proven gap is at most this
#: (the tie tilt below raises values by at most ``TIE_TILT_REL``)
PROVEN_GAP: Final = 1e-8

#: relative (to the largest participant value): reduced cost a new column must have to enter
#: the column generation master
RC_REL_TOL: Final = 1e-9

#: relative: tilt of the values towards earlier participants (deterministic ties in regions)
TIE_TILT_REL: Final = 1e-9

#: relative (to a participant's best value): slack of a kept-share floor, so that float noise in
#: the value sums never makes a floor that was met infeasible
SHARE_FLOOR_REL_SLACK: Final = 1e-9

#: LP weight of a column (0..1): within this of 1 the column is the participant's whole
#: allocation, at most this the participant's mass is zero
LP_WEIGHT_TOL: Final = 1e-7

#: units of capacity: a float count of free places is floored after this tolerance, and usage
#: may exceed a capacity by this much only through float noise
CAPACITY_UNITS_TOL: Final = 1e-9

#: relative (to ``max(|dual|, 1)``): smallest gap the subgradient step uses (never a zero step)
SUBGRADIENT_GAP_REL_FLOOR: Final = 1e-9

#: step size: the Lagrangian price search stops when its step factor falls below this
STEP_MIN_LAGRANGE: Final = 1e-6

#: step size: the neighbour-transport price search stops when its step factor falls below this
STEP_MIN_NEIGHBOURS: Final = 1e-4

# --------------------------------------------------------------------------- display

#: units or hours: a number shown to a person within this of a whole number is shown without
#: decimals ("3 sessions", not "3.00") and takes the singular when that whole number is 1
DISPLAY_WHOLE_TOL: Final = 1e-9

#: per cent points: two shares of the recommended list (value / total weight x 100) closer than
#: this are the same share (``VALUE_TOL`` in value, times 100); explanations add decimals to
#: tell two shares apart only when they differ by more
DISPLAY_SHARE_TOL: Final = 100 * VALUE_TOL
