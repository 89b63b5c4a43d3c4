"""Helpers the benchmarks share (not a benchmark: ``bin/bench`` runs only ``bench/*.py``)."""
