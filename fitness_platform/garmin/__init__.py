"""Garmin domain (SPEC 2): pure logic, no Dagster.

- :mod:`~fitness_platform.garmin.client`: the :class:`GarminClient` protocol.
- :mod:`~fitness_platform.garmin.connect_client`: Garmin Connect through ``garminconnect``.
- :mod:`~fitness_platform.garmin.file_source`: exported ``.json`` / ``.fit`` files.
- :mod:`~fitness_platform.garmin.raw`: pull window and idempotent bronze storage.
- :mod:`~fitness_platform.garmin.transform`: silver activities and the gold daily table.
- :mod:`~fitness_platform.garmin.quality`: data-quality checks returning failing rows.
"""
