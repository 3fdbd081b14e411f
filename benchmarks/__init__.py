"""MedKB benchmarks on public data sets: `python -m benchmarks run [NAME ...]`."""
