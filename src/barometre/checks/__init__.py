"""Checks: one pure module per criterion family, reading captures only (not implemented yet)."""
