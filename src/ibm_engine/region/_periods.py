"""Consecutive plan periods: a budget per period, carry-over of unspent money, instalments.

Periods run one after another (the carried-in money of a period depends on the one before),
each for all of its participants at once: one allocation per period number, then the ledger
step over numpy arrays of cents. The per-period allocation is made in one place only
(``_periods_calls.allocate_period``): ``ibm_engine.allocate``, or ``allocate_region`` when
capacities are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.allocation import AllocationResult, RankMerge
from ibm_engine.allocation._record import build_record, hash_inputs, hash_outputs
from ibm_engine.allocation._status import all_optimal, count
from ibm_engine.domain._result import Status
from ibm_engine.errors import InputError
from ibm_engine.region._capacity import RegionResult
from ibm_engine.region._delivery import Delivery
from ibm_engine.region._disruptions import validate_disruptions, validate_pauses
from ibm_engine.region._periods_calls import region_options
from ibm_engine.region._periods_carry import CarryOver
from ibm_engine.region._periods_ledger import ledger_frame, plan_item_periods, totals_frame
from ibm_engine.region._periods_release import instalment_frame
from ibm_engine.region._periods_table import validate_periods
from ibm_engine.region._periods_walk import PeriodWalk
from ibm_engine.tables._columns import as_frame

__all__ = ["SPENT_BASES", "PeriodsResult", "run_periods"]

#: what counts as spent: the allocated cost, or the delivered cost (after a delivery simulation)
SPENT_BASES = ("allocated", "delivered")


@dataclass(frozen=True, eq=False)
class PeriodsResult:
    """What :func:`run_periods` returns.

    Attributes
    ----------
    ledger : DataFrame
        One row per participant and period: dates, ``plan_year``, ``weeks``, ``months``,
        ``budget_source`` and, in EUR and in int64 cents, ``budget``, ``carried_in``,
        ``available`` (= budget + carried in), ``spent``, ``unspent`` (= available - spent),
        ``own_choice`` (the part of unspent left by the participant's own pauses; 0 unless
        spent is delivered), ``carried_out`` and ``forfeited`` (= unspent - carried out).
    items, participants : DataFrame
        The per-period allocation tables stacked, with a ``period`` column.
    results : Mapping[int, AllocationResult or RegionResult]
        The allocation of each period (a ``RegionResult`` when capacities were given).
    deliveries : Mapping[int, tuple[Delivery, ...]]
        With ``spent="delivered"``: the delivery simulations of each period (one per group of
        participants sharing the period's start month and length); else empty.
    carry_over : CarryOver
    spent : {"allocated", "delivered"}
    record : Record
        What made this result (see ``docs/records.md``); ``record.parts`` holds the record id
        of each period's allocation.
    """

    ledger: pd.DataFrame
    items: pd.DataFrame
    participants: pd.DataFrame
    results: Mapping[int, AllocationResult | RegionResult]
    deliveries: Mapping[int, tuple[Delivery, ...]]
    carry_over: CarryOver
    spent: str
    #: what made this result; ``record.parts`` names each period's own record
    record: Any = None

    def instalments(self, schedule: str = "monthly") -> pd.DataFrame:
        """Release of each period's available money: ``"single"``, ``"monthly"`` or
        ``"quarterly"`` (quarters counted from the period's first month). See
        :func:`~ibm_engine.region._periods_release.instalment_frame`."""
        return instalment_frame(self.ledger, schedule)

    def totals(self) -> pd.DataFrame:
        """Per participant: budget = spent + forfeited + carried out of the last period."""
        return totals_frame(self.ledger)

    @property
    def rejected(self) -> pd.DataFrame:
        """Quarantined input problems of every period's allocation, with a ``period`` column."""
        frames = [r.rejected.assign(period=k) for k, r in sorted(self.results.items())]
        if not frames:
            return pd.DataFrame(columns=["participant_id", "table", "row", "column", "reason"])
        return pd.concat(frames, ignore_index=True)

    @property
    def service_names(self) -> dict[str, tuple[str, str]]:
        """Display names of the services of every period's catalogue, code -> (en, lv)."""
        out: dict[str, tuple[str, str]] = {}
        for r in self.results.values():
            out.update(r.service_names)
        return out

    @property
    def status(self) -> Status:
        """``optimal`` when every period's allocation is, else ``feasible``."""
        return all_optimal(r.status for r in self.results.values())

    @property
    def message(self) -> str:
        """The result in one line: participants, periods, status."""
        n = int(self.ledger["participant_id"].nunique())
        proven = (
            "proven optimal in every period"
            if self.status == Status.OPTIMAL
            else "at least one period not proven optimal"
        )
        periods = count(len(self.results), "period")
        return f"{count(n, 'participant')} over {periods}; {proven}"

    def _period(self, period: int) -> Any:
        """The result of one period (InputError naming the periods run for any other)."""
        if period not in self.results:
            periods = ", ".join(str(k) for k in sorted(self.results))
            raise InputError.single(
                "arguments", "period", f"must be one of the periods run: {periods} (got {period!r})"
            )
        return self.results[period]

    def participant(self, participant_id: object, period: int) -> Any:
        """One participant in one period: the view of that period's allocation
        (``result.participant``), with ``explain()``, ``text(lang)`` and its what-ifs."""
        return self._period(period).participant(participant_id)

    def waiting_list(self, participant_id: object = None, *, period: int) -> pd.DataFrame:
        """The waiting list of one period's allocation (``AllocationResult.waiting_list``;
        a period allocated under capacities raises :class:`~ibm_engine.NotApplicableError`)."""
        out: pd.DataFrame = self._period(period).waiting_list(participant_id)
        return out

    def extra_money(
        self, extra_eur: float, step_eur: float = 100.0, *, period: int, lookahead: int = 5
    ) -> Any:
        """What an extra pot buys in one period (``AllocationResult.extra_money``; a period
        allocated under capacities raises :class:`~ibm_engine.NotApplicableError`)."""
        return self._period(period).extra_money(extra_eur, step_eur, lookahead=lookahead)

    def _repr_html_(self) -> str:
        from ibm_engine.report import periods_html  # display only, loaded when shown

        return periods_html(self)

    def __repr__(self) -> str:
        led = self.ledger
        total = {c: int(led[f"{c}_cents"].sum()) for c in ("budget", "spent", "forfeited")}
        last = ~led["participant_id"].duplicated(keep="last").to_numpy()
        after = int(led["carried_out_cents"].to_numpy()[last].sum())
        periods = sorted(self.results)
        span = f"{periods[0]}..{periods[-1]}" if periods else "none"
        return (
            f"PeriodsResult({led['participant_id'].nunique()} participants, periods {span}, "
            f"carry_over={self.carry_over!r}, spent={self.spent!r})\n"
            f"  budget {_eur(total['budget'])} EUR = spent {_eur(total['spent'])} + forfeited "
            f"{_eur(total['forfeited'])} + carried out after the last period {_eur(after)}"
        )


def _eur(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def _arguments(
    carry_over: object, spent: str, disruptions: object, pauses: object
) -> tuple[CarryOver, Any, Any]:
    if carry_over is None:
        carry_over = CarryOver.none()
    if not isinstance(carry_over, CarryOver):
        raise InputError.single("arguments", "carry_over", "must be a CarryOver (or None)")
    if spent not in SPENT_BASES:
        raise InputError.single("arguments", "spent", "must be 'allocated' or 'delivered'")
    if spent == "allocated" and (disruptions is not None or pauses is not None):
        raise InputError.single(
            "arguments", "spent", "disruptions and pauses need spent='delivered'"
        )
    d = validate_disruptions(disruptions) if disruptions is not None else None
    p = validate_pauses(pauses) if pauses is not None else None
    return carry_over, d, p


def run_periods(
    participants: object,
    plan_items: object,
    services: object,
    periods: object,
    carry_over: CarryOver | None = None,
    *,
    spent: str = "allocated",
    disruptions: object = None,
    pauses: object = None,
    policy: str = "optimal",
    team_share: float = 0.5,
    merge: str | RankMerge = "borda",
    capacities: object = None,
    region: Mapping[str, Any] | None = None,
) -> PeriodsResult:
    """Allocate consecutive plan periods, carrying unspent money over by a rule.

    Parameters
    ----------
    participants, plan_items, services : tables
        As for :func:`ibm_engine.allocate`. ``plan_items`` may have a ``period`` column (a plan
        per period: a reassessment is a new plan for the later period); without it every
        period uses the same plan.
    periods : table
        See :func:`~ibm_engine.region._periods_table.validate_periods`: ``participant_id``
        (empty = all), ``period``, ``start_date``, ``end_date`` and / or ``weeks``,
        ``budget_eur`` (empty = the participant's). A period's ``weeks`` is the allocation's
        ``period_weeks`` (replacing any ``period_weeks`` of the participants table).
    carry_over : CarryOver, optional
        What happens to unspent money (default :meth:`CarryOver.none`). A period is allocated
        with its available money: its budget plus what the previous period carried in.
    spent : {"allocated", "delivered"}
        Unspent = available - allocated cost, or - delivered cost after
        :func:`simulate_delivery` of the period under ``disruptions`` and ``pauses``, so a
        closure's underspend can carry over.
    policy, team_share, merge
        Passed to :func:`ibm_engine.allocate` for every period.
    capacities : table, optional
        Provider capacities (``municipality``, ``service``, ``units`` per period, and an
        optional ``period`` column: rows for one period only; without it every period has
        the same capacities). Each period is then allocated by :func:`allocate_region`
        (``policy`` must be ``"optimal"`` and ``merge`` ``"borda"``) with ``team_share`` and
        the options in ``region`` (``weighting``, ``method``, ``max_iter``, ``rel_gap``,
        ``milp_seconds``).

    Returns
    -------
    PeriodsResult

    Examples
    --------
    See docs/periods.md.
    """
    rule, disr, paus = _arguments(carry_over, spent, disruptions, pauses)
    parts = as_frame(participants, "participants")
    items = as_frame(plan_items, "plan_items")
    if "participant_id" not in parts:
        raise InputError.single("participants", "participant_id", "missing column")
    canon = validate_periods(periods, parts)
    item_period = plan_item_periods(items, canon)  # per item: its period (0 = every period)
    ids = parts["participant_id"].astype(str).to_numpy(object)
    # items without a participant_id column go to every period: allocate names the problem
    item_ids = (
        items["participant_id"].astype(str).to_numpy(object)
        if "participant_id" in items
        else np.full(len(items), None, dtype=object)
    )
    plan_cols = [c for c in items.columns if c != "period"]
    options: dict[str, Any] = {"policy": policy, "team_share": team_share, "merge": merge}
    caps, cap_period = None, np.zeros(0, dtype=np.int64)
    if capacities is not None:
        options, caps, cap_period = region_options(options, capacities, region, canon)

    run = PeriodWalk(
        canon=canon,
        rule=rule,
        spent=spent,
        disr=disr,
        paus=paus,
        parts=parts,
        items=items,
        services=services,
        ids=ids,
        item_ids=item_ids,
        item_period=item_period,
        plan_cols=plan_cols,
        options=options,
        caps=caps,
        cap_period=cap_period,
    )
    for k in range(1, int(run.period_no.max(initial=0)) + 1):
        run.period(k)
    if run.problems:
        raise InputError(run.problems)
    results, deliveries = run.results, run.deliveries
    ledger = ledger_frame(canon, rule, run.carried_in, run.spent_c, run.carried_out, run.own_choice)
    stacked = {name: _stack(results, name) for name in ("items", "participants")}
    record = build_record(
        "periods",
        {
            "carry_over": rule,
            "spent": spent,
            "policy": policy,
            "team_share": float(team_share),
            "merge": merge,
            "region": region,
        },
        hash_inputs(
            participants=participants, plan_items=plan_items, services=services,
            periods=periods, capacities=capacities, disruptions=disruptions, pauses=pauses,
        ),
        hash_outputs(ledger=ledger, **stacked),
        services=services,
        limit_hit=any(r.record is not None and r.record.limit_hit for r in results.values()),
        parts={str(k): r.record.id for k, r in results.items() if r.record is not None},
    )  # fmt: skip
    return PeriodsResult(
        ledger=ledger,
        items=stacked["items"],
        participants=stacked["participants"],
        results=MappingProxyType(results),
        deliveries=MappingProxyType(deliveries),
        carry_over=rule,
        spent=spent,
        record=record,
    )


def _stack(results: Mapping[int, AllocationResult | RegionResult], name: str) -> pd.DataFrame:
    frames = []
    for k, r in results.items():
        f = getattr(r, name).copy()
        f.insert(0, "period", k)
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"period": []})
