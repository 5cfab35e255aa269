"""The Garmin source resource: built from settings, secrets through EnvVar, injectable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import dagster as dg
import pytest

from fitness_platform.defs.garmin.resources import (
    GarminSourceNotConfiguredError,
    GarminSourceResource,
    garmin_source_resource,
)
from fitness_platform.garmin.connect_client import GarminConnectClient
from fitness_platform.garmin.file_source import FileActivitySource
from fitness_platform.settings import SettingsError, load_settings
from fitness_platform_tests.garmin_defs.helpers import FIXTURES


def test_a_source_path_selects_the_file_source_even_with_the_api_flag() -> None:
    settings = load_settings(
        {"FITNESS_GARMIN_SOURCE": str(FIXTURES / "exports"), "FITNESS_GARMIN_API": "1"}
    )
    resource = garmin_source_resource(settings)
    assert (resource.mode, resource.configured, resource.use_api) == ("file", True, False)
    assert resource.email is None and resource.password is None
    client = resource.client()
    assert isinstance(client, FileActivitySource)
    assert len(client.recent_activities(50)) == 5


def test_api_mode_takes_credentials_from_env_vars_and_never_shows_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("GARMIN_EMAIL", "runner@example.com")
    monkeypatch.setenv("GARMIN_PASSWORD", "s3cret-pass")
    settings = load_settings(
        {"FITNESS_GARMIN_API": "1", "FITNESS_GARMIN_TOKEN_DIR": str(tmp_path / "tokens")}
    )
    resource = garmin_source_resource(settings)
    assert isinstance(resource.email, dg.EnvVar) and resource.email == "GARMIN_EMAIL"
    assert isinstance(resource.password, dg.EnvVar) and resource.password == "GARMIN_PASSWORD"
    with resource.process_config_and_initialize_cm() as live:
        assert (live.email, live.password) == ("runner@example.com", "s3cret-pass")
        client = live.client()
        assert isinstance(client, GarminConnectClient)
        assert client.token_dir == tmp_path / "tokens"
        for text in (repr(client), repr(live), live.describe()):
            assert "s3cret-pass" not in text and "runner@example.com" not in text


def test_not_configured_resource_is_valid_but_refuses_to_build_a_client() -> None:
    resource = garmin_source_resource(load_settings({}))
    assert (resource.mode, resource.configured) == ("none", False)
    with pytest.raises(GarminSourceNotConfiguredError, match="FITNESS_GARMIN_SOURCE"):
        resource.client()


def test_now_is_fixed_by_now_iso_and_read_as_utc_without_an_offset() -> None:
    assert GarminSourceResource(now_iso="2025-03-12T12:00:00Z").now() == datetime(
        2025, 3, 12, 12, tzinfo=UTC
    )
    assert GarminSourceResource(now_iso="2025-03-12T12:00:00").now() == datetime(
        2025, 3, 12, 12, tzinfo=UTC
    )
    shifted = GarminSourceResource(now_iso="2025-03-12T17:30:00+05:30").now()
    assert shifted == datetime(2025, 3, 12, 12, tzinfo=UTC)
    assert shifted.utcoffset() == timezone(timedelta(hours=5, minutes=30)).utcoffset(None)
    with pytest.raises(ValueError, match="now_iso='noon'"):
        GarminSourceResource(now_iso="noon").now()
    real = GarminSourceResource().now()
    assert real.tzinfo is not None


def test_garmin_settings_are_validated() -> None:
    settings = load_settings(
        {
            "FITNESS_GARMIN_PREFIX": "/raw-data/garmin-json/",
            "FITNESS_GARMIN_LIMIT": "200",
            "FITNESS_GARMIN_DAYS_BACK": "30",
        }
    )
    assert (settings.garmin_prefix, settings.garmin_limit, settings.garmin_days_back) == (
        "raw-data/garmin-json",
        200,
        30,
    )
    assert garmin_source_resource(settings).bronze_prefix == "raw-data/garmin-json"
    for env, name in (
        ({"FITNESS_GARMIN_PREFIX": "bronze/../x"}, "FITNESS_GARMIN_PREFIX"),
        ({"FITNESS_GARMIN_LIMIT": "1001"}, "FITNESS_GARMIN_LIMIT"),
        ({"FITNESS_GARMIN_DAYS_BACK": "-1"}, "FITNESS_GARMIN_DAYS_BACK"),
    ):
        with pytest.raises(SettingsError, match=name):
            load_settings(env)
