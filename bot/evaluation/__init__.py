"""Measuring crampbot: retrieval accuracy, safety recall, subjects not covered, and the evidence of one reply."""
