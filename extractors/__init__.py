"""Pure stages: bytes and text in, frozen records out. No network, no DuckDB, no Prefect."""
