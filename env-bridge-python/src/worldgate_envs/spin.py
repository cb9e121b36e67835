"""Busy-waiting before sleeping, only where it pays (transport ``shm``).

A worker that sleeps in ``recv`` until the gateway's doorbell byte arrives is woken by the
kernel, and on another core that wake-up costs 30-40 us on this kind of machine, most of the
round trip of a cheap step. Watching the step channel's counter for a short while first avoids
it when the next request is about to come, as it is when the gateway steps envs in a tight loop.
Watching costs a core for as long as it lasts, so it is done only while the waits have lately
been shorter than the budget (a slow agent between steps stops it), with a probe every
``PROBE_EVERY`` waits to notice when they become short again. The gateway's
``AdaptiveSpin.java`` follows the same rule.
"""

from __future__ import annotations

import platform
from time import perf_counter_ns
from typing import Callable

PROBE_EVERY = 16
"""A wait in this many is watched even when the last one was longer than the budget."""

_ORDERED_STORES = platform.machine().lower() in {"x86_64", "amd64", "i686", "i386"}
"""Python has no memory fences; on x86 stores are seen in program order, so a counter seen new
means the data written before it is there too. Elsewhere the worker does not watch memory."""


class AdaptiveSpin:
    """Watches for an event for up to ``budget_us`` microseconds when recent waits were that short."""

    def __init__(self, budget_us: int) -> None:
        self.budget_ns = max(0, budget_us) * 1000 if _ORDERED_STORES else 0
        self._last_wait_ns = 0
        self._waits = 0
        self._start = 0

    def spin(self, ready: Callable[[], bool]) -> bool:
        """Whether ``ready()`` turned true while watching. Either way the caller calls :meth:`done`
        once the event has come (after blocking for it when this returned False)."""
        self._start = perf_counter_ns()
        self._waits += 1
        if not self.budget_ns or (self._last_wait_ns > self.budget_ns and self._waits % PROBE_EVERY):
            return False
        deadline = self._start + self.budget_ns
        while True:
            if ready():
                return True
            if perf_counter_ns() >= deadline:
                return False

    def done(self) -> None:
        """The event came: remember how long this wait took."""
        self._last_wait_ns = perf_counter_ns() - self._start
