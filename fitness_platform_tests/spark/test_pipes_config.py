"""``FITNESS_PIPES_*`` settings and the Pipes client they choose (no Spark, no AWS calls)."""

from __future__ import annotations

import sys

import dagster as dg
import pytest
from dagster_aws.pipes import PipesEMRServerlessClient, PipesGlueClient, PipesS3ContextInjector

from fitness_platform.defs.resources import EngineResource, LakeResource
from fitness_platform.defs.spark.assets import job_extras
from fitness_platform.defs.spark.resources import SparkPipesResource, emr_serverless_job_params
from fitness_platform.pipes import TABLES
from fitness_platform.settings import SettingsError, load_pipes_settings, load_settings

EMR = {
    "FITNESS_PIPES_BACKEND": "emr-serverless",
    "FITNESS_PIPES_EMR_APPLICATION_ID": "00fabc123",
    "FITNESS_PIPES_EMR_ROLE_ARN": "arn:aws:iam::123456789012:role/fitness-emr",
    "FITNESS_PIPES_SCRIPT_URI": "s3://fitness-code/tracker_spark_job.py",
    "AWS_REGION": "eu-west-1",
}
GLUE = {
    "FITNESS_PIPES_BACKEND": "GLUE",
    "FITNESS_PIPES_GLUE_JOB_NAME": "fitness-tracker-spark",
    "FITNESS_PIPES_CONTEXT_BUCKET": "fitness-pipes",
}


def test_default_backend_is_a_local_subprocess() -> None:
    pipes = load_settings({}).pipes
    assert pipes.backend == "subprocess"
    resource = SparkPipesResource.from_settings(pipes)
    assert isinstance(resource.client(), dg.PipesSubprocessClient)
    assert resource.python_executable == sys.executable
    assert not resource.on_aws


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FITNESS_PIPES_BACKEND": "emr"}, "FITNESS_PIPES_BACKEND='emr' is not valid"),
        (
            {"FITNESS_PIPES_BACKEND": "emr-serverless"},
            "needs FITNESS_PIPES_EMR_APPLICATION_ID, FITNESS_PIPES_EMR_ROLE_ARN, "
            "FITNESS_PIPES_SCRIPT_URI",
        ),
        (
            {"FITNESS_PIPES_BACKEND": "glue", "FITNESS_PIPES_GLUE_JOB_NAME": "j"},
            "needs FITNESS_PIPES_CONTEXT_BUCKET",
        ),
        ({**EMR, "FITNESS_PIPES_EMR_ROLE_ARN": "fitness-emr"}, "an IAM role ARN"),
        ({**EMR, "FITNESS_PIPES_SCRIPT_URI": "/opt/job.py"}, "an s3:// URI"),
    ],
)
def test_invalid_pipes_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        load_pipes_settings(env)
    with pytest.raises(SettingsError):
        load_settings(env)


def test_emr_serverless_backend_builds_its_client_and_job_request() -> None:
    pipes = load_pipes_settings(
        {**EMR, "FITNESS_PIPES_PYTHON_ARCHIVE": "s3://fitness-code/env.tar.gz"}
    )
    resource = SparkPipesResource.from_settings(pipes)
    assert resource.on_aws and resource.region_name == "eu-west-1"
    client = resource.client()
    assert isinstance(client, PipesEMRServerlessClient)
    assert client.client.meta.region_name == "eu-west-1"
    params = emr_serverless_job_params(
        application_id=pipes.emr_application_id or "",
        execution_role_arn=pipes.emr_execution_role_arn or "",
        script_uri=pipes.script_uri or "",
        python_archive=pipes.python_archive,
        log_group="/aws/emr-serverless",
        run_name="fitness-tracker-spark-1234abcd",
    )
    assert params["applicationId"] == "00fabc123"
    assert params["jobDriver"]["sparkSubmit"]["entryPoint"] == EMR["FITNESS_PIPES_SCRIPT_URI"]
    submit = params["jobDriver"]["sparkSubmit"]["sparkSubmitParameters"]
    assert "--conf spark.archives=s3://fitness-code/env.tar.gz#environment" in submit
    assert "spark.emr-serverless.driverEnv.PYSPARK_PYTHON=./environment/bin/python" in submit
    logging = params["configurationOverrides"]["monitoringConfiguration"]
    assert logging["cloudWatchLoggingConfiguration"]["enabled"] is True


def test_glue_backend_injects_context_through_s3() -> None:
    resource = SparkPipesResource.from_settings(load_pipes_settings(GLUE))
    client = resource.client()
    assert isinstance(client, PipesGlueClient)
    injector = client._context_injector
    assert isinstance(injector, PipesS3ContextInjector)
    assert injector.bucket == "fitness-pipes"


def test_job_extras_per_backend() -> None:
    engine = EngineResource(name="pandas", spark_master="local[2]")
    bronze = ["bronze/fitness_logs/a.csv.parquet", "bronze/fitness_logs/b.csv.parquet"]
    s3_lake = LakeResource(root="s3://lake/fit", endpoint_url="http://127.0.0.1:5000")
    local = job_extras(s3_lake, engine, SparkPipesResource(), bronze)
    assert local["bronze_paths"] == [f"s3a://lake/fit/{key}" for key in bronze]
    assert local["output_root"] == "s3a://lake/fit/spark"
    assert local["spark_master"] == "local[2]"
    assert local["spark_conf"]["spark.hadoop.fs.s3a.endpoint"] == "http://127.0.0.1:5000"
    assert local["asset_keys"] == {t: f"spark/{t}" for t in TABLES}

    glue = SparkPipesResource.from_settings(load_pipes_settings(GLUE))
    remote = job_extras(LakeResource(root="s3://lake/fit"), engine, glue, bronze)
    assert remote["bronze_paths"] == [f"s3://lake/fit/{key}" for key in bronze]
    assert remote["spark_master"] is None
    assert remote["spark_conf"] == {}

    with pytest.raises(ValueError, match="cannot read a local lake"):
        job_extras(LakeResource(root="/data/lake"), engine, glue, bronze)
    with pytest.raises(ValueError, match="materialise bronze first"):
        job_extras(LakeResource(root="/data/lake"), engine, SparkPipesResource(), [])
