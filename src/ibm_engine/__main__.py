"""``python -m ibm_engine``: the ``ibm-engine`` command line (see :mod:`ibm_engine.cli`)."""

from ibm_engine.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
