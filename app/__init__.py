"""MedKB app package."""
