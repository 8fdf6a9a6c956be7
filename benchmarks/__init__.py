"""Benchmarks run by `cli.py bench`; each module has a `measure(...) -> dict`."""
