"""The store: the only code that speaks SQL (DuckDB)."""
