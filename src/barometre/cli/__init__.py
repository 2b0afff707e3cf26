"""Command-line interface: a thin shell that knows the order of the stages."""
