"""Publish: static site, charts and maps, PDF, exports (not implemented yet)."""
