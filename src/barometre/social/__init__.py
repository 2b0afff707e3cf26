"""Social: platform connectors and imports of platform exports (not implemented yet)."""
