"""The edges: configuration, network, Prefect flows and the command line."""
