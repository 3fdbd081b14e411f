"""Sentence-level models over the chunk pass: sentences, roles, PICO spans, abbreviations."""
