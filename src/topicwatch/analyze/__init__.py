"""Analyses over a fitted archive: topics over time, bursts, search."""
