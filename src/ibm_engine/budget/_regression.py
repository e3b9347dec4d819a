"""A budget predicted by a regression fitted on historical spend (square-root scale).

As Florida's iBudget algorithm does: the model is linear on the square root of spend,
``sqrt(spend per 26 weeks) = L = b0 + sum_j b_j x_j``, and the prediction is ``L^2`` (``0`` when
``L <= 0``), scaled to the participant's period.

**Attribution in EUR.** Each factor ``j`` (the intercept, a numeric column, or a categorical
column with all its levels) contributes ``c_j = b_j x_j`` on the square-root scale, shown in
``details`` as ``<factor>_sqrt``. In EUR it gets ``c_j * L`` (times ``T / 26``): these add up to
``L * L``, the budget. This is the Shapley value of each factor when a factor's absence means
its square-root contribution is 0; a factor with a negative ``c_j`` has a negative share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ibm_engine._typing import FloatArray
from ibm_engine.budget._base import ScaledFormula
from ibm_engine.budget._inputs import Inputs, spec_for
from ibm_engine.budget._params import ParameterCheck, Source
from ibm_engine.budget._result import Evaluation
from ibm_engine.tables import ColumnSpec

__all__ = ["RESERVED", "RegressionBudget", "terms"]

#: names a factor cannot have
RESERVED = ("intercept", "participant_id", "budget_eur", "linear_predictor", "period_weeks")
_SQRT_UNIT = "sqrt(EUR per 26 weeks)"


def terms(numeric: Sequence[str], levels: Mapping[str, Sequence[str]]) -> list[str]:
    """The model's terms: intercept, numeric columns, then ``column=level`` dummies."""
    out = ["intercept", *numeric]
    for col, lv in levels.items():
        out.extend(f"{col}={x}" for x in lv[1:])
    return out


@dataclass(frozen=True)
class RegressionBudget(ScaledFormula):
    """Budgets from square-root-scale regression coefficients (see the module docstring).

    Usually made by :meth:`RegressionFit.budget` from :func:`fit_regression`.

    Parameters
    ----------
    coefficients : mapping of term -> float
        ``intercept``, one per numeric column and one per non-reference level of each
        categorical column, named ``column=level``.
    numeric : sequence of str
        Numeric columns of the participants table.
    levels : mapping of column -> sequence of str
        Categorical columns and their levels; the first level is the reference (no term).
    source : Source
        The data the coefficients were fitted on and the date they apply from.

    Examples
    --------
    >>> from datetime import date
    >>> f = RegressionBudget({"intercept": 20.0, "support_need_score": 0.5,
    ...                       "living_setting=independent": -4.0},
    ...                      ["support_need_score"], {"living_setting": ["family", "independent"]},
    ...                      Source("illustrative", date(2024, 1, 1)))
    >>> people = [{"participant_id": p, "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "support_need_score": s, "living_setting": ls}
    ...           for p, s, ls in [("A", 40.0, "family"), ("B", 40.0, "independent")]]
    >>> r = f.compute(people)
    >>> r.table()
      participant_id  budget_eur  intercept  support_need_score  living_setting
    0              A      1600.0      800.0               800.0             0.0
    1              B      1296.0      720.0               720.0          -144.0
    >>> r.details[["intercept_sqrt", "living_setting_sqrt", "linear_predictor"]]
       intercept_sqrt  living_setting_sqrt  linear_predictor
    0            20.0                  0.0              40.0
    1            20.0                 -4.0              36.0
    """

    coefficients: Mapping[str, float]
    numeric: Sequence[str]
    levels: Mapping[str, Sequence[str]]
    source: Source

    kind: ClassVar[str] = "regression"
    scale_parameter: ClassVar[str] = "coefficient[intercept]"
    additive_scale: ClassVar[bool] = True

    def __post_init__(self) -> None:
        check = ParameterCheck(self.kind)
        check.source(self.source)
        numeric = tuple(self.numeric) if isinstance(self.numeric, Sequence) else ()
        ok_levels = isinstance(self.levels, Mapping)
        levels = {str(k): tuple(v) for k, v in self.levels.items()} if ok_levels else {}
        if not ok_levels:
            check.add("levels", "must be a mapping of column -> levels")
        object.__setattr__(self, "numeric", numeric)
        object.__setattr__(self, "levels", levels)
        names = [*numeric, *levels]
        for name in names:
            if not isinstance(name, str) or not name or name in RESERVED:
                check.add("numeric" if name in numeric else "levels", f"bad column {name!r}")
        if len(set(names)) != len(names):
            check.add("levels", "a column appears twice among numeric and categorical")
        for col, lv in levels.items():
            if not lv or len(set(lv)) != len(lv) or not all(isinstance(x, str) for x in lv):
                check.add(f"levels[{col}]", "must be distinct texts, the reference first")
        coefs = dict(self.coefficients) if isinstance(self.coefficients, Mapping) else {}
        object.__setattr__(self, "coefficients", coefs)
        expected = terms(numeric, levels)
        for term in expected:
            if term not in coefs:
                check.add(f"coefficients[{term}]", "is missing")
            else:
                check.number(f"coefficients[{term}]", coefs[term])
        for term in sorted(set(coefs) - set(expected)):
            check.add(f"coefficients[{term}]", "is not a term of the model")
        check.raise_if_any()

    def specs(self) -> tuple[ColumnSpec, ...]:
        numeric = tuple(spec_for(c, "float") for c in self.numeric)
        cats = tuple(
            ColumnSpec(c, "text", True, choices=tuple(lv)) for c, lv in self.levels.items()
        )
        return numeric + cats

    def _parts(self, inputs: Inputs, intercept: float) -> dict[str, FloatArray]:
        parts: dict[str, FloatArray] = {"intercept": np.full(inputs.n, intercept)}
        for col in self.numeric:
            parts[col] = self.coefficients[col] * inputs.floats(col)
        for col in self.levels:
            codes = inputs.codes(col)
            table = np.array(
                [self.coefficients.get(f"{col}={t}", 0.0) for t in codes.texts], dtype=float
            )
            parts[col] = table[np.maximum(codes.codes, 0)] if table.shape[0] else np.zeros(inputs.n)
        return parts

    def evaluate(self, inputs: Inputs, scale: float) -> Evaluation:
        intercept = self.coefficients["intercept"] + scale
        parts = self._parts(inputs, intercept)
        lp = np.sum(np.vstack(list(parts.values())), axis=0) if inputs.n else np.zeros(0)
        positive = np.maximum(lp, 0.0)
        per_cent = positive * 100.0 * inputs.weeks / 26.0
        factors = {name: c * per_cent for name, c in parts.items()}
        gross = positive * per_cent
        details: dict[str, np.ndarray] = {f"{k}_sqrt": v for k, v in parts.items()}
        details["linear_predictor"] = lp
        details["period_weeks"] = inputs.prep.period_weeks
        params = tuple(
            self.param(
                f"coefficient[{t}]",
                intercept if t == "intercept" else self.coefficients[t],
                _SQRT_UNIT if t == "intercept" else f"{_SQRT_UNIT} per unit",
            )
            for t in terms(self.numeric, self.levels)
        )
        return Evaluation(factors, (), details, params, gross)
