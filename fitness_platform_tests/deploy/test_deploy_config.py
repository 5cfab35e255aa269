"""Deployment files are valid for the tools that read them."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from dagster_cloud_cli.config.models import load_dagster_cloud_yaml

ROOT = Path(__file__).resolve().parents[2]


def test_dagster_cloud_yaml_is_valid_for_dagster_plus() -> None:
    config = load_dagster_cloud_yaml((ROOT / "dagster_cloud.yaml").read_text())
    (location,) = config.locations
    assert location.code_source is not None
    assert location.code_source.module_name == "fitness_platform.definitions"
    assert location.build is not None and location.build.directory == "."
    assert location.working_directory == "."


def test_workspace_and_instance_yaml_parse() -> None:
    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text())
    module = workspace["load_from"][0]["python_module"]["module_name"]
    assert module == "fitness_platform.definitions"
    instance = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    assert instance["nux"] == {"enabled": False}


def test_iam_policy_is_scoped_to_named_resources() -> None:
    policy = json.loads((ROOT / "deploy" / "iam-policy.json").read_text())
    for statement in policy["Statement"]:
        resources = statement["Resource"]
        resources = resources if isinstance(resources, list) else [resources]
        # Least privilege: no wildcard resource and no wildcard action anywhere.
        assert "*" not in resources, statement["Sid"]
        assert all(not action.endswith(":*") for action in statement["Action"])
