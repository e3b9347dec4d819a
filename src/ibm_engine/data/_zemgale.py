"""The synthetic Zemgale region: participants and joint service lists drawn like the pilots'.

Everything is drawn with numpy, column by column (per service, never per participant), so a
region of a million participants takes a few seconds. The proportions and their sources are
described in ``docs/data.md``.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from ibm_engine.data._catalogue import default_catalogue, period_caps, row_lookup

__all__ = ["ZEMGALE_MUNICIPALITIES", "synthetic_zemgale"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

ZEMGALE_MUNICIPALITIES: Final[tuple[str, ...]] = (
    "Aizkraukle",
    "Bauska",
    "Dobele",
    "Jekabpils",
    "Jelgava city",
    "Jelgava county",
)
"""Codes of the six Zemgale municipalities after the 2021-07-01 reform (plain ASCII)."""

# Approximate populations in 2021, thousands (rounded; used only as drawing weights).
_POPULATION: Final = np.array([32.0, 43.0, 30.0, 45.0, 56.0, 33.0])
_GROUPS: Final = ("GRT", "FT", "BSAC")

# service: (share of GRT, FT, BSAC plans that include it; recommended units per 26 weeks lo, hi).
# GRT: support person 74%, physiotherapy 58%, home care / assistant / companion 50% together
# (independent draws: 1 - 0.73 * 0.79 * 0.86 = 0.504), the rest below 50% in the reported order.
# FT: the pilot's most-used list in its order (physiotherapy 85% .. dance therapy 40%), the
# other services of the assessment teams at 6-44%. BSAC: therapies and social rehabilitation.
_PLAN_PROFILE: Final[dict[str, tuple[float, float, float, int, int]]] = {
    "support_person": (0.74, 0.00, 0.00, 20, 100),
    "physiotherapy": (0.58, 0.85, 0.55, 12, 26),
    "home_care": (0.27, 0.48, 0.00, 52, 260),
    "assistant": (0.21, 0.70, 0.25, 52, 312),
    "companion": (0.14, 0.06, 0.00, 20, 100),
    "psychologist": (0.49, 0.65, 0.80, 6, 20),
    "day_care_centre": (0.48, 0.10, 0.00, 26, 104),
    "music_therapy": (0.47, 0.52, 0.50, 8, 20),
    "transport": (0.46, 0.40, 0.55, 10, 60),
    "occupational_therapy": (0.45, 0.44, 0.45, 8, 20),
    "person_group": (0.44, 0.32, 0.55, 6, 20),
    "relatives_group": (0.42, 0.40, 0.00, 4, 12),
    "respite_care": (0.40, 0.45, 0.00, 5, 15),
    "specialised_workshop": (0.38, 0.00, 0.00, 26, 100),
    "speech_therapy": (0.34, 0.44, 0.55, 10, 26),
    "pedagogue": (0.32, 0.40, 0.65, 10, 26),
    "montessori": (0.30, 0.42, 0.40, 10, 26),
    "social_mentor": (0.28, 0.00, 0.60, 20, 80),
    "group_home": (0.20, 0.00, 0.00, 6, 6),
    "dance_movement_therapy": (0.20, 0.40, 0.50, 8, 20),
    "aba_therapy": (0.00, 0.55, 0.30, 26, 78),
    "social_rehabilitation": (0.00, 0.42, 0.75, 10, 40),
    "child_social_care": (0.00, 0.35, 0.30, 52, 312),
    "family_assistant": (0.00, 0.25, 0.00, 20, 80),
}
_YOUNG_CARE_UNITS: Final = (130, 1430)  # child social care to age 4: 5-55 h/week (cap 50)
_STRAY_P: Final = 0.001  # chance of a team listing a service the catalogue does not allow
_MIN_DOSE_P: Final = 0.2  # items with a minimum effective dose of 25-50% of the recommendation
_MAX_UNITS_P: Final = 0.06  # items capped by a provider shortage at 30-95% of it
_FAMILY_RANK_P: Final = (0.7, 1.0, 0.0)  # participants who ranked the list themselves
_FAMILY_HOURS: Final = ((0.35, 4.0, 20.0), (0.8, 3.0, 15.0), (0.0, 0.0, 0.0))  # share, lo, hi
_CHILD_AGE_W: Final = (  # relative frequency of ages 0..17: FT (a fifth under 5), BSAC (older)
    np.array([4, 7, 9, 10, 10, 11, 11, 11, 11, 11, 11, 11, 10, 10, 10, 9, 9, 8], float),
    np.linspace(3.0, 12.0, 18),
)
# (municipality, service, price factor): a few municipal price lists so municipal rows are used.
# Every municipality has at least one row, so none triggers the unknown-municipality warning.
_MUNICIPAL_PRICES: Final = (
    ("Aizkraukle", "transport", 1.20),
    ("Jelgava county", "home_care", 0.95),
    ("Jelgava city", "physiotherapy", 1.15),
    ("Jelgava city", "psychologist", 1.10),
    ("Jelgava city", "home_care", 1.10),
    ("Dobele", "day_care_centre", 0.90),
    ("Bauska", "assistant", 1.05),
    ("Bauska", "respite_care", 0.92),
    ("Jekabpils", "transport", 1.25),
)


def _municipal_rows(default: pd.DataFrame) -> pd.DataFrame:
    """Copies of the default rows of a few services with a municipality and its own price."""
    parts = []
    for municipality, service, factor in _MUNICIPAL_PRICES:
        rows = default[default["service"] == service].copy()
        rows["municipality"] = municipality
        rows["unit_price_eur"] = np.round(rows["unit_price_eur"].to_numpy() * factor * 100) / 100
        rows["price_source"] = f"illustrative municipal price list: {factor:.2f} x the default"
        parts.append(rows)
    return pd.concat(parts, ignore_index=True)


def _order_within(pid: IntArray, score: FloatArray) -> IntArray:
    """Order of the items by participant, then by descending score (ties keep input order)."""
    return np.argsort(pid + (0.5 - np.arctan(score) / math.pi), kind="stable")


def _counts(n_grt: int, n_ft: int, n_bsac: int, scale: float | None) -> IntArray:
    counts = np.array([n_grt, n_ft, n_bsac], float)
    if scale is not None:
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"scale must be a positive finite number, got {scale!r}")
        counts = np.round(counts * scale)
    if (counts < 0).any():
        raise ValueError(f"participant counts must be >= 0, got {counts.tolist()}")
    return counts.astype(np.int64)


def _draw_people(rng: np.random.Generator, counts: IntArray) -> tuple[IntArray, ...]:
    """Target group (index into _GROUPS), age and municipality index of every participant."""
    n, ends = int(counts.sum()), np.cumsum(counts)
    grp = np.repeat(np.arange(3, dtype=np.int64), counts)
    age = np.empty(n, np.int64)
    age[: ends[0]] = 18 + np.floor(63 * rng.beta(1.8, 2.4, counts[0])).astype(np.int64)
    for g in (1, 2):
        weights = _CHILD_AGE_W[g - 1]
        age[ends[g - 1] : ends[g]] = rng.choice(18, counts[g], p=weights / weights.sum())
    town = rng.choice(len(ZEMGALE_MUNICIPALITIES), n, p=_POPULATION / _POPULATION.sum())
    return grp, age, town.astype(np.int64)


def _draw_services(
    rng: np.random.Generator, prob: FloatArray, lookup: npt.NDArray[np.int32], *people: IntArray
) -> tuple[IntArray, IntArray]:
    """(participant, service) index pairs of the plans, by participant then service."""
    grp, age, town = people
    n, n_s = len(grp), lookup.shape[1]
    chosen = np.empty((n, n_s), dtype=bool)
    for s in range(n_s):
        eligible = lookup[town, s, grp, age] >= 0
        chosen[:, s] = rng.random(n) < np.where(eligible, prob[grp, s], _STRAY_P)
    empty = ~chosen.any(axis=1)
    chosen[empty, prob.argmax(axis=1)[grp[empty]]] = True
    pid, svc = np.nonzero(chosen)
    return pid.astype(np.int64, copy=False), svc.astype(np.int64, copy=False)


def _draw_units(
    rng: np.random.Generator, svc: IntArray, young: BoolArray, weeks: int
) -> tuple[IntArray, IntArray, pd.arrays.IntegerArray]:
    """Recommended, minimum and maximum units of every item for a period of ``weeks``."""
    n_i, codes = len(svc), tuple(_PLAN_PROFILE)
    ranges = np.array([p[3:] for p in _PLAN_PROFILE.values()], float)
    lo, hi = ranges[svc, 0], ranges[svc, 1]
    lo[young], hi[young] = _YOUNG_CARE_UNITS
    lo = np.maximum(1.0, np.round(lo * weeks / 26))
    hi = np.maximum(lo, np.round(hi * weeks / 26))
    rec = (lo + np.floor(rng.random(n_i) * (hi - lo + 1))).astype(np.int64)
    del lo, hi
    dose = np.maximum(1, np.floor(rec * rng.uniform(0.25, 0.5, n_i))).astype(np.int64)
    min_units = np.where(rng.random(n_i) < _MIN_DOSE_P, dose, 0)
    del dose
    all_or_nothing = svc == codes.index("group_home")
    min_units[all_or_nothing] = rec[all_or_nothing]
    max_units = np.floor(rec * rng.uniform(0.3, 0.95, n_i)).astype(np.int64)
    return rec, min_units, pd.arrays.IntegerArray(max_units, rng.random(n_i) >= _MAX_UNITS_P)


def _draw_budgets(
    rng: np.random.Generator, services: pd.DataFrame, weeks: int, n: int, *items: IntArray
) -> FloatArray:
    """Costed plan (recommended units within the legal caps, at the applying price) x 0.6-1.1."""
    pid, row, rec = items
    cents = np.round(services["unit_price_eur"].to_numpy(float) * 100).astype(np.int64)
    units = np.minimum(rec, period_caps(services, weeks)[row])
    cost = np.where(row >= 0, cents[row] * units, 0).astype(float)
    plan_cents = np.bincount(pid, weights=cost, minlength=n)
    return np.round(plan_cents * rng.uniform(0.6, 1.1, n)) / 100


def _draw_hours(rng: np.random.Generator, grp: IntArray) -> FloatArray:
    """Family (or own) hours per week, to the half hour; NaN where no limit was given."""
    share, lo, hi = (np.array(c)[grp] for c in zip(*_FAMILY_HOURS, strict=True))
    hours = np.round(rng.uniform(lo, hi) * 2) / 2
    hours[rng.random(len(grp)) >= share] = np.nan
    return hours


def _ids(counts: IntArray) -> pd.api.extensions.ExtensionArray:
    parts = []
    for group, n in zip(_GROUPS, counts.tolist(), strict=True):
        width = max(6, len(str(n)))
        numbers = pd.Series(np.arange(1, n + 1), dtype="int64").astype("str").str.zfill(width)
        parts.append(f"ZG-{group}-" + numbers)
    return pd.concat(parts, ignore_index=True).array


def synthetic_zemgale(
    seed: int = 2021,
    *,
    n_grt: int = 502,
    n_ft: int = 510,
    n_bsac: int = 276,
    scale: float | None = None,
    period_weeks: int = 26,
    family_ranks: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Draw a synthetic Zemgale region as the three contract tables.

    The default counts are the needs assessments of the project "Atver sirdi Zemgalē":
    502 GRT adults, 510 FT children and 276 BSAC children. Plans draw services with the
    frequencies reported by the individual budget pilots (see ``docs/data.md``).

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same frames.
    n_grt, n_ft, n_bsac : int
        Number of participants in each target group.
    scale : float, optional
        Multiplies the three counts (rounded), e.g. ``scale=1000`` gives about 1.3 million
        participants with the project's proportions.
    period_weeks : int
        Plan period in weeks; recommended units, caps and budgets are drawn for it. Pass the
        same value to the allocation (the tables have no ``period_weeks`` column).
    family_ranks : bool
        Add a ``family_rank`` column (all FT participants and 70% of GRT participants ranked
        their list; BSAC children did not, their rows are NA).

    Returns
    -------
    participants : pandas.DataFrame
        ``participant_id`` (``ZG-GRT-000001``, ...), ``target_group``, ``age`` (int64),
        ``municipality`` (one of ``ZEMGALE_MUNICIPALITIES``), ``budget_eur`` (whole cents)
        and ``family_hours_per_week`` (NaN when the family gave no limit).
    plan_items : pandas.DataFrame
        ``participant_id``, ``service``, ``team_rank``, ``family_rank`` (nullable Int64,
        only with ``family_ranks``), ``recommended_units``, ``min_units`` (int64) and
        ``max_units`` (nullable Int64), ordered by participant and team rank.
    services : pandas.DataFrame
        ``default_catalogue()`` plus municipal price rows for a few services.

    Examples
    --------
    >>> participants, plan_items, services = synthetic_zemgale(7, n_grt=4, n_ft=3, n_bsac=2)
    >>> participants.target_group.value_counts().to_dict()
    {'GRT': 4, 'FT': 3, 'BSAC': 2}
    >>> participants.participant_id.iloc[0]
    'ZG-GRT-000001'
    >>> bool(plan_items.groupby("participant_id").team_rank.min().eq(1).all())
    True
    >>> set(plan_items.service) <= set(services.service)
    True
    """
    counts = _counts(n_grt, n_ft, n_bsac, scale)
    integer = isinstance(period_weeks, int | np.integer) and not isinstance(period_weeks, bool)
    if not integer or period_weeks < 1:
        raise ValueError(f"period_weeks must be an integer >= 1, got {period_weeks!r}")
    rng = np.random.default_rng(seed)
    default = default_catalogue()
    services = pd.concat([default, _municipal_rows(default)], ignore_index=True)
    codes = tuple(_PLAN_PROFILE)
    lookup = row_lookup(services, codes, ZEMGALE_MUNICIPALITIES, _GROUPS)
    prob = np.array([p[:3] for p in _PLAN_PROFILE.values()]).T  # (group, service)
    grp, age, town = _draw_people(rng, counts)
    n = len(grp)
    pid, svc = _draw_services(rng, prob, lookup, grp, age, town)
    n_i = len(pid)
    k = np.bincount(pid, minlength=n)
    position = np.arange(n_i) - np.repeat(np.cumsum(k) - k, k)

    # Team ranks: commoner services tend to come first; the family reorders a little.
    team_score = prob[grp[pid], svc] + 0.3 * rng.standard_normal(n_i)
    order = _order_within(pid, team_score)
    svc, team_score = svc[order], team_score[order]
    del order
    row = lookup[town[pid], svc, grp[pid], age[pid]].astype(np.int64)
    young = (svc == codes.index("child_social_care")) & (age[pid] <= 4)
    rec, min_units, max_units = _draw_units(rng, svc, young, period_weeks)
    del young
    budget = _draw_budgets(rng, services, period_weeks, n, pid, row, rec)
    del row

    ids = _ids(counts)
    participants = pd.DataFrame(
        {
            "participant_id": ids,
            "target_group": pd.array(_GROUPS, dtype="str").take(grp),
            "age": age,
            "municipality": pd.array(ZEMGALE_MUNICIPALITIES, dtype="str").take(town),
            "budget_eur": budget,
            "family_hours_per_week": _draw_hours(rng, grp),
        }
    )
    items: dict[str, object] = {
        "participant_id": ids.take(pid),
        "service": pd.array(codes, dtype="str").take(svc),
        "team_rank": position + 1,
    }
    if family_ranks:
        family_rank = np.empty(n_i, np.int64)
        family_rank[_order_within(pid, team_score + 0.35 * rng.standard_normal(n_i))] = position
        family_rank += 1
        ranked = rng.random(n) < np.array(_FAMILY_RANK_P)[grp]
        items["family_rank"] = pd.arrays.IntegerArray(family_rank, ~ranked[pid])
    items.update(recommended_units=rec, min_units=min_units, max_units=max_units)
    return participants, pd.DataFrame(items, copy=False), services
