"""The top-level what-if and explanation functions of 0.1.0, kept as deprecated aliases.

Each asks about one result (``(result, participant_id, ...)``); the methods of the result and
of ``result.participant(pid)`` are the way forward (migration table in the CHANGELOG). The
aliases give the same answers and warn once per call site (``DeprecationWarning``, shown by
default in ``__main__``, Jupyter and test runs).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Final, ParamSpec, TypeVar

from ibm_engine.allocation import (
    _counterfactual,
    _explain,
    _extra_money,
    _smallest_budget,
    _waiting,
)

__all__ = ["REPLACEMENTS", "deprecated"]

P = ParamSpec("P")
R = TypeVar("R")

#: every deprecated top-level name and what replaces it
REPLACEMENTS: Final[dict[str, str]] = {
    "explain_frame": "result.participant(pid).explain()",
    "explain_text": "result.participant(pid).text(language)",
    "explain_summary": "result.participant(pid).summary()",
    "waiting_list": "result.waiting_list(pid) or result.participant(pid).waiting_list()",
    "smallest_budget_for": "result.participant(pid).smallest_budget_for(service)",
    "at_budget_change": "result.participant(pid).at_budget_change(pct)",
    "with_assessment": "result.participant(pid).what_if(changes, participant=...)",
    "with_family_ranking": "result.participant(pid).what_if(family_rank=...)",
    "what_extra_money_buys": "result.extra_money(extra_eur, step_eur, lookahead=...)",
}


def deprecated(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` under its own name, warning that ``REPLACEMENTS[name]`` replaces it."""
    name = func.__name__
    message = f"ibm_engine.{name}() is deprecated; use {REPLACEMENTS[name]} (same answer)"

    @functools.wraps(func)
    def alias(*args: P.args, **kwargs: P.kwargs) -> R:
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        return func(*args, **kwargs)

    alias.__doc__ = f"Deprecated: use ``{REPLACEMENTS[name]}``.\n\n{func.__doc__ or ''}"
    return alias


explain_frame = deprecated(_explain.explain_frame)
explain_text = deprecated(_explain.explain_text)
explain_summary = deprecated(_explain.explain_summary)
waiting_list = deprecated(_waiting.waiting_list)
smallest_budget_for = deprecated(_smallest_budget.smallest_budget_for)
at_budget_change = deprecated(_counterfactual.at_budget_change)
with_assessment = deprecated(_counterfactual.with_assessment)
with_family_ranking = deprecated(_counterfactual.with_family_ranking)
what_extra_money_buys = deprecated(_extra_money.what_extra_money_buys)
