"""The input tables a run is stored with: every table its record names, each checked.

A run is stored with the tables that made it, so that it can be reproduced and explained again
from the archive alone: the three contract tables and, where the run had them, its capacities,
neighbours, periods, disruptions and pauses. Each given table is hashed as the record's tables
were (validated values; row and column order aside) and must match the record: an archive that
kept other tables than the ones behind a decision would reproduce some other decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from ibm_engine.allocation._record import hash_inputs
from ibm_engine.errors import InputError

__all__ = ["MAIN_INPUTS", "OTHER_INPUTS", "frame", "run_inputs"]

#: the contract's tables, given to every store
MAIN_INPUTS: Final = ("participants", "plan_items", "services")
#: the other input tables a run may have, given by name
OTHER_INPUTS: Final = ("capacities", "neighbours", "periods", "disruptions", "pauses")


def frame(x: object, name: str) -> pd.DataFrame:
    """``x`` as a DataFrame (InputError naming the table where it is not a table)."""
    if isinstance(x, pd.DataFrame):
        return x
    try:
        out: pd.DataFrame = pd.DataFrame(x)  # type: ignore[call-overload]  # any table-like
    except (TypeError, ValueError) as err:
        reason = f"must be a table (DataFrame or records): {err}"
        raise InputError.single(name, None, reason) from err
    return out


def run_inputs(record: Mapping[str, Any], given: Mapping[str, object]) -> dict[str, pd.DataFrame]:
    """The tables to store as ``input_<name>``, after checking them against ``record``.

    Raises
    ------
    InputError
        A table name the archive does not store; a table the record names but not given; a
        table given that was not an input of the run; a table whose content hash differs
        from the record's (the result was computed from another table).
    """
    unknown = sorted(set(given) - {*MAIN_INPUTS, *OTHER_INPUTS})
    if unknown:
        names = ", ".join((*MAIN_INPUTS, *OTHER_INPUTS))
        raise InputError.single(
            "arguments", unknown[0], f"is not an input table the archive stores ({names})"
        )
    tables = {n: t for n, t in given.items() if t is not None}
    recorded: Mapping[str, Any] = record.get("inputs") or {}
    kind = record.get("kind", "allocate")
    if not recorded:  # a result without a record of its inputs: nothing to check against
        return {f"input_{n}": frame(t, n) for n, t in tables.items()}
    for name in recorded:
        if name not in tables:
            raise InputError.single(
                "arguments",
                name,
                f"this {kind} run was computed from a {name} table too: pass it ({name}=...) "
                "so that the archive can reproduce the run",
            )
    for name in tables:
        if name not in recorded:
            raise InputError.single(
                "arguments",
                name,
                f"was not an input of this {kind} run (its record names {', '.join(recorded)})",
            )
    hashes = hash_inputs(**tables)
    for name, h in hashes.items():
        if h.hex != recorded[name]["hash"]:
            raise InputError.single(
                name,
                None,
                "is not the table this result was computed from: its content hash differs "
                "from the record's (row and column order aside); for a scenario run, store "
                "the scenario's own tables (run.inputs)",
            )
    return {f"input_{n}": frame(t, n) for n, t in tables.items()}
