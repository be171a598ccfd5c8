"""Memory figures of the benchmarks are read from /proc (bench.knowledge.process_memory_mb)."""

from __future__ import annotations

import os

from bench.knowledge import process_memory_mb


def test_current_and_peak_memory_of_a_running_process():
    current = process_memory_mb("VmRSS")
    peak = process_memory_mb("VmHWM", os.getpid())
    assert current is not None and peak is not None
    assert 10 < current <= peak


def test_no_such_process_or_field_is_none():
    assert process_memory_mb("VmRSS", 2**22 + 12345) is None
    assert process_memory_mb("NoSuchField") is None
