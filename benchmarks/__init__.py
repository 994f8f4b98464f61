"""Benchmarks: ``python -m benchmarks`` runs every ``bench_*`` module, ``python -m benchmarks
NAME`` only those whose name contains NAME, each module in a fresh interpreter (as a script
runs). Each case is timed beside its baselines in one process, with interleaved repetitions,
and reported as medians and ratios, each ratio with its spread over the repetitions."""
