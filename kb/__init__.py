"""MedKB kb package."""
