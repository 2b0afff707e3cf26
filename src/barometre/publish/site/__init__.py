"""The static site of an edition: pages, templates, styles and scripts."""
