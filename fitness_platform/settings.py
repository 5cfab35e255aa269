"""Settings: the only place that reads ``FITNESS_*`` and ``AWS_*`` environment variables.

Non-secret settings are read and validated once, when the definitions load; a bad value fails
with a message naming the variable and the allowed values. Secrets (AWS keys, Garmin and
WordPress passwords) are never read here: resources get them through ``dg.EnvVar`` or the
standard AWS credential chain, so they never reach the UI, the logs or run config.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from fitness_platform.storage.keys import UnsafeKeyError, safe_relative_key

STORAGE_MODES = ("local", "s3")
ENGINES = ("pandas", "spark")
PIPES_BACKENDS = ("subprocess", "emr-serverless", "glue")


class SettingsError(ValueError):
    """An environment variable holds a value the platform cannot use."""


@dataclass(frozen=True)
class PipesSettings:
    """Where the Spark Pipes job (``fitness_platform/pipes/tracker_spark_job.py``) runs.

    Attributes:
        backend: ``subprocess`` (default: a local process with a local Spark),
            ``emr-serverless`` or ``glue`` (``FITNESS_PIPES_BACKEND``).
        script_uri: ``s3://`` URI of the uploaded entry script; the EMR Serverless entry point
            (``FITNESS_PIPES_SCRIPT_URI``; a Glue job names its script itself).
        python_archive: ``s3://`` URI of a packed virtualenv (``venv-pack``) holding
            fitness_platform, narwhals, pyarrow and dagster-pipes, shipped to EMR Serverless
            as ``spark.archives`` (``FITNESS_PIPES_PYTHON_ARCHIVE``; optional).
        emr_application_id: EMR Serverless application (``FITNESS_PIPES_EMR_APPLICATION_ID``).
        emr_execution_role_arn: Role the EMR Serverless job runs as
            (``FITNESS_PIPES_EMR_ROLE_ARN``).
        glue_job_name: The Glue job that runs the entry script (``FITNESS_PIPES_GLUE_JOB_NAME``).
        context_bucket: Bucket where Dagster leaves the Pipes context for a Glue job
            (``FITNESS_PIPES_CONTEXT_BUCKET``).
        log_group: CloudWatch log group of the EMR Serverless job, where Dagster reads the job's
            reports (``FITNESS_PIPES_LOG_GROUP``, default ``/aws/emr-serverless``; a Glue job
            run names its own log group).
        region: AWS region of the job (``AWS_REGION`` / ``AWS_DEFAULT_REGION``, us-east-1).
    """

    backend: str = "subprocess"
    script_uri: str | None = None
    python_archive: str | None = None
    emr_application_id: str | None = None
    emr_execution_role_arn: str | None = None
    glue_job_name: str | None = None
    context_bucket: str | None = None
    log_group: str | None = None
    region: str = "us-east-1"


@dataclass(frozen=True)
class Settings:
    """Validated platform settings (SPEC section 4).

    Attributes:
        storage_mode: ``local`` (default) or ``s3``.
        local_root: Lake root in local mode (``FITNESS_LOCAL_ROOT``, default ``./data``).
        s3_bucket: Bucket in s3 mode (``FITNESS_S3_BUCKET``).
        s3_prefix: Optional key prefix inside the bucket (``FITNESS_S3_PREFIX``).
        aws_endpoint_url: S3-compatible endpoint (``AWS_ENDPOINT_URL``), e.g. a moto server.
        aws_region: AWS region (``AWS_REGION`` / ``AWS_DEFAULT_REGION``, default us-east-1).
        raw_path: Where raw tracker files land (``FITNESS_RAW_PATH``, default ``<root>/raw/``).
        engine: ``pandas`` (default) or ``spark`` (``FITNESS_ENGINE``).
        spark_master: Spark master URL (``FITNESS_SPARK_MASTER``, default ``local[*]``).
        threads: Threads of the pandas engine and the bronze parser (``FITNESS_THREADS``);
            None (the default) uses one per usable CPU, 1 runs sequentially.
        stage: Suffix of AWS resource names (``FITNESS_STAGE``, default ``dev``).
        max_row_kb: Longest accepted raw record in KiB (``FITNESS_MAX_ROW_KB``, default 64).
        max_file_mb: Largest accepted raw file in MiB (``FITNESS_MAX_FILE_MB``, default 512).
        alert_topic_arn: SNS topic for alerts (``FITNESS_ALERT_TOPIC_ARN``); empty = log only.
        glue_database: Glue database for gold tables (``FITNESS_GLUE_DATABASE``).
        s3_events_queue_url: SQS queue of S3 event notifications (optional).
        garmin_source_path: Folder or s3:// prefix of exported Garmin files (optional).
        garmin_use_api: Pull from Garmin Connect (``FITNESS_GARMIN_API=1``).
        garmin_prefix: Lake prefix of raw Garmin JSON (``FITNESS_GARMIN_PREFIX``,
            default ``bronze/garmin``).
        garmin_token_dir: Saved Garmin Connect tokens (``FITNESS_GARMIN_TOKEN_DIR``,
            default ``~/.garminconnect``).
        garmin_limit: Activities asked for by ``fitness-platform run`` (``FITNESS_GARMIN_LIMIT``,
            1-1000, default 50).
        garmin_days_back: Days of activities kept by ``fitness-platform run``
            (``FITNESS_GARMIN_DAYS_BACK``, default 7).
        wordpress_base_url: WordPress site for WOD posts (``FITNESS_WORDPRESS_URL``; optional).
        wordpress_category: WordPress category id (``FITNESS_WORDPRESS_CATEGORY``, 213).
        wordpress_per_page: Posts per request (``FITNESS_WORDPRESS_PER_PAGE``, 1-100, default 100).
        wordpress_max_posts: Most posts fetched per run (``FITNESS_WORDPRESS_MAX_POSTS``; all).
        wordpress_max_pages: Most pages fetched per run (``FITNESS_WORDPRESS_MAX_PAGES``; all).
        wordpress_auth: ``INVICTUS_USER`` and ``INVICTUS_PASS`` are both set. Only their
            presence is checked here; the values reach the WordPress resource via ``dg.EnvVar``.
        pipes: Where the Spark Pipes job runs (``FITNESS_PIPES_*``, see :class:`PipesSettings`).
    """

    storage_mode: str = "local"
    local_root: str = "./data"
    s3_bucket: str | None = None
    s3_prefix: str = ""
    aws_endpoint_url: str | None = None
    aws_region: str = "us-east-1"
    raw_path: str = ""
    engine: str = "pandas"
    spark_master: str = "local[*]"
    threads: int | None = None
    stage: str = "dev"
    max_row_kb: int = 64
    max_file_mb: int = 512
    alert_topic_arn: str | None = None
    glue_database: str = "fitness_gold"
    s3_events_queue_url: str | None = None
    garmin_source_path: str | None = None
    garmin_use_api: bool = False
    garmin_prefix: str = "bronze/garmin"
    garmin_token_dir: str = "~/.garminconnect"
    garmin_limit: int = 50
    garmin_days_back: int = 7
    wordpress_base_url: str | None = None
    wordpress_category: int = 213
    wordpress_per_page: int = 100
    wordpress_max_posts: int | None = None
    wordpress_max_pages: int | None = None
    wordpress_auth: bool = False
    pipes: PipesSettings = field(default_factory=PipesSettings)

    @property
    def lake_root(self) -> str:
        """The lake root: an absolute local folder or ``s3://bucket[/prefix]``."""
        if self.storage_mode == "s3":
            prefix = self.s3_prefix.strip("/")
            return f"s3://{self.s3_bucket}" + (f"/{prefix}" if prefix else "")
        return str(Path(self.local_root).expanduser().resolve())

    @property
    def raw_root(self) -> str:
        """Where raw tracker files are found (local folder or ``s3://`` prefix)."""
        return self.raw_path or f"{self.lake_root}/raw"

    @property
    def storage_options(self) -> dict:
        """fsspec options for the lake root (an endpoint for S3-compatible servers)."""
        if self.storage_mode != "s3":
            return {}
        options: dict = {"use_listings_cache": False}
        if self.aws_endpoint_url:
            options["client_kwargs"] = {"endpoint_url": self.aws_endpoint_url}
        return options


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in allowed:
        raise SettingsError(
            f"{name}={env.get(name)!r} is not valid; allowed values: {', '.join(allowed)}"
        )
    return value


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(
            f"{name}={raw!r} is not valid; allowed values: a positive integer"
        ) from None
    if value <= 0:
        raise SettingsError(f"{name}={raw!r} is not valid; allowed values: a positive integer")
    return value


def _key_prefix(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or "").strip().strip("/")
    if not raw:
        return default
    try:
        return safe_relative_key(raw)
    except UnsafeKeyError:
        raise SettingsError(
            f"{name}={env.get(name)!r} is not valid; allowed values: a relative key prefix "
            "without '.', '..' or empty segments"
        ) from None


def _garmin_limit(env: Mapping[str, str]) -> int:
    # Garmin's activity search refuses pages above 1000 activities.
    value = _positive_int(env, "FITNESS_GARMIN_LIMIT", 50)
    if value > 1000:
        raise SettingsError(
            f"FITNESS_GARMIN_LIMIT={env.get('FITNESS_GARMIN_LIMIT')!r} is not valid; "
            "allowed values: an integer from 1 to 1000"
        )
    return value


def _optional_positive_int(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name)
    return None if raw is None or raw.strip() == "" else _positive_int(env, name, 1)


def _wordpress_per_page(env: Mapping[str, str]) -> int:
    # WordPress refuses per_page above 100.
    value = _positive_int(env, "FITNESS_WORDPRESS_PER_PAGE", 100)
    if value > 100:
        raise SettingsError(
            f"FITNESS_WORDPRESS_PER_PAGE={env.get('FITNESS_WORDPRESS_PER_PAGE')!r} is not valid; "
            "allowed values: an integer from 1 to 100"
        )
    return value


def _wordpress_url(env: Mapping[str, str]) -> str | None:
    value = _optional(env, "FITNESS_WORDPRESS_URL")
    parts = urlsplit(value or "")
    if value is not None and (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.query
        or parts.fragment
    ):
        # The value is not echoed: a URL with user:password@ would leak into logs.
        raise SettingsError(
            "FITNESS_WORDPRESS_URL is not valid; allowed values: an http(s) site root without "
            "credentials, query or fragment (credentials go in INVICTUS_USER/INVICTUS_PASS)"
        )
    return value


def _wordpress_auth(env: Mapping[str, str]) -> bool:
    # Presence only: the secret values are never read into settings.
    present = [bool((env.get(name) or "").strip()) for name in ("INVICTUS_USER", "INVICTUS_PASS")]
    if any(present) and not all(present):
        raise SettingsError(
            "INVICTUS_USER and INVICTUS_PASS are not valid; allowed values: both set or neither"
        )
    return all(present)


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = (env.get(name) or "").strip()
    return value or None


def _s3_uri(env: Mapping[str, str], name: str) -> str | None:
    value = _optional(env, name)
    if value is not None and (not value.startswith("s3://") or len(value) <= len("s3://")):
        raise SettingsError(f"{name}={value!r} is not valid; allowed values: an s3:// URI")
    return value


def load_pipes_settings(env: Mapping[str, str] | None = None) -> PipesSettings:
    """Read and validate ``FITNESS_PIPES_*``: the backend and the ids it needs.

    Raises:
        SettingsError: naming the variable, for an unknown backend or a missing id.
    """
    env = os.environ if env is None else env
    backend = _choice(env, "FITNESS_PIPES_BACKEND", PIPES_BACKENDS, "subprocess")
    settings = PipesSettings(
        backend=backend,
        script_uri=_s3_uri(env, "FITNESS_PIPES_SCRIPT_URI"),
        python_archive=_s3_uri(env, "FITNESS_PIPES_PYTHON_ARCHIVE"),
        emr_application_id=_optional(env, "FITNESS_PIPES_EMR_APPLICATION_ID"),
        emr_execution_role_arn=_optional(env, "FITNESS_PIPES_EMR_ROLE_ARN"),
        glue_job_name=_optional(env, "FITNESS_PIPES_GLUE_JOB_NAME"),
        context_bucket=_optional(env, "FITNESS_PIPES_CONTEXT_BUCKET"),
        log_group=_optional(env, "FITNESS_PIPES_LOG_GROUP"),
        region=(env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"),
    )
    required = {
        "emr-serverless": {
            "FITNESS_PIPES_EMR_APPLICATION_ID": settings.emr_application_id,
            "FITNESS_PIPES_EMR_ROLE_ARN": settings.emr_execution_role_arn,
            "FITNESS_PIPES_SCRIPT_URI": settings.script_uri,
        },
        "glue": {
            "FITNESS_PIPES_GLUE_JOB_NAME": settings.glue_job_name,
            "FITNESS_PIPES_CONTEXT_BUCKET": settings.context_bucket,
        },
    }.get(backend, {})
    missing = [name for name, value in required.items() if not value]
    if missing:
        raise SettingsError(
            f"FITNESS_PIPES_BACKEND={backend} needs {', '.join(missing)}; "
            "allowed values: set them, or use FITNESS_PIPES_BACKEND=subprocess"
        )
    role = settings.emr_execution_role_arn
    if role is not None and not role.startswith("arn:"):
        raise SettingsError(
            f"FITNESS_PIPES_EMR_ROLE_ARN={role!r} is not valid; allowed values: an IAM role ARN"
        )
    return settings


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate settings from the environment (or a given mapping, for tests).

    Raises:
        SettingsError: naming the variable and the allowed values.
    """
    env = os.environ if env is None else env
    storage_mode = _choice(env, "FITNESS_STORAGE_MODE", STORAGE_MODES, "local")
    bucket = _optional(env, "FITNESS_S3_BUCKET")
    if storage_mode == "s3" and not bucket:
        raise SettingsError(
            "FITNESS_S3_BUCKET must be set when FITNESS_STORAGE_MODE=s3; "
            "allowed values: an S3 bucket name"
        )
    stage = (env.get("FITNESS_STAGE") or "dev").strip()
    if not stage.replace("-", "").isalnum():
        raise SettingsError(
            f"FITNESS_STAGE={stage!r} is not valid; allowed values: letters, digits and '-'"
        )
    return Settings(
        storage_mode=storage_mode,
        local_root=(env.get("FITNESS_LOCAL_ROOT") or "./data").strip(),
        s3_bucket=bucket,
        s3_prefix=(env.get("FITNESS_S3_PREFIX") or "").strip(),
        aws_endpoint_url=_optional(env, "AWS_ENDPOINT_URL"),
        aws_region=(env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"),
        raw_path=(env.get("FITNESS_RAW_PATH") or "").strip().rstrip("/"),
        engine=_choice(env, "FITNESS_ENGINE", ENGINES, "pandas"),
        spark_master=(env.get("FITNESS_SPARK_MASTER") or "local[*]").strip(),
        threads=_optional_positive_int(env, "FITNESS_THREADS"),
        stage=stage,
        max_row_kb=_positive_int(env, "FITNESS_MAX_ROW_KB", 64),
        max_file_mb=_positive_int(env, "FITNESS_MAX_FILE_MB", 512),
        alert_topic_arn=_optional(env, "FITNESS_ALERT_TOPIC_ARN"),
        glue_database=(env.get("FITNESS_GLUE_DATABASE") or "fitness_gold").strip(),
        s3_events_queue_url=_optional(env, "FITNESS_S3_EVENTS_QUEUE_URL"),
        garmin_source_path=_optional(env, "FITNESS_GARMIN_SOURCE"),
        garmin_use_api=_choice(env, "FITNESS_GARMIN_API", ("0", "1"), "0") == "1",
        garmin_prefix=_key_prefix(env, "FITNESS_GARMIN_PREFIX", "bronze/garmin"),
        garmin_token_dir=(env.get("FITNESS_GARMIN_TOKEN_DIR") or "~/.garminconnect").strip(),
        garmin_limit=_garmin_limit(env),
        garmin_days_back=_positive_int(env, "FITNESS_GARMIN_DAYS_BACK", 7),
        wordpress_base_url=_wordpress_url(env),
        wordpress_category=_positive_int(env, "FITNESS_WORDPRESS_CATEGORY", 213),
        wordpress_per_page=_wordpress_per_page(env),
        wordpress_max_posts=_optional_positive_int(env, "FITNESS_WORDPRESS_MAX_POSTS"),
        wordpress_max_pages=_optional_positive_int(env, "FITNESS_WORDPRESS_MAX_PAGES"),
        wordpress_auth=_wordpress_auth(env),
        pipes=load_pipes_settings(env),
    )
