"""Integration tests of the tracker pipeline on Dagster: settings, IO manager, runs, CLI."""
