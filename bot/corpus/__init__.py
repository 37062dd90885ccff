"""The knowledge folder: articles split into passages, curated entries, overrides, loading and checking."""
