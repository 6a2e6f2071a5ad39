"""Benchmarks of the harness and the simulator, each printing a table (``python -m bench``)."""
