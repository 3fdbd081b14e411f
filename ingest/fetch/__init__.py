"""Fetching from online sources (PubMed E-utilities, ClinicalTrials.gov API v2) into a knowledge base's sources
folder, resumably, for the ingest pipeline to read."""
