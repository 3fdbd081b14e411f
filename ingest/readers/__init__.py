"""Readers: one parser per input format, each returning Documents (and registry claims)."""
