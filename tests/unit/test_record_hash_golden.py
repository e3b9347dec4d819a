"""The content hash's values never change: records stored years ago must still match.

The digests below are pinned, so that any change of how the hash is computed (compiled kernels,
fast paths, another pandas) that changes a value fails here, whatever the reference says. They
were set last on 2026-12-05, before the first release, when a cell's value stopped going
through the finaliser once more before the chain (every digest changed then, once);
:func:`test_the_definition_by_hand` spells the definition out in plain Python."""

from __future__ import annotations

import hashlib

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
    (1, 1): "9e52e8d258ff505fd503c4f8ebe94bfa",
    (3, 300): "d54cc7282e8ba0fa36a239cc3f8c92ca",
    (4, 2_000): "f9532955cf08d0d4b8edf8bb78df975a",
    (8, 20_000): "7e8fc9b1328da6ba0d4d09bac8515e4c",
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


EDGES = "736cb2aaa4bd8fa0350a839b4d4ca4fa"
CONTRACT = {
    "participants": "739ee32aabeaec60740cd9c055e10b51",
    "plan_items": "5236a8af8959ee2ecd9900918f54480d",
    "services": "37d8e9b7f291ba6c900ec22f25181ecb",
}
OUTPUTS = {
    "items": "9751e594f8b5a0067d66dbab371834f6",
    "participants": "dc41434ba74d3663de08df89140061db",
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


_M = (1 << 64) - 1
_CHAIN = 0x9E3779B97F4A7C15


def _fin(x: int, m1: int, m2: int, s1: int, s2: int, s3: int) -> int:
    x ^= x >> s1
    x = (x * m1) & _M
    x ^= x >> s2
    x = (x * m2) & _M
    return x ^ (x >> s3)


def _fin_a(x: int) -> int:  # splitmix64's finaliser
    return _fin(x, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 30, 27, 31)


def _fin_b(x: int) -> int:  # murmur3's fmix64
    return _fin(x, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 33, 33, 33)


def _seeds(name: str) -> tuple[int, int]:
    d = hashlib.blake2b(b"column\x00" + name.encode(), digest_size=16).digest()
    return int.from_bytes(d[:8], "little"), int.from_bytes(d[8:], "little")


def _text(t: str) -> tuple[int, int]:
    """A text's two hashes: seeded by its length in bytes, then chained over its 8-byte
    little-endian words (the last padded with zeros)."""
    raw = t.encode()
    ha = _fin_a(len(raw) ^ 0x94D049BB133111EB)
    hb = _fin_b(len(raw) ^ 0xC4CEB9FE1A85EC53)
    for k in range(0, len(raw), 8):
        w = int.from_bytes(raw[k : k + 8].ljust(8, b"\0"), "little")
        ha = _fin_a(((ha * _CHAIN) & _M) ^ w)
        hb = _fin_b(((hb * _CHAIN) & _M) ^ ((w + 0xFF51AFD7ED558CCD) & _M))
    return ha, hb


def test_the_definition_by_hand() -> None:
    """Two rows of an integer, a money, a float and a text column, hashed as the module
    docstring of ``tables._hash`` defines it, in plain Python integers."""
    rows = [(7, 12.34, 0.5, "Jelgava"), (-2, 0.1, 3.0, "a text of 23 bytes ....")]
    df = pd.DataFrame(rows, columns=["n", "cost_eur", "x", "t"])
    total = 0
    for n, eur, x, t in rows:
        cells = {  # column: (tag, payload a, payload b); tags INT 1, FLOAT 2, TEXT 3, MONEY 4
            "cost_eur": (4, round(eur * 100), round(eur * 100)),
            "n": (1, n & _M, n & _M),
            "t": (3, *_text(t)),
            "x": (1, int(x), int(x))
            if x == int(x)
            else (2, *[np.float64(x).view(np.uint64).item()] * 2),
        }
        a = b = 0
        for name in sorted(cells):
            tag, pa, pb = cells[name]
            sa, sb = _seeds(name)
            a = _fin_a(((a * _CHAIN) & _M) ^ pa ^ ((tag * _CHAIN) & _M) ^ sa)
            b = _fin_b(((b * _CHAIN) & _M) ^ pb ^ ((tag * _CHAIN) & _M) ^ sb)
        total = (total + (a << 64) + b) % (1 << 128)
    assert hash_table(df, money_suffix="_eur").digest == total
