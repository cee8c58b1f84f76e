"""Timing samples and the way operations are repeated: wall time (perf_counter) and client CPU (process_time).

Operations compared with each other run interleaved, one of each per round in a rotating order, so the
noise of a shared machine falls on all of them alike and their difference stays meaningful.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Op = Callable[[], Awaitable[object]]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated between the two nearest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Sample:
    """Repeated measurements of one operation, in seconds."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """Harness-process CPU per operation: the client's own cost, or a library's cost for the floors."""
    results: list[object] = field(default_factory=list)
    """What each operation returned, in order."""

    @property
    def n(self) -> int:
        return len(self.wall)

    @property
    def p50(self) -> float:
        return percentile(self.wall, 50)

    @property
    def p95(self) -> float:
        return percentile(self.wall, 95)

    @property
    def cpu_p50(self) -> float:
        return percentile(self.cpu, 50)

    @property
    def cpu_mean(self) -> float:
        return sum(self.cpu) / len(self.cpu) if self.cpu else float("nan")

    def summary(self) -> dict[str, float | int]:
        """p50/p95 wall (and mean harness CPU, when recorded) in milliseconds, and the count."""
        out: dict[str, float | int] = {"n": self.n, "p50_ms": self.p50 * 1000, "p95_ms": self.p95 * 1000}
        if self.cpu:
            out["client_cpu_ms"] = self.cpu_mean * 1000
        return out


async def measure(op: Op, sample: Sample) -> object:
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    result = await op()
    sample.wall.append(time.perf_counter() - t0)
    sample.cpu.append(time.process_time() - cpu0)
    sample.results.append(result)
    return result


async def interleaved(
    ops: dict[str, Op], reps: int, warmup: int = 3, before_round: Callable[[], object] | None = None
) -> dict[str, Sample]:
    """Run every op `reps` times (after `warmup` untimed rounds), one of each per round, rotating the order;
    `before_round()` runs untimed at the start of every round (warm-up ones too)."""
    names = list(ops)
    for _ in range(warmup):
        if before_round is not None:
            before_round()
        for name in names:
            await ops[name]()
    samples = {name: Sample() for name in names}
    for round_no in range(reps):
        if before_round is not None:
            before_round()
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            await measure(ops[name], samples[name])
    return samples


async def repeat(op: Op, reps: int, warmup: int = 3) -> Sample:
    return (await interleaved({"op": op}, reps, warmup))["op"]
