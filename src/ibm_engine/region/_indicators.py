"""Programme output indicators: participants receiving each service type, against targets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine.domain._service import TARGET_GROUPS
from ibm_engine.errors import InputError
from ibm_engine.region._delivery import Delivery
from ibm_engine.tables import ColumnSpec, ProblemLog
from ibm_engine.tables._columns import check_columns, check_unique_columns
from ibm_engine.tables._sources import file_sources

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


#: the columns of a targets table
TARGETS: Final = (
    ColumnSpec("target_group", "text", False, choices=TARGET_GROUPS, empty="every group",
               description="the target group the target counts"),
    ColumnSpec("service_group", "text", False,
               description="a service group (a key of `groups`); give it or `service`"),
    ColumnSpec("service", "text", False, description="one service; give it or `service_group`"),
    ColumnSpec("target_count", "int", True, ge=0,
               description="participants the programme aims to reach"),
)  # fmt: skip


def _check_targets(
    targets: object, groups: Mapping[str, Sequence[str]]
) -> tuple[pd.DataFrame, np.ndarray]:
    """The targets table checked column by column (``TARGETS``) and row by row (exactly one of
    ``service_group`` and ``service``, a known group): the table with its text columns
    cleaned (empty as ""), and the target counts; one InputError naming every problem."""
    if not isinstance(targets, pd.DataFrame):
        raise InputError.single("targets", None, "must be a pandas DataFrame")
    check_unique_columns(targets.columns, "targets")
    log = ProblemLog(sources=file_sources(targets=targets))
    df = targets.reset_index(drop=True)
    cols = check_columns(df, "targets", TARGETS, log, None, attributable=False)
    n = len(df)

    def text(name: str) -> np.ndarray:
        col = cols.get(name)
        return np.full(n, "", dtype=object) if col is None else np.where(col.empty, "", col.values)

    group, service = text("service_group"), text("service")
    has_group, has_service = group != "", service != ""
    log.add_rows(
        "targets",
        "service_group",
        has_group == has_service,
        "give exactly one of service_group and service",
        None,
        attributable=False,
    )
    known = np.isin(group.astype(str), list(groups))
    log.add_rows("targets", "service_group", has_group & ~known,
                 f"unknown group; known: {', '.join(sorted(groups))}", None,
                 detail=group, attributable=False)  # fmt: skip
    if log:
        raise InputError(log.records)
    clean = df.assign(target_group=text("target_group"), service_group=group, service=service)
    return clean, np.asarray(cols["target_count"].values, dtype=np.int64)


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
    t, count = _check_targets(targets, groups)
    has_group = t["service_group"].to_numpy() != ""
    achieved = []
    all_groups = (t["target_group"] == "").to_numpy()
    for k in range(len(t)):
        services = groups[str(t["service_group"].iat[k])] if has_group[k] else [t["service"].iat[k]]
        rows = got["service"].isin(list(services))
        if not all_groups[k]:
            rows &= got["target_group"] == t["target_group"].iat[k]
        achieved.append(got.loc[rows, "participant_id"].nunique())
    res = t.assign(participants=np.asarray(achieved, dtype=np.int64))
    with np.errstate(divide="ignore", invalid="ignore"):
        res["share"] = np.where(count > 0, res["participants"] / count, np.nan)
    res["met"] = res["participants"].to_numpy() >= count
    return res
