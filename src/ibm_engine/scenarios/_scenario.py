"""A scenario: a name and changes to a baseline; applying it returns new inputs.

Following openfisca's reforms (``modify_parameters``), a scenario never touches the baseline:
:meth:`Scenario.apply` builds a new :class:`Baseline` from deep copies of its tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from ibm_engine._tolerances import CENT_TOL_CENTS
from ibm_engine.allocation import POLICIES, RankMerge
from ibm_engine.budget import PotCalibrated
from ibm_engine.errors import InputError
from ibm_engine.scenarios._baseline import Baseline
from ibm_engine.scenarios._checks import Problems, frame_copy
from ibm_engine.scenarios._pot import scale_to_pot
from ibm_engine.scenarios._prices import apply_prices, scale_cents

__all__ = ["Scenario"]

PriceFactor = float | Mapping[str, float] | tuple[tuple[str, float], ...]


@dataclass(frozen=True, eq=False)
class Scenario:
    """Changes to a baseline. Every change left ``None`` keeps the baseline's setting.

    Parameters
    ----------
    name : str
        Names the scenario in the KPI tables.
    price_factor : float or mapping of service -> float, optional
        Multiplies every price, or the prices of the services named (rounded to the cent).
    prices : table, optional
        ``service``, ``unit_price_eur`` and optionally ``municipality``: sets the price of
        every catalogue row of the service (of that municipality only, when named). Applied
        before ``price_factor``.
    budget : budget formula, optional
        Sets every participant's budget (see :mod:`ibm_engine.budget`).
    pot_eur, pot_factor : float, optional
        The programme's money: the budgets are scaled, in their proportions, to add up to this
        pot exactly (``pot_factor`` x the budgets' total, rounded to the cent); a
        :class:`~ibm_engine.budget.PotCalibrated` formula is re-calibrated to it instead.
    capacities, disruptions : table, optional
        Replace the baseline's (see :class:`Baseline`).
    policy, team_share, merge : optional
        As for :func:`ibm_engine.allocate`.

    Examples
    --------
    >>> Scenario("dearer", price_factor=1.1)
    Scenario('dearer', price_factor=1.1)
    >>> Scenario("", pot_factor=-1.0)
    Traceback (most recent call last):
    ...
    ibm_engine.errors.InputError: 2 input problems:
      arguments, column name: must be a non-empty string (got '')
      arguments, column pot_factor: must be a number > 0 (got -1.0)
    """

    name: str
    price_factor: PriceFactor | None = None
    prices: Any = None
    budget: Any = None
    pot_eur: float | None = None
    pot_factor: float | None = None
    capacities: Any = None
    disruptions: Any = None
    policy: str | None = None
    team_share: float | None = None
    merge: str | RankMerge | None = None

    def __post_init__(self) -> None:
        p = Problems()
        if not isinstance(self.name, str) or not self.name.strip():
            p.add("name", f"must be a non-empty string (got {self.name!r})")
        f = self.price_factor
        if isinstance(f, Mapping):
            for k, v in f.items():
                if not isinstance(k, str):
                    p.add("price_factor", f"service names must be strings (got {k!r})")
                p.number(f"price_factor[{k}]", v, low=0.0, open_low=True)
            object.__setattr__(self, "price_factor", tuple(sorted(f.items())))
        elif f is not None:
            p.number("price_factor", f, low=0.0, open_low=True)
        for name in ("prices", "capacities", "disruptions"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, frame_copy(getattr(self, name), name))
        pot = self.pot_eur
        if pot is not None and p.number("pot_eur", pot, low=0.0) and _not_cents(pot):
            p.add("pot_eur", f"must be a whole number of cents (got {self.pot_eur!r})")
        if self.pot_factor is not None:
            p.number("pot_factor", self.pot_factor, low=0.0, open_low=True)
        if self.pot_eur is not None and self.pot_factor is not None:
            p.add("pot_factor", "give pot_eur or pot_factor, not both")
        if self.policy is not None and self.policy not in POLICIES:
            p.add("policy", f"must be one of {', '.join(POLICIES)} (got {self.policy!r})")
        if self.team_share is not None:
            p.number("team_share", self.team_share, low=0.0, high=1.0)
        if self.merge is not None and not isinstance(self.merge, str | RankMerge):
            p.add("merge", f"must be a merge name or a RankMerge (got {self.merge!r})")
        if self.budget is not None and not callable(getattr(self.budget, "compute", None)):
            p.add("budget", "must be a budget formula of ibm_engine.budget")
        p.raise_if_any()

    def __repr__(self) -> str:
        changes = [
            f"{k}={v!r}" if not isinstance(v, pd.DataFrame) else f"{k}=<{len(v)} rows>"
            for k, v in self.changes().items()
        ]
        return f"Scenario({', '.join([repr(self.name), *changes])})"

    def changes(self) -> dict[str, Any]:
        """The changes this scenario makes (the settings that are not ``None``)."""
        names = (
            "price_factor", "prices", "budget", "pot_eur", "pot_factor", "capacities",
            "disruptions", "policy", "team_share", "merge",
        )  # fmt: skip
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def apply(self, baseline: Baseline) -> Baseline:
        """New inputs: the baseline with this scenario's changes (the baseline is untouched).

        The returned baseline has every budget resolved in ``participants.budget_eur`` (the
        formula's, then scaled to the pot) and ``budget=None``.
        """
        if not isinstance(baseline, Baseline):
            raise_arg("baseline", "must be a Baseline")
        services = apply_prices(baseline.services, self.prices, self.price_factor)
        people = baseline.participants.copy(deep=True)
        plan = baseline.plan_items.copy(deep=True)
        formula = self.budget if self.budget is not None else baseline.budget
        pot_cents = None if self.pot_eur is None else round(self.pot_eur * 100)
        if isinstance(formula, PotCalibrated) and (pot_cents is not None or self.pot_factor):
            base_pot = formula.pot_cents
            new = (
                pot_cents
                if pot_cents is not None
                else int(scale_cents(np.array([base_pot]), float(self.pot_factor or 1.0))[0])
            )
            formula, pot_cents = replace(formula, pot_eur=new / 100.0), None
            pot_factor = None
        else:
            pot_factor = self.pot_factor
        if formula is not None:
            res = formula.compute(people, plan, services, period_weeks=baseline.period_weeks)
            people["budget_eur"] = np.asarray(res.budget_cents, dtype=np.int64) / 100.0
        if pot_cents is not None or pot_factor is not None:
            people["budget_eur"] = _scaled_budgets(people, pot_cents, pot_factor) / 100.0
        return Baseline(
            participants=people,
            plan_items=plan,
            services=services,
            capacities=_pick(self.capacities, baseline.capacities),
            disruptions=_pick(self.disruptions, baseline.disruptions),
            policy=self.policy if self.policy is not None else baseline.policy,
            period_weeks=baseline.period_weeks,
            team_share=self.team_share if self.team_share is not None else baseline.team_share,
            merge=self.merge if self.merge is not None else baseline.merge,
            budget=None,
            start=baseline.start,
            months=baseline.months,
        )


def _not_cents(x: float) -> bool:
    return abs(float(x) * 100 - round(float(x) * 100)) > CENT_TOL_CENTS


def raise_arg(column: str, reason: str) -> NoReturn:
    raise InputError.single("arguments", column, reason)


def _pick(new: pd.DataFrame | None, old: pd.DataFrame | None) -> pd.DataFrame | None:
    chosen = new if new is not None else old
    return None if chosen is None else chosen.copy(deep=True)


def _scaled_budgets(people: pd.DataFrame, pot: int | None, factor: float | None) -> np.ndarray:
    p = Problems()
    if "budget_eur" not in people.columns:
        p.add("budget_eur", "required to scale the budgets to a pot", table="participants")
        p.raise_if_any()
    x = pd.to_numeric(people["budget_eur"], errors="coerce").to_numpy(np.float64)
    ids = people["participant_id"] if "participant_id" in people else pd.Series(range(len(x)))
    bad = ~np.isfinite(x) | (x < 0) | (np.abs(x * 100 - np.round(x * 100)) > CENT_TOL_CENTS)
    for r in np.flatnonzero(bad):
        p.add("budget_eur", "must be whole cents >= 0 to scale to a pot",
              table="participants", row=str(ids.iloc[r]))  # fmt: skip
    p.raise_if_any()
    cents = np.round(x * 100).astype(np.int64)
    total = int(cents.sum())
    target = pot if pot is not None else int(scale_cents(np.array([total]), float(factor or 1))[0])
    if total == 0 and target > 0:
        raise_arg("pot_eur" if pot is not None else "pot_factor", "the budgets add up to 0")
    if total == 0:
        return cents
    return scale_to_pot(cents, target, ids.astype(str).to_numpy())
