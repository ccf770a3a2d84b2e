"""Tests of the benchmark scripts' logic (never of timings)."""
