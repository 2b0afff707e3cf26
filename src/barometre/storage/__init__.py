"""Storage: the only package that knows SQL (schema, migrations, repositories)."""
