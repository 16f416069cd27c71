"""Another process holding a lock while a test runs: the script prints ``held`` once it holds
it, and lets go after the seconds it was given."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def held_by_another_process(script: str, *arguments: str, timeout: float = 30) -> Iterator[None]:
    """Run ``script`` (Python source) in a child with ``arguments``; the block runs once the
    child says it holds its lock, and the child is waited for afterwards."""
    holder = subprocess.Popen(
        [sys.executable, "-c", script, *arguments], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.wait(timeout)
