"""Scoring: methodology, engine, editions, ranks, aggregates (not implemented yet)."""
