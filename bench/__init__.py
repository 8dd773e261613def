"""Benchmarks: the synthetic data generator (bench.generate) and the benchmark (bench.run)."""
