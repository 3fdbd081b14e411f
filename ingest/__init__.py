"""MedKB ingest package."""
