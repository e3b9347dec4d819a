"""The content hash's fast paths give the values of its plain ones (issue 10 §2, hashing at
most 10% of ``allocate``): columns ``prepare`` converted, Arrow-backed text, texts hashed in
chunks, whole numbers in a short range."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from helpers import hash_reference as reference
from ibm_engine.allocation._record import hash_inputs
from ibm_engine.tables import PARTICIPANTS, PLAN_ITEMS, SERVICES, prepare
from ibm_engine.tables import _hash_bytes as hb
from ibm_engine.tables._convert import Column
from ibm_engine.tables._hash import hash_table

_TEXTS = ["a", "", "  ", "ZG-GRT-000001", "ūdens", "x" * 40, "\u3000", "a\0", "Ö😀", "b\x1c"]


def test_space_lead_bytes_are_those_of_python_whitespace() -> None:
    lead = {c.encode()[0] for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}
    assert set(np.flatnonzero(hb._SPACE_LEAD).tolist()) == lead


@pytest.mark.parametrize("dtype", ["str", "string", object, "category"])
def test_text_storage_does_not_change_the_hash(dtype: object) -> None:
    pytest.importorskip("pyarrow")
    values = [*_TEXTS, None, *_TEXTS[::-1]]
    plain = hash_table(pd.DataFrame({"t": pd.Series(values, dtype=object)}))
    arrow = pd.Series(values, dtype=pd.StringDtype("pyarrow"))
    assert hash_table(pd.DataFrame({"t": arrow})) == plain
    stored = pd.Series(values, dtype=dtype)
    held = [x for x in stored.astype(object).tolist() if isinstance(x, str)]
    if held != [x for x in values if isinstance(x, str)]:
        # pandas 2 builds categories with C strings: "a\0" becomes "a" (pandas' doing);
        # the hash is of the values the column holds
        plain = hash_table(pd.DataFrame({"t": stored.astype(object)}))
    assert hash_table(pd.DataFrame({"t": stored})) == plain


def test_texts_hashed_in_chunks() -> None:
    # the numpy reference hashes texts in chunks; the compiled kernel one by one
    texts = np.array([f"id-{i}" * (1 + i % 3) for i in range(50)] + _TEXTS, dtype=object)
    whole = hb.text_hashes(texts)
    utf = hb.Utf8.of(texts.tolist())
    for chunk in (7, reference.TEXT_CHUNK):
        parts = reference.text_hashes(utf, chunk)
        assert all(np.array_equal(x, y) for x, y in zip(whole, parts, strict=True))


def test_short_and_long_integer_ranges_agree() -> None:
    short = pd.DataFrame({"n": [3, 1, 2, 3]})
    wide = pd.DataFrame({"n": [3, 1, 2, 3, 2**40]})
    assert (hash_table(wide.iloc[:4]) + hash_table(wide.iloc[4:])).digest == hash_table(wide).digest
    assert hash_table(wide.iloc[:4]).digest == hash_table(short).digest
    with_na = pd.DataFrame({"n": pd.array([3, None, 1], "Int64")})
    as_float = pd.DataFrame({"n": [3.0, np.nan, 1.0]})
    assert hash_table(with_na) == hash_table(as_float)


def test_converted_columns_give_the_same_hash() -> None:
    p, i, s = ibm.synthetic_zemgale(seed=3, n_grt=4, n_ft=3, n_bsac=2)
    p = p.astype({"age": object, "participant_id": object})
    p.loc[1, "age"] = "eleven"  # an invalid cell: hashed by its own value
    p.loc[2, "participant_id"] = 17  # an id given as a number: "17"
    p.loc[3, "budget_eur"] = np.nan
    i = i.astype({"team_rank": object})
    i.loc[0, "team_rank"] = 2.5
    conv: dict[str, tuple[pd.DataFrame, dict[str, Column]]] = {}
    with pytest.raises(ibm.InputError):
        prepare(p, i, s, converted=conv)
    assert set(conv) == {"participants", "plan_items", "services"}
    s = s.astype({"unit_price_eur": object})
    s.loc[0, "unit_price_eur"] = "free"  # an invalid price: hashed by its own value
    conv.clear()
    with pytest.raises(ibm.InputError):
        prepare(p, i, s, converted=conv)
    reused = hash_inputs(conv, participants=p, plan_items=i, services=s)
    assert reused == hash_inputs(participants=p, plan_items=i, services=s)
    assert reused["services"] == hash_table(s, SERVICES, money_suffix="_eur")
    assert reused["participants"] == hash_table(p, PARTICIPANTS, money_suffix="_eur")
    assert reused["plan_items"] == hash_table(i, PLAN_ITEMS, money_suffix="_eur")


def test_allocate_records_the_hashes_of_the_tables_given() -> None:
    p, i, s = ibm.synthetic_zemgale(seed=3, n_grt=4, n_ft=3, n_bsac=2)
    rec = ibm.allocate(p, i, s).record
    given = hash_inputs(participants=p, plan_items=i, services=s)
    assert {k: d.hash for k, d in rec.inputs.items()} == {k: h.hex for k, h in given.items()}


@pytest.mark.parametrize("bytes_per_row", [0, 10**9])
def test_arrow_text_row_by_row_or_per_distinct_text(
    bytes_per_row: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow")
    from ibm_engine.tables import _hash_cells

    values = [*_TEXTS, None, *_TEXTS[::-1], "x" * 70, None, " ", ""] * 3
    plain = hash_table(pd.DataFrame({"t": pd.Series(values, dtype=object)}))
    arrow = pd.Series(values, dtype=pd.StringDtype("pyarrow"))
    sliced = pd.Series(values * 2, dtype=pd.StringDtype("pyarrow")).iloc[len(values) :]
    monkeypatch.setattr(_hash_cells, "_ROW_TEXT_BYTES", bytes_per_row)
    assert hash_table(pd.DataFrame({"t": arrow})) == plain
    assert hash_table(pd.DataFrame({"t": sliced})) == plain
    assert hash_table(pd.DataFrame({"t": arrow.iloc[5:9]})) == hash_table(
        pd.DataFrame({"t": pd.Series(values[5:9], dtype=object)})
    )


def test_empty_tables_name_every_column_hashed() -> None:
    # no rows: a hash of 0 over every column, whatever the columns' kinds
    from helpers.hash_reference import random_frame

    df = random_frame(3, 30).iloc[:0]
    general = hash_table(df)
    plain = [c for c in df.columns if c not in ("text_object", "mixed", "category", "when")]
    fast = hash_table(df[plain])
    assert fast.digest == general.digest == 0
    assert fast.columns == tuple(c for c in general.columns if c in plain)
    assert fast.not_hashed == general.not_hashed == ()


@pytest.mark.parametrize("block", [1, 7, 1_000])
def test_tables_hashed_a_block_of_rows_at_a_time(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # large tables are hashed in blocks of rows (bounded memory): the same hash, whatever
    # the block, with texts, nulls, codes, floats and nullable integers across the edges
    from helpers.hash_reference import random_frame
    from ibm_engine.tables import _hash

    df = random_frame(4, 2_000)
    whole = hash_table(df, money_suffix="_eur")
    p, i, _ = ibm.synthetic_zemgale(seed=5, n_grt=30, n_ft=20, n_bsac=10)
    contract = hash_table(i, PLAN_ITEMS), hash_table(p, PARTICIPANTS, money_suffix="_eur")
    monkeypatch.setattr(_hash, "_BLOCK_ROWS", block)
    assert hash_table(df, money_suffix="_eur") == whole
    assert (hash_table(i, PLAN_ITEMS), hash_table(p, PARTICIPANTS, money_suffix="_eur")) == (
        contract
    )


def test_contract_texts_read_from_arrow_or_python_strings_alike() -> None:
    # ids and codes converted from Arrow strings are hashed from Arrow's own buffers
    pytest.importorskip("pyarrow")
    _, i, _ = ibm.synthetic_zemgale(seed=5, n_grt=30, n_ft=20, n_bsac=10)
    odd = ["ūdens-1", "  ", "Ö😀", "a\0b", "x" * 40, " spaced ", ""]
    i.loc[: len(odd) - 1, "participant_id"] = odd
    arrow = i.astype({"participant_id": pd.StringDtype("pyarrow"), "service": "string[pyarrow]"})
    python = i.astype({"participant_id": object, "service": object})
    assert hash_table(arrow, PLAN_ITEMS) == hash_table(python, PLAN_ITEMS)


def test_result_columns_reuse_the_inputs_texts_only_when_the_same() -> None:
    """``allocate`` hashes a result column that repeats an input's Arrow texts from the
    input's conversion (``TextParts``): the same hash as from the texts, and only for a
    column of the same name, length and texts."""
    pytest.importorskip("pyarrow")
    from ibm_engine.allocation._record import hash_outputs
    from ibm_engine.tables._hash import TextParts

    p, i, s = ibm.synthetic_zemgale(seed=3, n_grt=12, n_ft=8, n_bsac=4)
    p = p.astype({"participant_id": "string[pyarrow]"})
    conv: dict[str, tuple[pd.DataFrame, dict[str, Column]]] = {}
    prepare(p, i, s, converted=conv)
    texts = TextParts()
    hash_inputs(conv, texts, participants=p, plan_items=i, services=s)
    pids = p["participant_id"]
    kept = texts.get("participant_id", pids.array)
    assert kept is not None  # the same column: its codes into the cells of its texts
    copy = pd.Series(pids.tolist(), dtype="string[pyarrow]")  # equal texts, other storage
    assert texts.get("participant_id", copy.array) is kept
    changed = copy.copy()
    changed.iloc[3] = "someone else"
    assert texts.get("participant_id", changed.array) is None  # other texts
    assert texts.get("participant_id", copy.iloc[:5].array) is None  # other length
    assert texts.get("municipality_code", pids.array) is None  # other name
    assert texts.get("participant_id", pids.astype(object).array) is None  # not Arrow
    res = ibm.allocate(p, i, s)
    for tables in (
        {"participants": res.participants, "items": res.items},
        {"participants": res.participants.assign(participant_id=changed.array)},
    ):
        assert hash_outputs(texts, **tables) == hash_outputs(**tables)
