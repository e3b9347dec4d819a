"""The compiled hash kernels (numba) give the hashes of the numpy reference
(``tests/helpers/hash_reference.py``) on random frames of every kind of column, take one
signature each, and are not loaded by ``import ibm_engine``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.hash_reference import numpy_hashing, random_frame
from ibm_engine.tables import PARTICIPANTS, PLAN_ITEMS
from ibm_engine.tables._hash import hash_table, row_digests

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("seed", "n"), [(0, 0), (1, 1), (2, 7), (3, 300), (4, 2_000), (5, 4_096), (9, 9_999)]
)
def test_kernels_give_the_numpy_hashes(seed: int, n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyarrow")
    df = random_frame(seed, n)
    compiled = row_digests(df, money_suffix="_eur")
    with numpy_hashing(monkeypatch):
        reference = row_digests(df, money_suffix="_eur")
    assert compiled[2:] == reference[2:]
    assert compiled[2] == tuple(sorted(df.columns))
    assert np.array_equal(compiled[0], reference[0])
    assert np.array_equal(compiled[1], reference[1])


def test_kernels_give_the_numpy_hashes_of_contract_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ibm_engine as ibm

    p, i, _ = ibm.synthetic_zemgale(seed=5, n_grt=30, n_ft=20, n_bsac=10)
    p = p.astype({"age": object})
    p.loc[1, "age"] = "eleven"  # an invalid cell: hashed by its own value
    for df, specs in ((p, PARTICIPANTS), (i, PLAN_ITEMS)):
        compiled = hash_table(df, specs, money_suffix="_eur")
        with numpy_hashing(monkeypatch):
            assert hash_table(df, specs, money_suffix="_eur") == compiled


def test_one_signature_per_kernel() -> None:
    from ibm_engine.tables import _hash_kernels as k

    df = random_frame(6, 50)
    ro = df.copy()
    ro["float"] = pd.Series(np.repeat(df["float"].to_numpy(), 2)[::2])  # a strided copy
    assert hash_table(ro) == hash_table(df)
    names = (
        "fin_a",
        "fin_b",
        "_chain",
        "chain_cells",
        "table_cells",
        "chain_coded",
        "utf8_hashes",
        "chain_texts",
        "number_cells",
        "money_cells",
        "chain_floats",
        "chain_ints",
        "halves_sums",
    )
    for name in names:
        assert len(getattr(k, name).signatures) == 1, name


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        check=False,
    )


def test_honours_numba_cache_dir(tmp_path: Path) -> None:
    code = (
        "import ibm_engine, sys; assert 'numba' not in sys.modules; "
        "from ibm_engine.tables import _hash_kernels as k; print(k.chain_cells._cache._cache_path)"
    )
    out = _run(code, {"NUMBA_CACHE_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(str(tmp_path))
    assert any(tmp_path.rglob("*.nbi"))  # the index of the cached machine code


def test_compiles_without_a_cache_when_no_location_is_writable() -> None:
    code = (
        "from numba.core import caching; caching.CacheImpl._locator_classes = []\n"
        "import pandas as pd\n"
        "from ibm_engine.tables import _hash_kernels as k\n"
        "from ibm_engine.tables._hash import hash_table\n"
        "print(hash_table(pd.DataFrame({'x': [1.5, 2.0], 'y': ['a', 'b']})).hex, "
        "type(k.chain_cells._cache).__name__)"
    )
    out = _run(code, {"NUMBA_CACHE_DIR": "/proc/no-cache-here"})
    assert out.returncode == 0, out.stderr
    expected = hash_table(pd.DataFrame({"x": [1.5, 2.0], "y": ["a", "b"]})).hex
    assert out.stdout.split() == [expected, "NullCache"]


@pytest.mark.parametrize("blank", ["", " ", "\u3000", "\u00a0x"])
def test_many_texts_that_may_be_blank(blank: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """More texts that may be blank than the text kernel sets aside at once (it stops and
    is called again), among others and nulls, as the numpy reference hashes them."""
    pytest.importorskip("pyarrow")
    texts = [blank] * 9_000 + ["a", None, "b" * 20] * 1_000 + [blank] * 5
    df = pd.DataFrame({"t": pd.array(texts, dtype="string[pyarrow]")})
    compiled = row_digests(df)
    with numpy_hashing(monkeypatch):
        reference = row_digests(df)
    assert np.array_equal(compiled[0], reference[0])
    assert np.array_equal(compiled[1], reference[1])
    nulls = [None if t == blank else t for t in texts]
    as_nulls = pd.DataFrame({"t": pd.array(nulls, dtype="string[pyarrow]")})
    assert (hash_table(df) == hash_table(as_nulls)) == (not blank.strip())  # blanks are null


def test_codes_wrap_as_numpy_take_does() -> None:
    from ibm_engine.tables import _hash_kernels as k

    codes = np.array([-1, 0, 2, -3, 5, -7, 11], dtype=np.int64)
    ha = np.array([11, 22, 33], dtype=np.uint64)
    hb = ha + np.uint64(1)
    got_a, got_b = np.zeros(7, np.uint64), np.zeros(7, np.uint64)
    k.chain_coded(codes, ha, hb, got_a, got_b)
    want_a, want_b = np.zeros(7, np.uint64), np.zeros(7, np.uint64)
    k.chain_coded(np.take(np.arange(3), codes, mode="wrap"), ha, hb, want_a, want_b)
    assert np.array_equal(got_a, want_a)
    assert np.array_equal(got_b, want_b)


def test_repeated_texts_are_looked_up_right() -> None:
    # the kernel reuses the hash of the row before and of a table of recent short texts:
    # runs, texts coming back after long ones, more distinct texts than the table holds
    from helpers.hash_reference import text_hashes
    from ibm_engine.tables._hash_bytes import Utf8

    rng = np.random.default_rng(11)
    ids = [f"ZG-{i:06d}" for i in range(3_000)] + ["", "x", "abcdefgh", "abcdefghijklmnop"]
    long = ["abcdefghijklmnopq", "ZG-000001" * 3]
    texts = [ids[i] for i in rng.integers(0, len(ids), 20_000)]
    texts += [t for i in range(200) for t in (ids[i], long[i % 2], ids[i], ids[i], long[0])]
    texts += ["abcdefgh\0", "abcdefgh", "abcdefgh\0\0", "a", "a\0", "a"]  # same words, other n
    utf = Utf8.of(texts)
    got, want = utf.hashes(), text_hashes(utf)
    assert np.array_equal(got[0], want[0])
    assert np.array_equal(got[1], want[1])


@pytest.mark.parametrize("money", [False, True])
def test_float_kernels_give_the_numpy_cells(money: bool) -> None:
    from helpers.hash_reference import float_cells
    from ibm_engine.tables._hash_parts import float_cells as _float_cells

    rng = np.random.default_rng(12)
    vals = np.concatenate(
        [
            rng.normal(size=5_000) * 10.0 ** rng.integers(-9, 20, 5_000),
            rng.integers(-(10**8), 10**8, 5_000) / 100,  # whole cents
            np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 2.0**53, 2.0**63, -(2.0**63), 1e308]),
            np.array([0.005, 1.005, 2.675, 1e-7, 0.1 + 0.2, 90071992547409.92, 1e-4 / 100]),
        ]
    )
    tol = 1e-4 if money else None
    got, want = _float_cells(vals, tol), float_cells(vals, tol)
    assert np.array_equal(got.tag, want.tag)
    assert np.array_equal(got.a, want.a)
