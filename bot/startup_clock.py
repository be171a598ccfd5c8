"""How long a process took to become ready, phase by phase, from the moment it was started.

Wall time is counted from the process's own start (Linux `/proc/self/stat`), so the imports
before `main()` count too; CPU time (`time.process_time`) is also kept, since on a shared
machine it is the steadier figure: about what the wall time would be on a quiet one.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path


def process_age_seconds() -> float:
    """Seconds since this process started (since this module was first read elsewhere)."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started_ticks = int(fields[19])  # field 22 of stat, counted after the command name
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _FIRST_SEEN


_FIRST_SEEN = time.perf_counter()


@dataclass
class StartupClock:
    """Marks the end of each start-up phase; `summary()` is the one log line of them."""

    phases: list[tuple[str, float, float]] = field(default_factory=list)
    _wall: float = field(default_factory=process_age_seconds)
    _cpu: float = field(default_factory=time.process_time)

    def __post_init__(self) -> None:
        # Whatever ran before the clock was made (interpreter, imports) is the first phase.
        self.phases.append(("imports", self._wall, self._cpu))

    def mark(self, phase: str) -> None:
        """The phase that just ended."""
        wall, cpu = process_age_seconds(), time.process_time()
        self.phases.append((phase, wall - self._wall, cpu - self._cpu))
        self._wall, self._cpu = wall, cpu

    @property
    def total_wall(self) -> float:
        return sum(wall for _, wall, _ in self.phases)

    @property
    def total_cpu(self) -> float:
        return sum(cpu for _, _, cpu in self.phases)

    def summary(self) -> str:
        parts = ", ".join(f"{name} {wall:.1f} s ({cpu:.1f} CPU)" for name, wall, cpu in self.phases)
        return (
            f"ready {self.total_wall:.1f} s after the process started "
            f"({self.total_cpu:.1f} s of CPU): {parts}"
        )
