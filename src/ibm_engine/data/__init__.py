"""Embedded data: the default service catalogue and the synthetic Zemgale region.

See ``docs/data.md`` for the columns, the sources and the proportions used.
"""

from __future__ import annotations

from ibm_engine.data._catalogue import catalogue_metadata, default_catalogue
from ibm_engine.data._zemgale import ZEMGALE_MUNICIPALITIES, synthetic_zemgale

__all__ = [
    "ZEMGALE_MUNICIPALITIES",
    "catalogue_metadata",
    "default_catalogue",
    "synthetic_zemgale",
]
