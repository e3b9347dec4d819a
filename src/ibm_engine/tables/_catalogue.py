"""The catalogue (services table): validation, canonical arrays and the row-matching rule.

Which row applies to a participant (contract v1): if the participant's municipality has any row
for the service, only those rows are candidates, otherwise the default rows (municipality
empty). Among the candidates, the row whose age band contains the participant's age and whose
target groups include the participant's group applies, in full. Two candidate rows that could
both apply to one participant are an input error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.tables._columns import check_columns
from ibm_engine.tables._convert import Codes, Column, TextColumn, fill, floats
from ibm_engine.tables._hints import twins
from ibm_engine.tables._problems import ProblemLog
from ibm_engine.tables._schema import GROUPS, SERVICES

__all__ = ["GROUP_BITS", "Catalogue", "read_catalogue"]


def _cases(key: IntArray, age: IntArray, group: IntArray) -> tuple[IntArray, IntArray] | None:
    """Codes of the distinct (key, age, group) triples per item and the first item of each
    (one hash pass: a million participants have some thousands of triples); None when the
    triple does not fit one int64."""
    if key.shape[0] == 0:
        return None
    a0 = int(age.min())
    spans = (int(key.max()) + 2, int(age.max()) - a0 + 1, int(group.max()) + 1)
    if int(group.min()) < 0 or spans[0] * spans[1] * spans[2] >= 2**62:
        return None
    triple = ((key + 1) * spans[1] + (age - a0)) * spans[2] + group
    codes, uniques = pd.factorize(triple)
    codes = np.asarray(codes, dtype=np.int64)
    first = np.empty(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.shape[0] - 1, -1, -1, dtype=np.int64)
    return codes, first


def _triples(
    municipality: IntArray, age: IntArray, group: IntArray
) -> tuple[IntArray, IntArray] | None:
    """Per participant, the code of its distinct (municipality code, age, group) and the
    first participant of each (:func:`_cases` of the municipality codes); None when there are
    none, a code is below -1 or they do not fit one int64."""
    if municipality.shape[0] and int(municipality.min()) < -1:
        return None
    return _cases(municipality, age, group)


GROUP_BITS = {g: 1 << k for k, g in enumerate(GROUPS)}
_ALL_GROUPS = sum(GROUP_BITS.values())
_NO_MAX_AGE = np.int64(10**9)


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Canonical catalogue rows (one entry per row of the services table)."""

    frame: pd.DataFrame
    service: np.ndarray  # object array of codes
    municipality: np.ndarray  # object array, None for default rows
    unit: np.ndarray
    price_cents: IntArray
    max_week: FloatArray  # NaN = no cap
    max_year: FloatArray
    min_age: IntArray
    max_age: IntArray
    groups: IntArray  # bit mask of GROUP_BITS
    hours: FloatArray
    #: the contract columns as converted while validating (what the record's hash reuses)
    columns: dict[str, Column] = field(default_factory=dict)

    @property
    def services(self) -> set[str]:
        """Every service code in the catalogue."""
        return set(self.service.tolist())

    @property
    def municipalities(self) -> set[str]:
        """Every municipality named in the catalogue."""
        return {m for m in self.municipality.tolist() if m is not None}

    def names(self) -> dict[str, tuple[str, str]]:
        """Display names per service code, (English, Latvian): the first catalogue row's
        ``name_en`` / ``name_lv`` that has one, else the code in words (English) or the code.

        Examples
        --------
        >>> import pandas as pd
        >>> from ibm_engine.tables._problems import ProblemLog
        >>> rows = pd.DataFrame({"service": ["respite_care"], "unit": ["day"],
        ...                      "unit_price_eur": [44.16], "name_lv": ["Atelpas brīdis"]})
        >>> read_catalogue(rows, ProblemLog()).names()
        {'respite_care': ('Respite care', 'Atelpas brīdis')}
        """
        codes = pd.Series(self.service, dtype=object).astype(str)
        out: dict[str, tuple[str, str]] = {
            c: (c.replace("_", " ").capitalize(), c) for c in pd.unique(codes).tolist()
        }
        for k, col in enumerate(("name_en", "name_lv")):
            if col not in self.frame.columns:
                continue
            given = self.frame[col].to_numpy(dtype=object)
            text = pd.Series([x.strip() if isinstance(x, str) else "" for x in given.tolist()])
            have = text != ""
            first = text[have].groupby(codes[have].to_numpy(), sort=False).first()
            for code, name in first.items():
                pair = list(out[str(code)])
                pair[k] = str(name)
                out[str(code)] = (pair[0], pair[1])
        return out

    def match(
        self, service: Codes, municipality: Codes, age: IntArray, group: IntArray
    ) -> IntArray:
        """Index of the row that applies to each (service, municipality, age, group); -1: none.

        ``service`` and ``municipality`` are per item (text codes); ``group`` is the bit of the
        participant's target group (see ``GROUP_BITS``).
        """
        n = service.codes.shape[0]
        out = np.full(n, -1, dtype=np.int64)
        if n == 0 or self.service.shape[0] == 0:
            return out
        cat_svc, svc_names = pd.factorize(self.service)
        cat_svc = np.asarray(cat_svc, dtype=np.int64)
        named = np.array([m is not None for m in self.municipality], dtype=bool)
        mun_names = pd.unique(pd.Series(self.municipality[named], dtype=object))
        cat_mun = np.full(self.service.shape[0], -1, dtype=np.int64)
        if named.any():
            cat_mun[named] = pd.Index(mun_names).get_indexer(self.municipality[named])
        svc_map = np.asarray(
            pd.Index(svc_names).get_indexer(pd.Index(service.texts)), dtype=np.int64
        )
        mun_map = np.asarray(
            pd.Index(mun_names).get_indexer(pd.Index(municipality.texts)), dtype=np.int64
        )
        item_svc = (
            np.where(service.codes >= 0, svc_map[np.maximum(service.codes, 0)], -1)
            if svc_map.shape[0]
            else np.full(n, -1, dtype=np.int64)
        )
        item_mun = (
            np.where(municipality.codes >= 0, mun_map[np.maximum(municipality.codes, 0)], -1)
            if mun_map.shape[0]
            else np.full(n, -1, dtype=np.int64)
        )
        width = np.int64(len(mun_names) + 1)
        cat_key = cat_svc * width + (cat_mun + 1)
        local_key = item_svc * width + (item_mun + 1)
        has_local = (item_mun >= 0) & np.isin(local_key, cat_key[cat_mun >= 0])
        item_key = np.where(has_local, local_key, item_svc * width)
        item_key = np.where(item_svc < 0, -1, item_key)
        cases = _cases(item_key, age, group)
        if cases is not None:  # match each distinct (key, age, group) once, then spread
            codes, first = cases
            return self._match_keys(cat_key, item_key[first], age[first], group[first])[codes]
        return self._match_keys(cat_key, item_key, age, group)

    def match_owned(
        self,
        service: Codes,
        owner: IntArray,
        municipality: Codes,
        age: IntArray,
        group: IntArray,
    ) -> IntArray:
        """:meth:`match` of every item whose municipality, age and group are its owner's
        (``owner``: the item's participant; the others per participant). Each distinct
        (service, municipality, age, group) is matched once and spread by one gather, so
        no per-item key is hashed."""
        n = service.codes.shape[0]
        triple = _triples(municipality.codes, age, group)
        if n == 0 or triple is None:
            return self.match(
                service,
                Codes(municipality.codes[owner], municipality.texts),
                age[owner],
                group[owner],
            )
        pcase, first = triple
        k = int(first.shape[0])
        width = int(service.codes.max(initial=-1)) + 2  # service code + 1 (0: none)
        if width * k > max(4 * n, 1 << 20):  # too many combinations for a dense table
            return self.match(
                service,
                Codes(municipality.codes[owner], municipality.texts),
                age[owner],
                group[owner],
            )
        key = (service.codes + 1) * k
        key += pcase[owner]
        present = np.flatnonzero(np.bincount(key, minlength=width * k))
        rep = first[present % k]  # a participant of each combination's case
        rows = self.match(
            Codes(present // k - 1, service.texts),
            Codes(municipality.codes[rep], municipality.texts),
            age[rep],
            group[rep],
        )
        table = np.full(width * k, -1, dtype=np.int64)
        table[present] = rows
        out: IntArray = table[key]
        return out

    def _match_keys(
        self, cat_key: IntArray, item_key: IntArray, age: IntArray, group: IntArray
    ) -> IntArray:
        """The row of each item from its (service, municipality) key, age and group bit."""
        n = item_key.shape[0]
        out = np.full(n, -1, dtype=np.int64)
        if n == 0:
            return out
        # items grouped by key (few keys: a radix sort of small integers), then row by row
        small = int(item_key.max()) < np.iinfo(np.int16).max
        order = np.argsort((item_key + 1).astype(np.int16) if small else item_key, kind="stable")
        ordered = item_key[order]
        first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        keys = ordered[first]
        bounds = np.append(first, n)
        for k, key in enumerate(keys.tolist()):
            if key < 0:
                continue
            idx = order[bounds[k] : bounds[k + 1]]
            a, g = age[idx], group[idx]
            for r in np.flatnonzero(cat_key == key).tolist():
                hit = (a >= self.min_age[r]) & (a <= self.max_age[r]) & ((g & self.groups[r]) != 0)
                out[idx[hit]] = r
        return out


def _parse_groups(raw: np.ndarray, empty: np.ndarray) -> tuple[IntArray, np.ndarray]:
    """Bit masks of comma-separated target groups; rows with unknown names are flagged."""
    masks = np.full(raw.shape[0], _ALL_GROUPS, dtype=np.int64)
    bad = np.zeros(raw.shape[0], dtype=bool)
    for r in np.flatnonzero(~empty).tolist():
        names = [t.strip() for t in str(raw[r]).split(",")]
        if any(t not in GROUP_BITS for t in names):
            bad[r] = True
            continue
        masks[r] = sum({GROUP_BITS[t] for t in names})
    return masks, bad


def read_catalogue(services: pd.DataFrame, log: ProblemLog) -> Catalogue:
    """Validate the services table (every problem to ``log``) and build the canonical rows."""
    table = "services"
    cols = check_columns(services, table, SERVICES, log, None, attributable=False)
    n = len(services)

    def get(name: str, default: object) -> np.ndarray:
        c = cols.get(name)
        if c is None:
            return np.full(n, default)
        return fill(c.values, c.empty | c.bad, default)

    tg = cols.get("target_groups")
    if tg is not None:
        groups, bad_groups = _parse_groups(tg.values, tg.empty | tg.bad)
        log.add_rows(
            table,
            "target_groups",
            bad_groups,
            f"must be a comma-separated subset of {','.join(GROUPS)}",
            None,
            detail=services["target_groups"],
            attributable=False,
        )
    else:
        groups = np.full(n, _ALL_GROUPS, dtype=np.int64)
    min_age = get("min_age", -1).astype(np.int64)
    max_age = get("max_age", _NO_MAX_AGE).astype(np.int64)
    log.add_rows(
        table, "max_age", (min_age > max_age), "must be >= min_age", None, attributable=False
    )
    svc = cols["service"].values if "service" in cols else np.full(n, None, dtype=object)
    mun = cols["municipality"].values if "municipality" in cols else np.full(n, None, dtype=object)
    if "municipality" in cols:
        mun = fill(mun, cols["municipality"].empty, None)
        mcol = cols["municipality"]
        if isinstance(mcol, TextColumn):
            _check_spellings(mcol.coded, log)
    cat = Catalogue(
        frame=services,
        service=svc,
        municipality=mun,
        unit=get("unit", None),
        price_cents=get("unit_price_eur", 0).astype(np.int64),
        max_week=floats(cols["max_units_per_week"])
        if "max_units_per_week" in cols
        else np.full(n, np.nan),
        max_year=floats(cols["max_units_per_year"])
        if "max_units_per_year" in cols
        else np.full(n, np.nan),
        min_age=min_age,
        max_age=max_age,
        groups=groups,
        hours=np.nan_to_num(get("hours_per_unit", 0.0).astype(np.float64)),
        columns=cols,
    )
    _check_overlaps(cat, log)
    return cat


def _rows_text(rows: np.ndarray) -> str:
    nums = [str(int(r) + 1) for r in rows.tolist()]
    return ("row " if len(nums) == 1 else "rows ") + ", ".join(nums)


def _check_spellings(municipality: Codes, log: ProblemLog) -> None:
    """Two spellings of one municipality (equal after ``strip()`` and ``casefold()``): an
    error on every row of each, naming the other spellings and their rows."""
    texts = municipality.texts
    if texts.shape[0] < 2:
        return
    group, count = twins(texts)
    if not (count > 1).any():
        return
    codes = municipality.codes
    for t in np.flatnonzero(count > 1).tolist():
        others = [o for o in np.flatnonzero(group == group[t]).tolist() if o != t]
        named = "; ".join(
            f"{texts[o]!r} ({_rows_text(np.flatnonzero(codes == o))})" for o in others
        )
        for r in np.flatnonzero(codes == t).tolist():
            log.add(
                "services",
                "municipality",
                f"municipality {texts[t]!r} is also spelled {named}: the same name after "
                "ignoring case and surrounding spaces; spell it one way",
                row_number=r + 1,
                attributable=False,
            )


def _check_overlaps(cat: Catalogue, log: ProblemLog) -> None:
    """Two rows of one service and municipality that could both apply: an error on both."""
    key = pd.Series(list(zip(cat.service, cat.municipality, strict=True)), dtype=object)
    for _, rows in key.groupby(key.map(repr)).groups.items():
        r = np.asarray(rows, dtype=np.int64)
        if r.shape[0] < 2:
            continue
        for x in range(r.shape[0]):
            for y in range(x + 1, r.shape[0]):
                i, j = int(r[x]), int(r[y])
                ages = cat.min_age[i] <= cat.max_age[j] and cat.min_age[j] <= cat.max_age[i]
                if ages and (cat.groups[i] & cat.groups[j]):
                    where = (
                        "default rows"
                        if cat.municipality[i] is None
                        else (f"rows of municipality {cat.municipality[i]!r}")
                    )
                    for me, other in ((i, j), (j, i)):
                        log.add(
                            "services",
                            "min_age",
                            f"service {cat.service[i]!r}: could apply together with row "
                            f"{other + 1} to one participant ({where} with overlapping age "
                            "bands and target groups)",
                            row_number=me + 1,
                            attributable=False,
                        )
