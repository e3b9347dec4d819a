"""Reading and writing the tables of ibm_engine: CSV, Excel and Parquet.

Readers keep the contract's text columns as text and its numeric columns as numbers, and
coerce nothing silently (see :func:`read_table`); writers save a result's ``items``,
``participants`` and ``rejected`` tables (see :func:`write_tables`);
:func:`allocate_in_chunks` allocates a large input a chunk of participants at a time;
:class:`RunArchive` stores runs in a DuckDB file or a PostgreSQL database.
:func:`reproduce` re-runs what a result's record describes.
"""

from ibm_engine.io._archive import RunArchive, StoredRun
from ibm_engine.io._chunked import CHUNK_SIZE, AllocationTables, allocate_in_chunks
from ibm_engine.io._read import read_table, read_tables
from ibm_engine.io._reproduce import Difference, Reproduction, reproduce
from ibm_engine.io._write import WRITE_FORMATS, ResultTables, write_tables

__all__ = [
    "CHUNK_SIZE",
    "WRITE_FORMATS",
    "AllocationTables",
    "Difference",
    "Reproduction",
    "ResultTables",
    "RunArchive",
    "StoredRun",
    "allocate_in_chunks",
    "read_table",
    "read_tables",
    "reproduce",
    "write_tables",
]
