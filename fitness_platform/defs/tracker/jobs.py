"""Jobs of the tracker domain."""

import dagster as dg

from fitness_platform.defs.tracker.partitions import RAW_FILE_PARTITIONS

tracker_bronze_job = dg.define_asset_job(
    name="tracker_bronze_job",
    selection=dg.AssetSelection.assets(["bronze", "fitness_logs"], ["bronze", "fitness_rejects"]),
    description="Ingest raw tracker files (one dynamic partition each of "
    f"{RAW_FILE_PARTITIONS.name!r}) into bronze in one run.",
)

tracker_refresh_job = dg.define_asset_job(
    name="tracker_refresh_job",
    selection=dg.AssetSelection.groups("tracker")
    - dg.AssetSelection.assets(["bronze", "fitness_logs"], ["bronze", "fitness_rejects"]),
    description="Rebuild silver and gold (and their checks) from every bronze partition.",
)
