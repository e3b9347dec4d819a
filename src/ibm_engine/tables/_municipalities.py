"""Participants' municipalities against the catalogue's (contract 1.1).

A municipality selects the catalogue's municipal rows by its exact spelling. A participant's
spelling that equals a catalogue municipality only after ``str.strip()`` and ``casefold()``
("jelgava city " vs "Jelgava city") is a problem of that participant, never a silent fall back
to the default rows. A spelling in no catalogue row at all is warned about, but only when the
catalogue has municipal rows (then it is often a typo); with default rows only, every
municipality uses them by design.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ibm_engine.errors import UnknownMunicipalityWarning
from ibm_engine.tables._catalogue import Catalogue
from ibm_engine.tables._convert import Codes
from ibm_engine.tables._hints import fold
from ibm_engine.tables._problems import ProblemLog

__all__ = ["check_municipality_spellings", "warn_unknown_municipalities"]


def check_municipality_spellings(
    municipality: Codes, cat: Catalogue, log: ProblemLog, pids: Codes | None
) -> None:
    """Record a problem for every participant whose municipality is a catalogue
    municipality spelled differently (case, surrounding spaces); checked on distinct values."""
    names = sorted(cat.municipalities)
    texts = municipality.texts
    if not names or texts.shape[0] == 0:
        return
    exact = np.asarray(pd.Index(names).get_indexer(pd.Index(texts)), dtype=np.int64) >= 0
    by_fold = pd.Series(names, index=fold(np.asarray(names, dtype=object)), dtype=object)
    by_fold = by_fold[~by_fold.index.duplicated()]  # two catalogue spellings: its own error
    spelled = by_fold.reindex(fold(texts)).to_numpy(dtype=object)
    problem = ~exact & pd.notna(spelled)
    codes = municipality.codes
    for u in np.flatnonzero(problem).tolist():
        log.add_rows(
            "participants",
            "municipality",
            codes == u,
            f"municipality {texts[u]!r} is spelled {spelled[u]!r} in the catalogue (the same "
            "name after ignoring case and surrounding spaces); the catalogue's municipal rows "
            "apply only to the exact spelling: write it as the catalogue does",
            pids,
        )


def warn_unknown_municipalities(municipality: Codes, cat: Catalogue, stacklevel: int) -> None:
    """Warn (UnknownMunicipalityWarning) naming the municipalities in no catalogue row, when
    the catalogue has at least one municipal row."""
    known = cat.municipalities
    if not known:
        return
    used = np.unique(municipality.codes[municipality.codes >= 0])
    texts = municipality.texts[used]
    unknown = np.asarray(pd.Index(sorted(known)).get_indexer(pd.Index(texts)), dtype=np.int64) < 0
    if unknown.any():
        warnings.warn(
            "municipalities in no catalogue row (default rows apply; a typo?): "
            + ", ".join(sorted(str(t) for t in texts[unknown])),
            UnknownMunicipalityWarning,
            stacklevel=stacklevel + 1,
        )
