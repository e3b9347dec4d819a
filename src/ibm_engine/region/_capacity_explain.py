"""Why a participant of a region run got what it got: which provider was full, and its price.

For every plan item of one participant: what it got, what it would have got without capacity
limits (its own optimum), and, where the region's allocation differs, why: the provider of the
service in the participant's municipality was full (``capacity``: its capacity, use and shadow
price, the region's value of one more unit of it), or the item changed because another of the
participant's items was cut (``knock_on``: the money went to the best combination of the
rest), or differs although no provider of the participant's plan was full (``region_choice``:
the region's allocation is not the participant's own optimum there; the proven gap bounds how
far the region as a whole is from its best). Items that got what they would have got alone say
so (``as_alone``); their own limits (budget, caps, family time) are those of an allocation of
the participant alone (:meth:`ibm_engine.AllocationResult.explain`).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine._tolerances import PROVEN_GAP
from ibm_engine.allocation._explain_words import record_line, service_label, unit_word
from ibm_engine.allocation._view import View, check_participant
from ibm_engine.errors import InputError

__all__ = ["REGION_CAUSES", "RegionParticipantView", "region_explain", "region_text"]

#: the ``region_cause`` of an item (see the module docstring)
REGION_CAUSES: Final = ("as_alone", "capacity", "knock_on", "region_choice")

_WORDS: Final = {
    "en": {
        "header": "Participant {pid} in the region run ({method}; {municipality}).",
        "item": "{k}. {service}: {units} of {rec} {unit}",
        "as_alone": " — as much as without capacity limits",
        "capacity": " — {lost} fewer than without capacity limits ({alone}): the provider of "
        "{service} in {municipality} is full ({used} of {cap} {unit} used){price}",
        "price": "; its shadow price, the value to the region of one more unit of capacity at "
        "the margin, is {price}",
        "knock_on": " — {change} than without capacity limits ({alone}): another service of the "
        "plan was cut by a full provider, and the money went to the best combination of the "
        "rest",
        "region_choice": " — {change} than without capacity limits ({alone}), although no "
        "provider of this plan is full: the region's allocation differs from this "
        "participant's own optimum here",
        "fewer": "{n} fewer",
        "more": "{n} more",
        "gap": "The region's allocation is within {gap} of the best possible (proven).",
        "optimal": "The region's allocation is proven optimal.",
    },
    "lv": {
        "header": "Dalībnieks {pid} reģiona aprēķinā ({method}; {municipality}).",
        "item": "{k}. {service}: {units} no {rec} ({unit})",
        "as_alone": " — tik, cik bez jaudas ierobežojumiem",
        "capacity": " — par {lost} mazāk nekā bez jaudas ierobežojumiem ({alone}): pakalpojuma "
        "«{service}» sniedzējs pašvaldībā {municipality} ir pilns (izmantots {used} no "
        "{cap}){price}",
        "price": "; tā ēnu cena, vēl vienas jaudas vienības robežvērtība reģionam, ir {price}",
        "knock_on": " — {change} nekā bez jaudas ierobežojumiem ({alone}): kādu citu plāna "
        "pakalpojumu ierobežoja pilns sniedzējs, un nauda tika novirzīta labākajai atlikušo "
        "kombinācijai",
        "region_choice": " — {change} nekā bez jaudas ierobežojumiem ({alone}), lai gan neviens "
        "šī plāna pakalpojuma sniedzējs nav pilns: reģiona sadalījums šeit atšķiras no "
        "dalībnieka paša optimuma",
        "fewer": "par {n} mazāk",
        "more": "par {n} vairāk",
        "gap": "Reģiona sadalījums ir ne tālāk kā {gap} no labākā iespējamā (pierādīts).",
        "optimal": "Reģiona sadalījums ir pierādīti optimāls.",
    },
}


def region_explain(result: Any, participant_id: object) -> pd.DataFrame:
    """One row per plan item of ``participant_id`` in a region result (see module docstring).

    Columns: ``service``, ``unit``, ``recommended_units``, ``units``, ``units_alone`` (the
    participant's own optimum, without capacity limits), ``units_lost``, ``reason``,
    ``region_cause`` (one of :data:`REGION_CAUSES`), and for the item's provider (NaN where the
    service has no capacity in the municipality) ``capacity_units``, ``used_units`` and
    ``price`` (shadow price: the region's value of one more unit of capacity).
    """
    pid = check_participant(result, participant_id)
    parts = result.participants
    mine = parts[parts["participant_id"].astype(str) == pid]
    municipality = str(mine["municipality"].iloc[0])
    items = result.items[result.items["participant_id"].astype(str) == pid]
    caps = result.shadow_prices
    here = caps[caps["municipality"].astype(str) == municipality].set_index("service")
    service = items["service"].astype(str)
    units = items["units"].to_numpy(dtype=np.int64)
    alone = items["units_uncapacitated"].to_numpy(dtype=np.int64)
    cut = (items["reason"].astype(str) == "unavailable").to_numpy()
    moved = "knock_on" if cut.any() else "region_choice"
    cause = np.where(cut, "capacity", np.where(units != alone, moved, "as_alone"))
    out = pd.DataFrame(
        {
            "service": service.to_numpy(),
            "unit": items["unit"].to_numpy(),
            "recommended_units": items["recommended_units"].to_numpy(),
            "units": units,
            "units_alone": alone,
            "units_lost": alone - units,
            "reason": items["reason"].to_numpy(),
            "region_cause": pd.Categorical(cause, categories=list(REGION_CAUSES)),
            "capacity_units": service.map(here["capacity_units"]).to_numpy(dtype=np.float64),
            "used_units": service.map(here["used_units"]).to_numpy(dtype=np.float64),
            "price": service.map(here["price"]).to_numpy(dtype=np.float64),
        },
        index=items.index,
    )
    out.attrs.update(
        participant_id=pid, municipality=municipality, method=result.method, gap=result.gap
    )
    return out


def _num(x: float, lang: str) -> str:
    text = f"{x:.4g}"
    return text.replace(".", ",") if lang == "lv" else text


def region_text(result: Any, participant_id: object, lang: str = "en") -> str:
    """The region explanation of one participant as text (English or Latvian)."""
    if lang not in _WORDS:
        raise InputError.single("arguments", "lang", f"must be one of en, lv (got {lang!r})")
    f = region_explain(result, participant_id)
    w = _WORDS[lang]
    lines = [
        w["header"].format(
            pid=f.attrs["participant_id"],
            method=result.method,
            municipality=f.attrs["municipality"],
        )
    ]
    cols = {c: f[c].tolist() for c in f.columns}
    names = getattr(result, "service_names", None)
    cols["service"] = [service_label(s, lang, names) for s in cols["service"]]
    for k in range(len(f)):
        row = {c: v[k] for c, v in cols.items()}
        unit = unit_word(float(row["recommended_units"]), row["unit"], lang)
        line = w["item"].format(
            k=k + 1,
            service=row["service"],
            units=row["units"],
            rec=row["recommended_units"],
            unit=unit,
        )
        cause, lost = str(row["region_cause"]), int(row["units_lost"])
        if cause == "capacity":
            price = float(row["price"])
            line += w["capacity"].format(
                lost=lost,
                alone=row["units_alone"],
                service=row["service"],
                municipality=f.attrs["municipality"],
                used=int(row["used_units"]),
                cap=int(row["capacity_units"]),
                unit=unit_word(float(row["capacity_units"]), row["unit"], lang),
                price=w["price"].format(price=_num(price, lang)) if np.isfinite(price) else "",
            )
        elif cause in ("knock_on", "region_choice"):
            change = w["fewer" if lost > 0 else "more"].format(n=abs(lost))
            line += w[cause].format(change=change, alone=row["units_alone"])
        else:
            line += w["as_alone"]
        lines.append(line + ".")
    gap = max(float(result.gap), 0.0)
    if gap <= PROVEN_GAP:
        lines.append(w["optimal"])
    else:
        pct = f"{100 * gap:.3g}%"
        lines.append(w["gap"].format(gap=pct.replace(".", ",") if lang == "lv" else pct))
    return "\n".join(lines + record_line(None if result.record is None else result.record.id, lang))


class RegionParticipantView(View):
    """One participant of a region run (``result.participant(pid)``): ``explain()`` and
    ``text(lang)`` say which provider was full; the what-ifs raise
    :class:`~ibm_engine.NotApplicableError` (capacities tie the participants together)."""

    def __init__(self, result: Any, participant_id: object) -> None:
        super().__init__(result, check_participant(result, participant_id), "region run")

    def explain(self) -> pd.DataFrame:
        return region_explain(self._result, self.participant_id)

    def text(self, language: str = "en") -> str:
        return region_text(self._result, self.participant_id, language)
