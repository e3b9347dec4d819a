"""Carry-over rules: what happens to the money a plan period leaves unspent.

A rule is a small frozen object, checked when it is made. :func:`carry_cents` applies it to
all participants of one period at once, in integer cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np

from ibm_engine._typing import IntArray
from ibm_engine.errors import InputError

__all__ = ["CARRY_OVER_KINDS", "CarryOver", "carry_cents", "plan_years"]

#: the kinds of carry-over rule
CARRY_OVER_KINDS = ("none", "plan_year", "capped")

_SHARE_DECIMALS = 6


def _problem(column: str, reason: str) -> InputError:
    return InputError.single("carry_over", column, reason)


def _cents(value: object, column: str) -> int:
    """A non-negative amount in EUR with whole cents, as int cents (exact)."""
    if isinstance(value, bool) or not isinstance(
        value, int | float | np.integer | np.floating | Decimal | str
    ):
        raise _problem(column, f"must be an amount in EUR >= 0 (got {value!r})")
    try:
        exact = Decimal(str(value))
    except InvalidOperation:
        raise _problem(column, f"must be an amount in EUR >= 0 (got {value!r})") from None
    if not exact.is_finite() or exact < 0 or (exact * 100) % 1 != 0:
        raise _problem(column, f"must be an amount in EUR >= 0 in whole cents (got {value!r})")
    return int(exact * 100)


def _share(value: object) -> tuple[int, int]:
    """A share in [0, 1] with at most 6 decimals, as an exact fraction (numerator, 10**6)."""
    reason = f"must be a share in [0, 1] with at most {_SHARE_DECIMALS} decimals (got {value!r})"
    if isinstance(value, bool) or not isinstance(
        value, int | float | np.integer | np.floating | Decimal | str
    ):
        raise _problem("cap_share", reason)
    try:
        exact = Decimal(str(value))
    except InvalidOperation:
        raise _problem("cap_share", reason) from None
    scaled = exact * 10**_SHARE_DECIMALS
    if not exact.is_finite() or not 0 <= exact <= 1 or scaled % 1 != 0:
        raise _problem("cap_share", reason)
    return int(scaled), 10**_SHARE_DECIMALS


@dataclass(frozen=True)
class CarryOver:
    """What happens to a period's unspent money.

    Make one with :meth:`none`, :meth:`plan_year` or :meth:`capped` (the fields are
    checked, and a bad value raises :class:`~ibm_engine.errors.InputError` naming the field).

    Attributes
    ----------
    kind : {"none", "plan_year", "capped"}
        ``none``: unspent money is forfeited. ``plan_year``: all of it moves to the
        participant's next period if that period starts in the same plan year, else it is
        forfeited. ``capped``: at most the cap moves to the next period, the rest is forfeited.
    cap_eur : Decimal or None
        ``capped``: at most this many EUR move on (whole cents).
    cap_share : Decimal or None
        ``capped``: at most this share of the period's own budget moves on (rounded down to the
        cent). With both caps, the smaller one applies.
    within_plan_year : bool
        ``capped`` only: also stop at a plan-year end (``plan_year`` always does).
    year_start_month : int
        Month (1..12) a plan year starts in; a period belongs to the plan year its start date
        falls in (the child pilot's plan year started in September: 9).
    forfeit_own_choice : bool
        With delivered spend: the underspend of the participant's own pauses (reason
        ``participant_choice``, the only one held against the participant) is forfeited, not
        carried over; underspend from a closure or a provider shortage still carries over.

    Examples
    --------
    >>> CarryOver.capped(share=0.1)
    CarryOver.capped(share=0.1)
    >>> CarryOver.plan_year(year_start_month=9)
    CarryOver.plan_year(year_start_month=9)
    >>> CarryOver.capped()
    Traceback (most recent call last):
    ...
    ibm_engine.errors.InputError: 1 input problem:
      carry_over, column cap_eur: a capped rule needs cap_eur or cap_share
    """

    kind: str = "none"
    cap_eur: Decimal | None = None
    cap_share: Decimal | None = None
    within_plan_year: bool = False
    year_start_month: int = 1
    forfeit_own_choice: bool = False

    def __post_init__(self) -> None:
        if self.kind not in CARRY_OVER_KINDS:
            raise _problem("kind", f"must be one of {', '.join(CARRY_OVER_KINDS)}")
        if self.cap_eur is not None:
            object.__setattr__(self, "cap_eur", Decimal(_cents(self.cap_eur, "cap_eur")) / 100)
        if self.cap_share is not None:
            num, den = _share(self.cap_share)
            object.__setattr__(self, "cap_share", Decimal(num) / den)
        capped = self.cap_eur is not None or self.cap_share is not None
        if self.kind == "capped" and not capped:
            raise _problem("cap_eur", "a capped rule needs cap_eur or cap_share")
        if self.kind != "capped" and capped:
            raise _problem("cap_eur", f"a {self.kind} rule takes no cap")
        if not isinstance(self.within_plan_year, bool):
            raise _problem("within_plan_year", "must be True or False")
        if self.kind == "plan_year":
            object.__setattr__(self, "within_plan_year", True)
        if self.kind == "none" and self.within_plan_year:
            raise _problem("within_plan_year", "a none rule carries nothing")
        if not isinstance(self.forfeit_own_choice, bool):
            raise _problem("forfeit_own_choice", "must be True or False")
        if self.kind == "none" and self.forfeit_own_choice:
            raise _problem("forfeit_own_choice", "a none rule carries nothing")
        m = self.year_start_month
        if isinstance(m, bool) or not isinstance(m, int | np.integer) or not 1 <= m <= 12:
            raise _problem("year_start_month", f"must be an integer month 1..12 (got {m!r})")
        object.__setattr__(self, "year_start_month", int(m))

    @classmethod
    def none(cls) -> CarryOver:
        """Unspent money is forfeited at the end of every period."""
        return cls("none")

    @classmethod
    def plan_year(cls, year_start_month: int = 1, *, forfeit_own_choice: bool = False) -> CarryOver:
        """Unspent money moves to the next period of the same plan year, never across its end."""
        return cls(
            "plan_year", year_start_month=year_start_month, forfeit_own_choice=forfeit_own_choice
        )

    @classmethod
    def capped(
        cls,
        eur: object = None,
        share: object = None,
        *,
        within_plan_year: bool = False,
        year_start_month: int = 1,
        forfeit_own_choice: bool = False,
    ) -> CarryOver:
        """At most ``eur`` EUR and at most ``share`` of the period's budget move on."""
        return cls(
            "capped",
            cap_eur=eur,  # type: ignore[arg-type]  # checked and converted in __post_init__
            cap_share=share,  # type: ignore[arg-type]  # checked and converted in __post_init__
            within_plan_year=within_plan_year,
            year_start_month=year_start_month,
            forfeit_own_choice=forfeit_own_choice,
        )

    def __repr__(self) -> str:
        if self.kind == "none":
            return "CarryOver.none()"
        own = ", forfeit_own_choice=True" if self.forfeit_own_choice else ""
        if self.kind == "plan_year":
            return f"CarryOver.plan_year(year_start_month={self.year_start_month}{own})"
        args = []
        if self.cap_eur is not None:
            args.append(f"eur={self.cap_eur}")
        if self.cap_share is not None:
            args.append(f"share={self.cap_share.normalize()}")
        if self.within_plan_year:
            args.append("within_plan_year=True")
        if self.year_start_month != 1:
            args.append(f"year_start_month={self.year_start_month}")
        return f"CarryOver.capped({', '.join(args)}{own})"

    def cap_cents(self, budget_cents: IntArray) -> IntArray:
        """Most cents each period may carry out (``budget_cents``: the periods' own budgets).

        Examples
        --------
        >>> CarryOver.capped(eur=50, share=0.1).cap_cents(np.array([0, 30_000, 99_999])).tolist()
        [0, 3000, 5000]
        """
        budget = np.asarray(budget_cents, dtype=np.int64)
        big = np.iinfo(np.int64).max
        cap = np.full(budget.shape, big if self.kind != "none" else 0, dtype=np.int64)
        if self.cap_eur is not None:
            cap = np.minimum(cap, int(self.cap_eur * 100))
        if self.cap_share is not None:
            num = int(self.cap_share * 10**_SHARE_DECIMALS)
            cap = np.minimum(cap, budget * num // 10**_SHARE_DECIMALS)
        return cap


def plan_years(start: np.ndarray, year_start_month: int) -> IntArray:
    """The plan year of each date: the calendar year in which its plan year began.

    Examples
    --------
    >>> d = np.array(["2018-09-01", "2019-02-28", "2019-03-01", "2019-09-01"], "datetime64[D]")
    >>> plan_years(d, 9).tolist(), plan_years(d, 1).tolist()
    ([2018, 2018, 2018, 2019], [2018, 2019, 2019, 2019])
    """
    months = np.asarray(start, dtype="datetime64[M]").astype(np.int64)  # months since 1970-01
    out: IntArray = (months - (year_start_month - 1)) // 12 + 1970
    return out


def carry_cents(
    rule: CarryOver,
    unspent: IntArray,
    budget: IntArray,
    same_year: np.ndarray,
    own_choice: IntArray | None = None,
) -> IntArray:
    """Cents each period carries out to the participant's next period.

    ``unspent`` and ``budget`` are int64 cents per period; ``same_year`` says whether the next
    period starts in the same plan year (False after a year end); ``own_choice`` the part of
    the unspent money left by the participant's own pauses (not carried with
    ``forfeit_own_choice``).

    Examples
    --------
    >>> u, b = np.array([500, 500, 500]), np.array([1000, 1000, 4000])
    >>> same = np.array([True, False, True])
    >>> carry_cents(CarryOver.plan_year(), u, b, same).tolist()
    [500, 0, 500]
    >>> carry_cents(CarryOver.capped(share=0.25), u, b, same).tolist()
    [250, 250, 500]
    """
    movable = np.asarray(unspent, dtype=np.int64)
    if rule.forfeit_own_choice and own_choice is not None:
        movable = movable - np.asarray(own_choice, dtype=np.int64)
    out = np.minimum(movable, rule.cap_cents(budget))
    if rule.within_plan_year:
        out = np.where(np.asarray(same_year, dtype=bool), out, 0)
    result: IntArray = np.maximum(out, 0)
    return result
