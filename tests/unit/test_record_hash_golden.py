"""The content hash's values never change: records stored years ago must still match.

The digests below were computed by the hash as released with issue 10 (after the text-hash fix)
and are pinned here, so that any change of how the hash is computed (compiled kernels, fast
paths, another pandas) that changes a value fails here, whatever the reference says."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from helpers.hash_reference import random_frame
from ibm_engine.allocation._record import hash_outputs
from ibm_engine.tables import PARTICIPANTS, PLAN_ITEMS, SERVICES
from ibm_engine.tables._hash import hash_table

pytest.importorskip("pyarrow")

#: random frames of every kind of column (``random_frame(seed, n)``), hashed with money ``_eur``
FRAMES = {
    (1, 1): "b17ffa726495251719be475920dec8a5",
    (3, 300): "b1e3b7ed57490e69989137b42e02b6aa",
    (4, 2_000): "991a816c7121f08aabc396525dd11018",
    (8, 20_000): "c4d9ce686bd48f1021f436e873aaadcf",
}


def _edges() -> pd.DataFrame:
    """Cells at the edges of each kind: money off the cent, huge and infinite, -0.0, integral
    floats beyond 2**53 and 2**63, texts of 0, 8, 16 and 17 bytes, blanks, repeated runs."""
    money = [0.0, -0.0, 1.005, 12.34, 1e-7, 1e15, 1e17, np.inf, -np.inf, np.nan, 0.1 + 0.2, 2.675]
    floats = [0.0, -0.0, 3.0, 2.0**53 + 2, 2.0**63, -(2.0**63), 1e300, np.nan, np.inf, 0.5, -1.5, 7]
    texts = ["", " ", "abcdefgh", "abcdefghijklmnop", "abcdefghijklmnopq", "ā" * 8, None, "x",
             "x", "x", "abcdefgh", "\u00a0"]  # fmt: skip
    ints = pd.array([0, 1, None, -(2**63), 2**63 - 1, 5, 5, 5, None, 0, 2, 3], dtype="Int64")
    return pd.DataFrame({"cost_eur": money, "f": floats, "t": texts, "i": ints})


EDGES = "f5a09f0607d1937ae2399c1b4fd07ecb"
CONTRACT = {
    "participants": "1525c4ffe9d93dc20242bd7fd57cf607",
    "plan_items": "e18216a03feabc4d941beb7fcf778b9f",
    "services": "475efe36f166c13643c1fc7b4f555f3c",
}
OUTPUTS = {
    "items": "f8574d9042ccb33c168df6d2c58fda5a",
    "participants": "5ba36c8992ded412a3e9bb7d8938be44",
    "rejected": "00000000000000000000000000000000",
}


@pytest.mark.parametrize(("seed", "n"), list(FRAMES))
def test_random_frames(seed: int, n: int) -> None:
    assert hash_table(random_frame(seed, n), money_suffix="_eur").hex == FRAMES[(seed, n)]


def test_edge_cells() -> None:
    df = _edges()
    assert hash_table(df, money_suffix="_eur").hex == EDGES
    arrow = df.astype({"t": pd.StringDtype("pyarrow")})
    assert hash_table(arrow, money_suffix="_eur").hex == EDGES


def test_contract_tables_and_results() -> None:
    p, i, s = ibm.synthetic_zemgale(seed=5, n_grt=30, n_ft=20, n_bsac=10)
    got = {
        "participants": hash_table(p, PARTICIPANTS, money_suffix="_eur").hex,
        "plan_items": hash_table(i, PLAN_ITEMS, money_suffix="_eur").hex,
        "services": hash_table(s, SERVICES, money_suffix="_eur").hex,
    }
    assert got == CONTRACT
    res = ibm.allocate(p, i, s)
    outs = hash_outputs(items=res.items, participants=res.participants, rejected=res.rejected)
    assert {k: h.hex for k, h in outs.items()} == OUTPUTS
    assert {k: res.record.outputs[k].hash for k in OUTPUTS} == OUTPUTS
    # allocate hashes its inputs from the columns its validation converted: the same values
    assert {k: res.record.inputs[k].hash for k in CONTRACT} == CONTRACT
