"""Which Pipes client launches the Spark job: a local subprocess, EMR Serverless or Glue.

The choice is ``FITNESS_PIPES_BACKEND``, read and validated by ``settings.py`` when the
definitions load. Credentials never pass through here: boto3 clients use the standard AWS
credential chain (instance role, ``AWS_PROFILE``, ...).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import Field

from fitness_platform.settings import PipesSettings

if TYPE_CHECKING:
    from dagster._core.pipes.client import PipesClientCompletedInvocation

ENTRY_MODULE = "fitness_platform.pipes.tracker_spark_job"
EMR_DEFAULT_LOG_GROUP = "/aws/emr-serverless"
PYTHON_IN_ARCHIVE = "./environment/bin/python"


def emr_serverless_job_params(
    *,
    application_id: str,
    execution_role_arn: str,
    script_uri: str,
    python_archive: str | None,
    log_group: str,
    run_name: str,
) -> dict[str, Any]:
    """The ``StartJobRun`` request of EMR Serverless for the entry script.

    The packed virtualenv (when given) travels as ``spark.archives`` and becomes the Python of
    the driver and the executors, so they can import fitness_platform, narwhals and
    dagster-pipes. CloudWatch logging is on, because that is where
    ``PipesCloudWatchMessageReader`` finds the job's reports.
    """
    submit = ""
    if python_archive:
        submit = (
            f"--conf spark.archives={python_archive}#environment "
            f"--conf spark.emr-serverless.driverEnv.PYSPARK_DRIVER_PYTHON={PYTHON_IN_ARCHIVE} "
            f"--conf spark.emr-serverless.driverEnv.PYSPARK_PYTHON={PYTHON_IN_ARCHIVE} "
            f"--conf spark.executorEnv.PYSPARK_PYTHON={PYTHON_IN_ARCHIVE}"
        )
    return {
        "applicationId": application_id,
        "executionRoleArn": execution_role_arn,
        "name": run_name,
        "jobDriver": {"sparkSubmit": {"entryPoint": script_uri, "sparkSubmitParameters": submit}},
        "configurationOverrides": {
            "monitoringConfiguration": {
                "cloudWatchLoggingConfiguration": {"enabled": True, "logGroupName": log_group}
            }
        },
    }


class SparkPipesResource(dg.ConfigurableResource):
    """Launches ``fitness_platform/pipes/tracker_spark_job.py`` through Dagster Pipes.

    ``backend`` ``subprocess`` runs it as a local process (``python -m``) with a local Spark;
    ``emr-serverless`` submits it to an EMR Serverless application; ``glue`` starts a Glue job
    whose script it is. Reports (materialisations, row counts, logs) come back over stdio
    locally and through CloudWatch Logs on AWS.
    """

    backend: str = "subprocess"
    region_name: str = "us-east-1"
    endpoint_url: str | None = None
    """A custom AWS endpoint (an emulator); production leaves it empty."""
    script_uri: str | None = None
    python_archive: str | None = None
    emr_application_id: str | None = None
    emr_execution_role_arn: str | None = None
    glue_job_name: str | None = None
    context_bucket: str | None = None
    log_group: str | None = None
    python_executable: str = Field(default_factory=lambda: sys.executable)
    """The interpreter of the local subprocess (this one by default)."""

    @classmethod
    def from_settings(cls, pipes: PipesSettings) -> SparkPipesResource:
        """The resource for validated ``FITNESS_PIPES_*`` settings.

        The AWS endpoint is left to boto3, which reads ``AWS_ENDPOINT_URL`` itself.
        """
        return cls(
            backend=pipes.backend,
            region_name=pipes.region,
            script_uri=pipes.script_uri,
            python_archive=pipes.python_archive,
            emr_application_id=pipes.emr_application_id,
            emr_execution_role_arn=pipes.emr_execution_role_arn,
            glue_job_name=pipes.glue_job_name,
            context_bucket=pipes.context_bucket,
            log_group=pipes.log_group,
        )

    @property
    def on_aws(self) -> bool:
        """Whether the job runs on an AWS service (which reads ``s3://`` natively)."""
        return self.backend in ("emr-serverless", "glue")

    def _boto(self, service: str) -> Any:
        import boto3

        return boto3.client(service, region_name=self.region_name, endpoint_url=self.endpoint_url)

    def client(self) -> dg.PipesClient:
        """The Pipes client of the configured backend."""
        if self.backend == "subprocess":
            return dg.PipesSubprocessClient(env={"SPARK_LOCAL_IP": "127.0.0.1"})
        from dagster_aws.pipes import PipesCloudWatchMessageReader

        reader = PipesCloudWatchMessageReader(client=self._boto("logs"))
        if self.backend == "emr-serverless":
            from dagster_aws.pipes import PipesEMRServerlessClient

            return PipesEMRServerlessClient(
                client=self._boto("emr-serverless"), message_reader=reader
            )
        if self.backend == "glue":
            from dagster_aws.pipes import PipesGlueClient, PipesS3ContextInjector

            injector = PipesS3ContextInjector(
                bucket=_required(self.context_bucket, "context_bucket"), client=self._boto("s3")
            )
            return PipesGlueClient(
                client=self._boto("glue"), context_injector=injector, message_reader=reader
            )
        raise ValueError(f"unknown Pipes backend {self.backend!r}")

    def run(
        self, context: dg.AssetExecutionContext, extras: dict[str, Any]
    ) -> PipesClientCompletedInvocation:
        """Run the job for ``context`` with ``extras`` and wait for it to finish."""
        client = self.client()
        if self.backend == "subprocess":
            command = [self.python_executable, "-m", ENTRY_MODULE]
            return client.run(context=context, command=command, extras=extras)
        if self.backend == "emr-serverless":
            params = emr_serverless_job_params(
                application_id=_required(self.emr_application_id, "emr_application_id"),
                execution_role_arn=_required(self.emr_execution_role_arn, "emr_execution_role_arn"),
                script_uri=_required(self.script_uri, "script_uri"),
                python_archive=self.python_archive,
                log_group=self.log_group or EMR_DEFAULT_LOG_GROUP,
                run_name=f"fitness-tracker-spark-{context.run.run_id[:8]}",
            )
            return client.run(context=context, start_job_run_params=params, extras=extras)
        params = {"JobName": _required(self.glue_job_name, "glue_job_name"), "Arguments": {}}
        return client.run(context=context, start_job_run_params=params, extras=extras)


def _required(value: str | None, name: str) -> str:
    if not value:
        raise ValueError(f"SparkPipesResource.{name} must be set for this backend")
    return value
