# Code location image for Dagster+ Hybrid / OSS deployments (ECS, Kubernetes).
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN pip install uv
WORKDIR /opt/dagster/app
# Dependencies first, from the lock file, so code changes rebuild only the last layer.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY fitness_platform ./fitness_platform
COPY dagster.yaml workspace.yaml dagster_cloud.yaml ./
RUN uv sync --frozen --no-dev
EXPOSE 4000
# The code server that the webserver/daemon or the Dagster+ agent talks to.
CMD ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "4000", "-m", "fitness_platform.definitions"]
