"""Synthetic assessment columns for examples and tests (no real person's data).

The historical spend follows a known square-root model, so a fit can be checked against it:
``sqrt(spend per 26 weeks)`` is :data:`TRUE_MODEL` (in the terms of ``fit_regression`` with
``numeric=("support_need_score",)`` and ``categorical=("living_setting", "target_group")``,
whose references are ``family`` and ``BSAC``) plus normal noise with standard deviation 4; and
1% of the people spend three times what the model says (outliers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ibm_engine.budget._inputs import LIVING_SETTINGS

__all__ = ["TRUE_MODEL", "synthetic_assessments"]

#: the coefficients the historical spend is drawn with (square-root scale, per 26 weeks)
TRUE_MODEL: dict[str, float] = {
    "intercept": 22.0,
    "support_need_score": 0.55,
    "living_setting=group_home": 8.0,
    "living_setting=independent": -3.0,
    "living_setting=institution": 12.0,
    "target_group=FT": 2.0,
    "target_group=GRT": -2.0,
}
_NOISE_SD = 4.0
_OUTLIER_SHARE = 0.01

# by target group: beta parameters of the score; shares of the living settings
_SCORE = {"GRT": (2.0, 2.0), "FT": (2.2, 1.8), "BSAC": (2.0, 2.5)}
_SETTING = {
    "GRT": (0.45, 0.25, 0.20, 0.10),
    "FT": (0.95, 0.0, 0.03, 0.02),
    "BSAC": (0.0, 0.0, 0.40, 0.60),
}
_HOURS = {"family": 40.0, "independent": 10.0, "group_home": 0.0, "institution": 0.0}


def synthetic_assessments(
    participants: pd.DataFrame, seed: int = 0, *, period_weeks: int = 26
) -> pd.DataFrame:
    """A copy of ``participants`` with synthetic assessment columns added.

    Adds ``support_need_score`` (0..100, halves), ``living_setting``,
    ``informal_care_hours_per_week`` (halves; up to 40 in a family, 10 living independently,
    0 otherwise), ``assessment_points`` (about twice the score), ``historical_spend_eur`` (drawn
    from :data:`TRUE_MODEL` for each person's period) and ``previous_budget_eur`` (the spend
    +-20%; empty for one person in ten, who is new).

    Examples
    --------
    >>> from ibm_engine.data import synthetic_zemgale
    >>> people, _, _ = synthetic_zemgale(7, n_grt=3, n_ft=2, n_bsac=1)
    >>> synthetic_assessments(people).columns[-6:].tolist()
    ['support_need_score', 'living_setting', 'informal_care_hours_per_week', \
'assessment_points', 'historical_spend_eur', 'previous_budget_eur']
    """
    rng = np.random.default_rng(seed)
    out = participants.copy()
    n = len(out)
    group = out["target_group"].astype(str).to_numpy()
    weeks = np.full(n, float(period_weeks))
    if "period_weeks" in out.columns:
        given = out["period_weeks"].to_numpy(dtype=np.float64, na_value=np.nan)
        weeks = np.where(np.isnan(given), weeks, given)
    score = np.zeros(n)
    setting = np.empty(n, dtype=object)
    for g, (a, b) in _SCORE.items():
        m = group == g
        score[m] = np.round(200 * rng.beta(a, b, int(m.sum()))) / 2
        setting[m] = rng.choice(LIVING_SETTINGS, int(m.sum()), p=_SETTING[g])
    max_hours = np.array([_HOURS[s] for s in setting.tolist()], dtype=float)
    hours = np.round(2 * rng.uniform(0, 1, n) * max_hours) / 2
    points = np.maximum(np.round(2 * score + rng.normal(0, 10, n)), 0.0)
    tm = TRUE_MODEL
    effect_s = np.array([tm.get(f"living_setting={s}", 0.0) for s in setting.tolist()])
    effect_g = np.array([tm.get(f"target_group={g}", 0.0) for g in group.tolist()])
    root = tm["intercept"] + tm["support_need_score"] * score + effect_s + effect_g
    root = root + rng.normal(0, _NOISE_SD, n)
    spend = np.maximum(root, 0.0) ** 2 * weeks / 26
    spend[rng.random(n) < _OUTLIER_SHARE] *= 3
    spend = np.round(spend, 2)
    previous = np.round(spend * rng.uniform(0.8, 1.2, n), 2)
    previous[rng.random(n) < 0.1] = np.nan
    out["support_need_score"] = score
    out["living_setting"] = pd.array(setting.tolist(), dtype="str") if n else []
    out["informal_care_hours_per_week"] = hours
    out["assessment_points"] = points
    out["historical_spend_eur"] = spend
    out["previous_budget_eur"] = previous
    return out
