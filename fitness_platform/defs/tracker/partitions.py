"""Partitions of the tracker domain."""

import dagster as dg

RAW_FILE_PARTITIONS = dg.DynamicPartitionsDefinition(name="tracker_raw_files")
"""One dynamic partition per raw tracker file (key derived from its relative path)."""
