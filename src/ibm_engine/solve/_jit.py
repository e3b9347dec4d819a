"""How the search kernels are compiled: numba, ``nogil``, cached on disk where possible.

``cache=True`` keeps the machine code between processes (``NUMBA_CACHE_DIR`` if set and
writable, else ``__pycache__`` beside the source, else the user's cache directory). When no
location is writable numba refuses to cache at decoration time; the kernel is then compiled in
memory for each process instead. No ``parallel`` and no ``fastmath``: the search's float
comparisons must round exactly as written. This module imports numba: only the kernels import
it, and only ``solve`` loads the kernels, on the first solve.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

__all__ = ["inlined", "kernel", "no_refcount"]

F = TypeVar("F", bound=Callable[..., Any])


def kernel(fn: F) -> F:
    """``fn`` compiled without the GIL, cached on disk when a cache location is writable."""
    return _compile(fn, {})


def inlined(fn: F) -> F:
    """A small kernel inlined into its callers (no call)."""
    return _compile(fn, {"inline": "always"})


def no_refcount(fn: F) -> F:
    """A kernel that allocates nothing, compiled without numba's reference counting (``NRT``).

    Its arrays are borrowed from the caller, which keeps them alive for the call; it returns
    scalars only. numba counts references to every array handed to an inlined function and to
    every view, with two atomic operations each: in the search's inner loop that was a third
    of its time. The kernels it calls are compiled the same way, and numba refuses to compile
    any of them that would allocate ("NRT required but not enabled"), so the promise is
    checked. ``_nrt`` is numba's own (private) switch for this: should a numba release no
    longer accept it, the kernel is compiled as usual (slower, same answers).
    """
    from numba.core.cpu import CPUTargetOptions

    known = hasattr(CPUTargetOptions, "_nrt")  # numba checks options only when compiling
    return _compile(fn, {"_nrt": False}) if known else kernel(fn)


def _compile(fn: F, options: dict[str, Any]) -> F:
    try:
        out = numba.njit(cache=True, nogil=True, **options)(fn)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        out = numba.njit(cache=False, nogil=True, **options)(fn)
    return cast(F, out)
