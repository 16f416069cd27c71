"""Repeated timing with median and spread."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    median_ms: float
    low_ms: float
    high_ms: float
    runs: int

    def __str__(self) -> str:
        return f"{self.median_ms:9.3f} ms  [{self.low_ms:.3f} – {self.high_ms:.3f}] n={self.runs}"


def measure(function: Callable[[], object], *, runs: int = 30, warmup: int = 3) -> Figure:
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return Figure(statistics.median(samples), min(samples), max(samples), runs)
