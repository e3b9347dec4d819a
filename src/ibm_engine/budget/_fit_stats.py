"""Least squares with the statistics a budget model must report (QR, no matrix inversion of X'X).

Standard errors are the classical ones, ``sigma^2 (X'X)^-1``; studentised residuals are
external (each residual scaled by the residual standard error of the fit without that row).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import FloatArray
from ibm_engine.errors import InputError

__all__ = ["Ols", "age_bands", "ols", "r2_table"]


@dataclass(frozen=True, eq=False)
class Ols:
    """One least-squares fit."""

    names: tuple[str, ...]
    coef: FloatArray
    std_error: FloatArray
    t_value: FloatArray
    p_value: FloatArray
    fitted: FloatArray
    leverage: FloatArray
    studentised: FloatArray
    sigma: float

    def frame(self) -> pd.DataFrame:
        """term, coef, std_error, t_value, p_value."""
        return pd.DataFrame(
            {
                "term": list(self.names),
                "coef": self.coef,
                "std_error": self.std_error,
                "t_value": self.t_value,
                "p_value": self.p_value,
            }
        )


def _problem(column: str | None, reason: str) -> InputError:
    return InputError.single("participants", column, reason)


def ols(x: FloatArray, y: FloatArray, names: Sequence[str]) -> Ols:
    """Least squares of ``y`` on the columns of ``x`` (``InputError`` if it cannot be fitted)."""
    from scipy import stats  # a heavy import, only when fitting

    n, p = x.shape
    if n - p < 2:
        raise _problem(None, f"too few rows to fit {p} terms: need at least {p + 2}, got {n}")
    q, r = np.linalg.qr(x)
    diag = np.abs(np.diag(r))
    tol = max(n, p) * np.finfo(float).eps * max(float(diag.max()), 1.0)
    weak = [names[j] for j in np.flatnonzero(diag <= tol).tolist()]
    if weak:
        raise _problem(
            ", ".join(weak), "constant, or a combination of the other terms: cannot be fitted"
        )
    coef = np.linalg.solve(r, q.T @ y)
    fitted = x @ coef
    resid = y - fitted
    dof = n - p
    rss = float(resid @ resid)
    sigma2 = rss / dof
    r_inv = np.linalg.solve(r, np.eye(p))
    se = np.sqrt(sigma2 * np.sum(r_inv**2, axis=1))
    h = np.sum(q**2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2_i = (rss - resid**2 / (1.0 - h)) / (dof - 1)
        stud = resid / np.sqrt(np.maximum(s2_i, 0.0) * (1.0 - h))
        t = coef / se
    p_value = 2.0 * stats.t.sf(np.abs(t), dof)
    return Ols(
        names=tuple(names),
        coef=coef,
        std_error=se,
        t_value=t,
        p_value=np.asarray(p_value, dtype=np.float64),
        fitted=fitted,
        leverage=h,
        studentised=np.where(np.isfinite(stud), stud, np.nan),
        sigma=float(np.sqrt(sigma2)),
    )


def age_bands(age: np.ndarray, edges: Sequence[int]) -> pd.Categorical[str]:
    """Age bands (``"0-4"``, ``"5-17"``, ``"65+"``) starting at ``edges``, ordered by age."""
    labels = [f"{a}-{b - 1}" for a, b in itertools.pairwise(edges)]
    labels.append(f"{edges[-1]}+")
    k = np.searchsorted(np.asarray(edges), np.asarray(age, dtype=np.float64), side="right") - 1
    codes = np.clip(k, 0, len(labels) - 1).astype(np.int64)
    return pd.Categorical.from_codes(codes, categories=pd.Index(labels, dtype=str))


def _r2(y: FloatArray, f: FloatArray, key: Any) -> pd.DataFrame:
    ye, fe = y**2, np.maximum(f, 0.0) ** 2
    df = pd.DataFrame({"key": key, "y": y, "ye": ye})
    g = df.groupby("key", sort=True, observed=True)["y"]
    ge = df.groupby("key", sort=True, observed=True)["ye"]
    df["tot"] = (y - g.transform("mean").to_numpy()) ** 2
    df["tot_e"] = (ye - ge.transform("mean").to_numpy()) ** 2
    df["res"] = (y - f) ** 2
    df["res_e"] = (ye - fe) ** 2
    s = df.groupby("key", sort=True, observed=True).agg(
        n=("y", "size"), tot=("tot", "sum"), tot_e=("tot_e", "sum"), res=("res", "sum"),
        res_e=("res_e", "sum"),
    )  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(s["tot"] > 0, 1.0 - s["res"] / s["tot"], np.nan)
        r2_e = np.where(s["tot_e"] > 0, 1.0 - s["res_e"] / s["tot_e"], np.nan)
    return pd.DataFrame(
        {"group": s.index.astype(str), "n": s["n"].to_numpy(), "r2_sqrt": r2, "r2_eur": r2_e}
    )


def r2_table(y: FloatArray, fitted: FloatArray, groups: Mapping[str, Any]) -> pd.DataFrame:
    """R-squared overall (first row, grouping ``all``) and within each group of each grouping.

    ``r2_sqrt`` on the square-root scale the model is fitted on; ``r2_eur`` in EUR, with the
    prediction ``max(fitted, 0)^2``. A group with no variation has NaN.
    """
    parts = []
    for name, key in {"all": np.full(y.shape[0], "all", dtype=object), **groups}.items():
        t = _r2(y, fitted, key)
        t.insert(0, "grouping", name)
        parts.append(t)
    return pd.concat(parts, ignore_index=True)
