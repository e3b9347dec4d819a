"""priorities layer of ibm_engine (see docs/architecture.md)."""
