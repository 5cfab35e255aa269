"""Give memory that transforms have freed back to the operating system.

Arrow's allocator (mimalloc) and glibc's malloc (NumPy, pandas) both keep freed pages for
reuse. Between user-range chunks that is pure overhead: the next chunk's frames are the same
size, and the pages only raise the process's resident size, which is what a container's
memory limit counts.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

import pyarrow as pa


@cache
def _malloc_trim() -> ctypes._CFuncPtr | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    function = getattr(ctypes.CDLL(name), "malloc_trim", None)  # glibc only (not musl, macOS)
    if function is not None:
        function.argtypes, function.restype = [ctypes.c_size_t], ctypes.c_int
    return function


def release_unused_memory() -> None:
    """Return the free pages of Arrow's pool and of the C heap to the operating system."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
