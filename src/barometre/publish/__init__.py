"""Publish: static site, charts and maps, PDF, and the open-data exports of an edition
(:mod:`barometre.publish.exports`: CSV with Table Schemas and a Data Package, JSON,
Parquet, a standalone SQLite database with its Datasette metadata)."""
