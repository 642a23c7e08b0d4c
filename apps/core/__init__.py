"""Shared helpers with no models (tabular file reading, PDF rendering): the ground floor, importable by any app."""
