"""Programme output indicators: participants receiving each service type, against targets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.errors import InputError
from ibm_engine.region._delivery import Delivery

__all__ = ["SERVICE_GROUPS", "indicators"]

#: service groups of the Zemgale project's indicators (FT children receiving social
#: rehabilitation, day care, respite care, social care). Which catalogue services count in a
#: group is an assumption; pass ``groups=`` to use another mapping.
SERVICE_GROUPS: Mapping[str, Sequence[str]] = {
    "social_rehabilitation": (
        "social_rehabilitation", "physiotherapy", "occupational_therapy", "speech_therapy",
        "psychologist", "music_therapy", "dance_movement_therapy", "aba_therapy", "montessori",
        "pedagogue", "person_group", "relatives_group", "social_mentor",
    ),
    "day_care": ("day_care_centre",),
    "respite_care": ("respite_care",),
    "social_care": ("child_social_care", "home_care", "assistant", "family_assistant"),
}  # fmt: skip


def _receiving(source: Any) -> pd.DataFrame:
    """(participant_id, target_group, service) with at least one delivered (or allocated) unit."""
    if isinstance(source, Delivery):
        it = source.plan.items
        got = source.delivered.sum(axis=1) > 0
        return pd.DataFrame(it.loc[got, ["participant_id", "target_group", "service"]])
    items = source.items
    people = source.participants.set_index("participant_id")
    got = items.loc[items["units"].to_numpy(np.int64) > 0, ["participant_id", "service"]]
    group = people["target_group"] if "target_group" in people else pd.Series("", people.index)
    return pd.DataFrame(got.assign(target_group=group.reindex(got["participant_id"]).to_numpy()))


def _blank(s: pd.Series) -> pd.Series:
    o = s.astype(object)
    return o.isna() | (o.astype(str).str.strip() == "")


def indicators(
    source: Any,
    targets: pd.DataFrame | None = None,
    groups: Mapping[str, Sequence[str]] = SERVICE_GROUPS,
) -> pd.DataFrame:
    """Count participants receiving each service type, against targets.

    A participant counts once per indicator row if at least one unit of a service of the row
    was delivered (a :class:`Delivery`) or allocated (an ``AllocationResult``).

    Parameters
    ----------
    source : Delivery or AllocationResult
    targets : DataFrame, optional
        ``target_group`` (empty = all), ``service_group`` (a key of ``groups``) or ``service``,
        and ``target_count`` (>= 0). Without targets: counts per target group and service.
    groups : mapping
        Service group -> services; default :data:`SERVICE_GROUPS`.

    Returns
    -------
    DataFrame
        The targets plus ``participants`` (achieved count), ``share`` (participants /
        target_count) and ``met``.

    Examples
    --------
    See docs/delivery.md.
    """
    got = _receiving(source)
    if targets is None:
        out = got.groupby(["target_group", "service"]).participant_id.nunique()
        return out.rename("participants").reset_index()
    problems: list[dict[str, Any]] = []

    def bad(row: object, column: str, reason: str) -> None:
        problems.append({"table": "targets", "row": row, "participant_id": None,
                         "column": column, "reason": reason})  # fmt: skip

    if not isinstance(targets, pd.DataFrame):
        raise InputError([{"table": "targets", "row": None, "participant_id": None,
                           "column": "", "reason": "must be a pandas DataFrame"}])  # fmt: skip
    t = targets.copy()
    for c in ("target_group", "service_group", "service"):
        if c not in t:
            t[c] = ""
    if "target_count" not in t:
        bad(None, "target_count", "missing column")
        raise InputError(problems)
    count = pd.to_numeric(t["target_count"], errors="coerce")
    for label in t.index[(count.isna() | (count < 0)).to_numpy()]:
        bad(label, "target_count", "must be a number >= 0")
    has_group, has_service = ~_blank(t["service_group"]), ~_blank(t["service"])
    for label in t.index[(has_group == has_service).to_numpy()]:
        bad(label, "service_group", "give exactly one of service_group and service")
    for label in t.index[(has_group & ~t["service_group"].isin(list(groups))).to_numpy()]:
        bad(label, "service_group", f"unknown group; known: {sorted(groups)}")
    if problems:
        raise InputError(problems)
    achieved = []
    all_groups = _blank(t["target_group"]).to_numpy()
    for k in range(len(t)):
        services = (
            groups[str(t["service_group"].iat[k])] if has_group.iat[k] else [t["service"].iat[k]]
        )
        rows = got["service"].isin(list(services))
        if not all_groups[k]:
            rows &= got["target_group"] == t["target_group"].iat[k]
        achieved.append(got.loc[rows, "participant_id"].nunique())
    res = t.assign(participants=np.asarray(achieved, dtype=np.int64))
    with np.errstate(divide="ignore", invalid="ignore"):
        res["share"] = np.where(count > 0, res["participants"] / count, np.nan)
    res["met"] = res["participants"].to_numpy() >= count.to_numpy()
    return res
