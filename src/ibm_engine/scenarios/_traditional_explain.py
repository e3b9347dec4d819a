"""Why a participant of the traditional mechanism got what it got: the queue and the pot.

The traditional mechanism (:func:`ibm_engine.scenarios.traditional`) walks the requests in
queue order, then the team's order within a participant, and grants each eligible request in
full until the first one the pot left cannot pay; that request and every one after it get
nothing. So a request not granted is either the one the pot ran out at (``pot_too_small``: its
cost against what was left in the pot at its turn) or one after it (``after_pot_ran_out``: the
queue does not skip to cheaper requests). Everything is recomputed from the result's tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ibm_engine.allocation._explain_words import (
    format_money,
    record_line,
    service_label,
    unit_word,
)
from ibm_engine.allocation._view import View, check_participant
from ibm_engine.errors import InputError
from ibm_engine.metrics._frames import cents

if TYPE_CHECKING:
    from ibm_engine.scenarios._traditional import TraditionalResult

__all__ = ["TRADITIONAL_CAUSES", "TraditionalParticipantView", "traditional_explain"]

#: the ``cause`` of a request
TRADITIONAL_CAUSES: Final = (
    "granted",
    "pot_too_small",
    "after_pot_ran_out",
    "not_eligible",
    "cap_below_min",
)

_WORDS: Final = {
    "en": {
        "header": "Participant {pid}, traditional mechanism: place {queue} in the queue; pot "
        "{pot}.",
        "granted": "{k}. {service}: granted in full, {units} {unit} ({cost}).",
        "pot_too_small": "{k}. {service}: not granted: the request ({cost}) is more than the "
        "{left} left in the pot at its turn.",
        "after_pot_ran_out": "{k}. {service}: not granted: the pot ran out at an earlier request "
        "in the queue, and first come first served does not skip to cheaper requests.",
        "not_eligible": "{k}. {service}: not granted: no catalogue entry applies to this person.",
        "cap_below_min": "{k}. {service}: not granted: the rules allow less than its smallest "
        "effective amount.",
    },
    "lv": {
        "header": "Dalībnieks {pid}, tradicionālais mehānisms: {queue}. vieta rindā; "
        "līdzekļu kopums {pot}.",
        "granted": "{k}. {service}: piešķirts pilnā apjomā, {units} ({unit}), {cost}.",
        "pot_too_small": "{k}. {service}: nav piešķirts: pieprasījums ({cost}) pārsniedz {left}, "
        "kas tā kārtā bija palicis līdzekļu kopumā.",
        "after_pot_ran_out": "{k}. {service}: nav piešķirts: līdzekļi beidzās pie kāda "
        "iepriekšēja pieprasījuma rindā, un rindas kārtība nepāriet uz lētākiem "
        "pieprasījumiem.",
        "not_eligible": "{k}. {service}: nav piešķirts: šai personai neatbilst neviens kataloga "
        "ieraksts.",
        "cap_below_min": "{k}. {service}: nav piešķirts: noteikumi atļauj mazāk par mazāko "
        "efektīvo apjomu.",
    },
}


def traditional_explain(result: TraditionalResult, participant_id: object) -> pd.DataFrame:
    """Per request (plan item) of one participant, in the team's order: ``service``, ``unit``,
    ``units``, ``upper_units``, ``request_eur`` (its full cost), ``pot_left_eur`` (what was left
    in the pot at its turn), ``cause`` (one of :data:`TRADITIONAL_CAUSES`)."""
    pid = check_participant(result, participant_id)
    parts, items = result.participants, result.items
    queue = parts.set_index(parts["participant_id"].astype(str))["queue_position"]
    owner = items["participant_id"].astype(str).to_numpy()
    reason = items["reason"].astype(str).to_numpy()
    eligible = np.isin(reason, ["funded", "not_funded"])
    price = cents(items["unit_price_eur"])
    cost = np.where(eligible, items["upper_units"].to_numpy(dtype=np.int64) * price, 0)
    place = queue.reindex(pd.Index(owner)).to_numpy()
    walk = np.lexsort((items["team_rank"].to_numpy(), place))
    cum = np.cumsum(cost[walk])  # spent after each request, were every one granted
    pot = round(result.pot_eur * 100)
    over = np.flatnonzero(eligible[walk] & (cum > pot))
    stop_at = int(over[0]) if over.size else len(items)  # the walk's position of the stop
    stop = int(walk[stop_at]) if over.size else -1
    rank = np.empty(len(items), dtype=np.int64)
    rank[walk] = np.arange(len(items))
    granted = np.where(rank < stop_at, cost, 0)  # nothing is granted from the stop on
    before = np.zeros(len(items), dtype=np.int64)
    before[walk] = np.cumsum(granted[walk]) - granted[walk]
    cause = np.select(
        [
            reason == "not_eligible",
            reason == "cap_below_min",
            reason == "funded",
            np.arange(len(items)) == stop,
        ],
        ["not_eligible", "cap_below_min", "granted", "pot_too_small"],
        default="after_pot_ran_out",
    )
    mine = np.flatnonzero(owner == pid)
    mine = mine[np.argsort(rank[mine], kind="stable")]
    out = pd.DataFrame(
        {
            "service": items["service"].to_numpy()[mine],
            "unit": items["unit"].to_numpy()[mine],
            "units": items["units"].to_numpy()[mine],
            "upper_units": items["upper_units"].to_numpy()[mine],
            "request_eur": cost[mine] / 100.0,
            "pot_left_eur": (pot - before[mine]) / 100.0,
            "cause": pd.Categorical(cause[mine], categories=list(TRADITIONAL_CAUSES)),
        },
        index=items.index[mine],
    )
    out.attrs.update(participant_id=pid, queue_position=int(queue.loc[pid]), pot_cents=pot)
    return out


def traditional_text(result: TraditionalResult, participant_id: object, lang: str = "en") -> str:
    """:func:`traditional_explain` in words, English or Latvian."""
    if lang not in _WORDS:
        raise InputError.single("arguments", "lang", f"must be one of en, lv (got {lang!r})")
    f = traditional_explain(result, participant_id)
    w = _WORDS[lang]
    lines = [
        w["header"].format(
            pid=f.attrs["participant_id"],
            queue=f.attrs["queue_position"],
            pot=format_money(f.attrs["pot_cents"], lang),
        )
    ]
    cols = {c: f[c].tolist() for c in f.columns}
    names = getattr(result, "service_names", None)
    cols["service"] = [service_label(s, lang, names) for s in cols["service"]]
    for k in range(len(f)):
        lines.append(
            w[str(cols["cause"][k])].format(
                k=k + 1,
                service=cols["service"][k],
                units=cols["units"][k],
                unit=unit_word(cols["units"][k], cols["unit"][k], lang),
                cost=format_money(round(cols["request_eur"][k] * 100), lang),
                left=format_money(round(cols["pot_left_eur"][k] * 100), lang),
            )
        )
    return "\n".join(lines + record_line(None if result.record is None else result.record.id, lang))


class TraditionalParticipantView(View):
    """One participant of the traditional mechanism (``result.participant(pid)``)."""

    def __init__(self, result: Any, participant_id: object) -> None:
        pid = check_participant(result, participant_id)  # InputError for unknown ids
        super().__init__(result, pid, "traditional run (a queue)")

    def explain(self) -> pd.DataFrame:
        return traditional_explain(self._result, self.participant_id)

    def text(self, language: str = "en") -> str:
        return traditional_text(self._result, self.participant_id, language)
