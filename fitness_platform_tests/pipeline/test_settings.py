"""Settings: defaults, s3 mode, and a clear error for every bad value (SPEC 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitness_platform.settings import SettingsError, load_settings


def test_defaults_from_an_empty_environment() -> None:
    settings = load_settings({})
    assert settings.storage_mode == "local"
    assert settings.engine == "pandas"
    assert settings.stage == "dev"
    assert settings.max_row_kb == 64
    assert settings.max_file_mb == 512
    assert settings.aws_region == "us-east-1"
    assert settings.glue_database == "fitness_gold"
    assert settings.s3_bucket is None
    assert settings.alert_topic_arn is None
    assert settings.lake_root == str(Path("./data").resolve())
    assert settings.raw_root == f"{settings.lake_root}/raw"
    assert settings.storage_options == {}


def test_values_are_read_from_os_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FITNESS_LOCAL_ROOT", str(tmp_path / "lake"))
    monkeypatch.setenv("FITNESS_RAW_PATH", f"{tmp_path}/drop/")
    monkeypatch.setenv("FITNESS_ENGINE", " Spark ")
    monkeypatch.setenv("FITNESS_MAX_ROW_KB", "8")
    settings = load_settings()
    assert settings.lake_root == str(tmp_path / "lake")
    assert settings.raw_root == f"{tmp_path}/drop"
    assert settings.engine == "spark"
    assert settings.max_row_kb == 8


def test_s3_mode_builds_the_lake_uri_and_endpoint_options() -> None:
    settings = load_settings(
        {
            "FITNESS_STORAGE_MODE": "S3",
            "FITNESS_S3_BUCKET": "fitness-lake",
            "FITNESS_S3_PREFIX": "/env/dev/",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
        }
    )
    assert settings.storage_mode == "s3"
    assert settings.lake_root == "s3://fitness-lake/env/dev"
    assert settings.raw_root == "s3://fitness-lake/env/dev/raw"
    options = settings.storage_options
    assert options["client_kwargs"] == {"endpoint_url": "http://127.0.0.1:5000"}
    # Another process may add objects between two listings: they must never be cached.
    assert options["use_listings_cache"] is False


@pytest.mark.parametrize(
    ("env", "variable", "allowed"),
    [
        ({"FITNESS_STORAGE_MODE": "foo"}, "FITNESS_STORAGE_MODE", ["local", "s3"]),
        ({"FITNESS_ENGINE": "x"}, "FITNESS_ENGINE", ["pandas", "spark"]),
        ({"FITNESS_STORAGE_MODE": "s3"}, "FITNESS_S3_BUCKET", ["bucket"]),
        ({"FITNESS_STORAGE_MODE": "s3", "FITNESS_S3_BUCKET": "  "}, "FITNESS_S3_BUCKET", []),
        ({"FITNESS_MAX_ROW_KB": "-1"}, "FITNESS_MAX_ROW_KB", ["positive integer"]),
        ({"FITNESS_MAX_ROW_KB": "0"}, "FITNESS_MAX_ROW_KB", ["positive integer"]),
        ({"FITNESS_MAX_ROW_KB": "64k"}, "FITNESS_MAX_ROW_KB", ["positive integer"]),
        ({"FITNESS_MAX_FILE_MB": "1.5"}, "FITNESS_MAX_FILE_MB", ["positive integer"]),
        ({"FITNESS_THREADS": "0"}, "FITNESS_THREADS", ["positive integer"]),
        ({"FITNESS_THREADS": "all"}, "FITNESS_THREADS", ["positive integer"]),
        ({"FITNESS_STAGE": "dev/../x"}, "FITNESS_STAGE", ["letters, digits"]),
    ],
)
def test_a_bad_value_names_the_variable_and_the_allowed_values(
    env: dict[str, str], variable: str, allowed: list[str]
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(env)
    message = str(raised.value)
    assert variable in message
    assert "allowed values" in message
    for value in allowed:
        assert value in message
    # The cause is not hidden behind a chained ValueError traceback.
    assert raised.value.__cause__ is None
