"""Benchmarks that print figures: `uv run python -m bench`."""
