"""``python -m ibm_engine.cli``: the command line."""

from ibm_engine.cli import main

raise SystemExit(main())
