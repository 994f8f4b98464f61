"""Benchmarks: ``python -m benchmarks`` runs every ``bench_*`` module, ``python -m benchmarks
NAME`` only those whose name contains NAME. Each case is timed beside its baselines in one
process, with interleaved repetitions, and reported as medians and ratios."""
