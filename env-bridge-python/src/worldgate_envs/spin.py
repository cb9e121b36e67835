"""Busy-waiting before sleeping, only where it pays (transport ``shm``).

A worker that sleeps in ``recv`` until the gateway's doorbell byte arrives is woken by the
kernel, and on another core that wake-up costs 30-40 us on this kind of machine, most of the
round trip of a cheap step. Watching the step channel's counter for a short while first avoids
it when the next request is about to come, as it is when the gateway steps envs in a tight loop.
Watching costs a core for as long as it lasts, so it is done only while the waits have lately
been shorter than the budget (a slow agent between steps stops it), with a probe every
``PROBE_EVERY`` waits to notice when they become short again. On a busy machine watching does
harm (the other side waits for the core the watcher holds), so a watch that finds itself
preempted (``PREEMPTED_NS`` between two looks) stops watching for ``BACK_OFF_WAITS`` waits. The
gateway's ``AdaptiveSpin.java`` follows the same rules.
"""

from __future__ import annotations

import platform
from time import perf_counter_ns
from typing import Callable

PROBE_EVERY = 16
"""A wait in this many is watched even when the last one was longer than the budget."""
PREEMPTED_NS = 50_000
"""A gap this long between two looks means the watching thread lost its core to another."""
BACK_OFF_WAITS = 256
"""Waits that are not watched after a watch was preempted."""

_ORDERED_STORES = platform.machine().lower() in {"x86_64", "amd64", "i686", "i386"}
"""Python has no memory fences; on x86 stores are seen in program order, so a counter seen new
means the data written before it is there too. Elsewhere the worker does not watch memory."""


class AdaptiveSpin:
    """Watches for an event for up to ``budget_us`` microseconds when recent waits were that short."""

    def __init__(self, budget_us: int, preempted_ns: int = PREEMPTED_NS) -> None:
        self.budget_ns = max(0, budget_us) * 1000 if _ORDERED_STORES else 0
        self.preempted_ns = preempted_ns  # tests of the other rules pass one a busy machine cannot reach
        self._last_wait_ns = 0
        self._waits = 0
        self._start = 0
        self._watch_again_at = 0

    def spin(self, ready: Callable[[], bool]) -> bool:
        """Whether ``ready()`` turned true while watching. Either way the caller calls :meth:`done`
        once the event has come (after blocking for it when this returned False)."""
        self._start = perf_counter_ns()
        self._waits += 1
        if (
            not self.budget_ns
            or self._waits < self._watch_again_at
            or (self._last_wait_ns > self.budget_ns and self._waits % PROBE_EVERY)
        ):
            return False
        deadline = self._start + self.budget_ns
        look = self._start
        while True:
            if ready():
                return True
            now = perf_counter_ns()
            if now - look > self.preempted_ns:
                self._watch_again_at = self._waits + BACK_OFF_WAITS
                return False
            if now >= deadline:
                return False
            look = now

    def done(self) -> None:
        """The event came: remember how long this wait took."""
        self._last_wait_ns = perf_counter_ns() - self._start
