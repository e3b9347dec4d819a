"""Text columns stored as Arrow strings, factorised by Arrow itself (no Python string per row).

pandas keeps ``str`` columns as Arrow strings when pyarrow is installed (the default from pandas
3). Arrow's dictionary encoding then gives the codes in order of first appearance, exactly as
``pd.factorize``, at a fraction of its cost, and the blank and spaced checks run on the
distinct strings only. Columns of Python objects take the general path of
:func:`ibm_engine.tables._convert.text`. pyarrow stays optional: it is imported only when a
column already is Arrow-backed, so it is installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray, IntArray

__all__ = ["arrow_factorize"]


def _arrow_strings(s: pd.Series) -> Any:
    """The column as one Arrow string array, or None when it is not stored as Arrow strings."""
    dtype = s.dtype
    if isinstance(dtype, pd.StringDtype):
        if dtype.storage != "pyarrow":
            return None
    elif not (isinstance(dtype, pd.ArrowDtype) and dtype.kind in ("O", "U")):
        return None
    import pyarrow as pa  # installed: the column is stored in it

    arr = pa.array(s.array)
    if isinstance(arr, pa.ChunkedArray):  # several chunks: one array (one dictionary)
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    return arr


def arrow_factorize(
    s: pd.Series,
) -> tuple[IntArray, np.ndarray, BoolArray, BoolArray, Any] | None:
    """Codes (-1: missing), the distinct strings (objects), per distinct string whether it is
    blank and whether it has surrounding whitespace, and the distinct strings as Arrow keeps
    them (what the content hash reads); None when ``s`` is not Arrow strings.
    """
    arr = _arrow_strings(s)
    if arr is None:
        return None
    import pyarrow.compute as pc

    enc = arr.dictionary_encode()
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(), dtype=np.int64)
    uniq = enc.dictionary
    stripped = pc.utf8_trim_whitespace(uniq)
    blank = np.asarray(pc.equal(stripped, "").to_numpy(zero_copy_only=False), dtype=bool)
    spaced = np.asarray(pc.not_equal(stripped, uniq).to_numpy(zero_copy_only=False), dtype=bool)
    texts = np.asarray(uniq.to_numpy(zero_copy_only=False), dtype=object)
    return codes, texts, blank, spaced, uniq
