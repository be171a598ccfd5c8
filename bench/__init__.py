"""hecbot's benchmarks: `python -m bench ...` (see bench/cli.py and docs/benchmarks.md).

Not part of the installed bot: they run from a source checkout and may use tests' fixtures.
"""
