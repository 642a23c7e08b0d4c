"""Pausing Python's cyclic garbage collector around bulk work (``gc_paused``)."""

from __future__ import annotations

import contextlib
import gc
import threading

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def gc_paused():
    """Run the block with the cyclic garbage collector off, then as it was.

    A bulk import builds hundreds of thousands of objects that all live until it ends (model instances and
    their state, grant lines, rows to write): every few hundred allocations the collector walks the young ones
    and, as they pile up, all of them, about a tenth of the import's time, and frees nothing (they are not
    cycles; reference counting frees them afterwards). Blocks in several threads at once are counted: the
    collector comes back when the last one ends.
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
