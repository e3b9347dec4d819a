"""How a result's tables become database columns and come back unchanged.

Each column of a stored table gets a *kind* (the SQL type it is stored as) and keeps its pandas
dtype, so that loading gives back the same frame: money (float columns named ``*_eur`` whose
every value is a whole number of cents) as BIGINT cents; integers as BIGINT; other floats as
DOUBLE PRECISION; booleans as BOOLEAN; text (and categories, whose categories are kept) as TEXT;
object columns mixing types (``rejected.row``: a participant id or a row number) as JSON text.

Pseudonymisation replaces participant ids by a keyed hash (HMAC-SHA256) and drops the columns
the contract does not define.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine.errors import InputError
from ibm_engine.tables import (
    PARTICIPANTS,
    PLAN_ITEMS,
    SERVICES,
)
from ibm_engine.tables._problems import REJECTED_COLUMNS
from ibm_engine.tables._schema import ITEM_RESULTS, PARTICIPANT_RESULTS

__all__ = [
    "SQL_TYPES",
    "Column",
    "decode",
    "encode",
    "pseudonymise",
]

#: SQL type of each kind (the same words in DuckDB and PostgreSQL)
SQL_TYPES: Final = {
    "text": "TEXT",
    "int": "BIGINT",
    "float": "DOUBLE PRECISION",
    "money": "BIGINT",
    "bool": "BOOLEAN",
    "json": "TEXT",
}
#: the kind a contract column has when its values allow it; its database column is then
#: named as the column, any other (column, kind) pair is stored as ``<column>__<kind>``
_CONTRACT_KIND: Final = {"id": "text", "text": "text", "int": "int", "float": "float",
                         "money": "money"}  # fmt: skip
_MIN_KEY_BYTES: Final = 16
#: hexadecimal digits kept of the HMAC-SHA256 digest (128 bits)
PSEUDONYM_DIGITS: Final = 32


def _contract_columns() -> dict[str, str]:
    """The kind of every contract column, from its spec (inputs, then the result columns)."""
    specs = (*SERVICES, *PLAN_ITEMS, *PARTICIPANTS, *ITEM_RESULTS, *PARTICIPANT_RESULTS)
    kinds = {c.name: _CONTRACT_KIND[c.kind] for c in specs}
    for name in REJECTED_COLUMNS:
        kinds[name] = "text"
    kinds["row"] = "json"
    return kinds


#: the contract's columns (inputs, results, rejected) and the kind each is stored as
CONTRACT_KINDS: Final = _contract_columns()


@dataclass(frozen=True)
class Column:
    """One column of a stored table: its name, pandas dtype, kind and database column."""

    name: str
    dtype: str
    kind: str
    physical: str
    categories: str | None = None  # JSON list, for dtype "category"


def _text_values(s: pd.Series) -> bool:
    """Whether every non-missing value of an object column is text."""
    v = s.dropna()
    return all(isinstance(x, str) for x in v.unique())


def _kind(name: str, s: pd.Series) -> str:
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "text" if _text_values(pd.Series(dtype.categories, dtype=object)) else "json"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        if name.endswith("_eur"):
            x = s.to_numpy(dtype=np.float64, na_value=np.nan)
            finite = np.isfinite(x)
            cents = np.round(x[finite] * 100.0)
            exact = (np.abs(cents) < 2.0**53).all() and (cents / 100.0 == x[finite]).all()
            if exact and finite.sum() == s.notna().sum():
                return "money"
        return "float"
    if pd.api.types.is_string_dtype(dtype) and _text_values(s.astype(object)):
        return "text"
    return "json"


def _json(x: object) -> str | None:
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
        return None
    if isinstance(x, np.generic):
        x = x.item()
    return json.dumps(x, ensure_ascii=False, default=str)


def encode(df: pd.DataFrame) -> tuple[pd.DataFrame, list[Column]]:
    """A table as database values (columns named as stored) and the description of its columns.

    Examples
    --------
    >>> df = pd.DataFrame({"participant_id": ["P1", "P2"], "cost_eur": [81.3, 0.1],
    ...                    "weight": [0.25, 1.0], "row": ["P1", 3]})
    >>> values, columns = encode(df)
    >>> values["cost_eur"].tolist(), values["row"].tolist()
    ([8130, 10], ['"P1"', '3'])
    >>> [(c.name, c.kind, c.physical) for c in columns][1:]
    [('cost_eur', 'money', 'cost_eur'), ('weight', 'float', 'weight'), ('row', 'json', 'row')]
    >>> decode(values, columns).equals(df)
    True
    """
    out: dict[str, pd.Series] = {}
    cols = []
    for name in df.columns:
        s = df[name]
        kind = _kind(str(name), s)
        physical = str(name) if CONTRACT_KINDS.get(str(name)) == kind else f"{name}__{kind}"
        cats = None
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = json.dumps([_json(c) if kind == "json" else c for c in s.dtype.categories])
            s = s.astype(object)
        if kind == "money":
            x = s.to_numpy(dtype=np.float64, na_value=np.nan)
            v: pd.Series = pd.Series(np.round(x * 100.0), index=s.index).astype("Int64")
        elif kind == "int":
            v = s.astype("Int64")
        elif kind == "json":
            v = s.astype(object).map(_json).astype(object)
        elif kind == "text":
            v = s.astype(object).where(s.notna(), None)
        else:
            v = s
        out[physical] = v
        cols.append(Column(str(name), str(df[name].dtype), kind, physical, cats))
    return pd.DataFrame(out, index=df.index), cols


def _from_json(x: object) -> Any:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else json.loads(str(x))


def decode(values: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
    """The table :func:`encode` was given, from the database values and column descriptions."""
    out: dict[str, pd.Series | pd.Categorical] = {}
    for c in columns:
        s = values[c.physical]
        if c.kind == "money":
            x = s.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan) / 100.0
            s = pd.Series(x, index=values.index)
        elif c.kind == "json":
            s = s.astype(object).map(_from_json).astype(object)
        if c.categories is not None:
            cats = json.loads(c.categories)
            if c.kind == "json":
                cats = [_from_json(x) for x in cats]
            out[c.name] = pd.Categorical(s.astype(object).where(s.notna(), None), cats)
        elif c.dtype == "object":
            out[c.name] = s.astype(object).where(s.notna(), None)
        else:
            out[c.name] = s.astype(c.dtype)  # type: ignore[call-overload]  # stored dtype
    return pd.DataFrame(out, index=pd.RangeIndex(len(values)))


def key_bytes(key: str | bytes) -> bytes:
    """The pseudonymisation key as bytes; InputError if it is too short to be secret."""
    raw = key.encode("utf-8") if isinstance(key, str) else key
    if not isinstance(raw, bytes) or len(raw) < _MIN_KEY_BYTES:
        raise InputError.single(
            "arguments", "key", f"must be text or bytes of at least {_MIN_KEY_BYTES} bytes"
        )
    return raw


def pseudonyms(ids: pd.Series, key: bytes) -> pd.Series:
    """Each id replaced by the first 32 hex digits of HMAC-SHA256(key, id as text).

    Examples
    --------
    >>> k = b"0123456789abcdef"
    >>> p = pseudonyms(pd.Series(["P1", "P2", "P1", None]), k)
    >>> p[0] == p[2] != p[1], len(p[0]), p[3] is None
    (True, 32, True)
    """
    codes, uniques = pd.factorize(ids.astype(object).where(ids.notna(), None))
    hashed = np.array(
        [
            hmac.new(key, str(u).encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_DIGITS]
            for u in uniques
        ]
        + [None],
        dtype=object,
    )
    return pd.Series(hashed[codes], index=ids.index, dtype=object)


def pseudonymise(
    tables: dict[str, pd.DataFrame], key: bytes, extra: set[str]
) -> dict[str, pd.DataFrame]:
    """The tables with participant ids pseudonymised and the ``extra`` columns dropped.

    ``rejected.row`` holds the participant id where the row has one: those are replaced too.
    """
    out = {}
    for name, df in tables.items():
        df = df.drop(columns=[c for c in df.columns if c in extra])
        if "participant_id" in df.columns:
            ids = df["participant_id"]
            df = df.assign(participant_id=pseudonyms(ids, key).to_numpy())
            if "row" in df.columns:
                same = df["row"].astype(object).eq(ids.astype(object)).to_numpy(dtype=bool)
                df = df.assign(row=df["row"].astype(object).where(~same, df["participant_id"]))
        out[name] = df
    return out
