"""`python -m bench ...`: hecbot's benchmarks."""

from bench.cli import main

main()
