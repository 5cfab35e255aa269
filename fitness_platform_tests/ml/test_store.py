"""The model store round-trips locally and on S3 (a real moto server over HTTP)."""

from __future__ import annotations

import json

import boto3
import numpy as np
import pytest

from fitness_platform.ml.card import plot_files, sidecar
from fitness_platform.ml.store import ModelStore
from fitness_platform.ml.train import TrainedModel, TrainParams
from fitness_platform.storage.lake import Lake, s3_storage_options
from fitness_platform_tests.ml.conftest import TEST_PARAMS, TrainedSet


def _round_trip(store: ModelStore, trained: TrainedModel, frame) -> dict:
    card = sidecar(
        trained,
        model_version="v1",
        data_version="d1",
        code_version="c1",
        params=TEST_PARAMS,
    )
    plots = plot_files(trained)
    store.save("stress_trend_model", trained.pipeline, card, plots)
    model, loaded = store.load("stress_trend_model")
    x = frame.loc[:, list(loaded["features"])]
    assert np.array_equal(model.predict(x), trained.pipeline.predict(x))
    assert loaded == json.loads(json.dumps(card))
    assert (
        store.attachment("stress_trend_model", "v1", "confusion_matrix.png")
        == (plots["confusion_matrix.png"])
    )
    assert plots["confusion_matrix.png"].startswith(b"\x89PNG")
    return loaded


def test_local_round_trip(tmp_path, with_signal: TrainedSet) -> None:
    store = ModelStore(Lake(str(tmp_path / "lake")))
    trained = with_signal.models["stress_trend_model"]
    loaded = _round_trip(store, trained, with_signal.frame.head(500))
    assert loaded["training_window"]["cutoff"] == trained.window["cutoff"]
    assert loaded["params"] == TrainParams(**loaded["params"]).as_dict()
    assert loaded["metrics"]["metrics"]["model"]["balanced_accuracy"] > 0.5
    assert (tmp_path / "lake/ml/models/stress_trend_model/v1/model.joblib").is_file()
    assert store.current_version("stress_trend_model") == "v1"
    assert store.has("stress_trend_model", "v1") and not store.has("stress_trend_model", "v2")
    with pytest.raises(FileNotFoundError, match="sleep_quality_model"):
        store.load("sleep_quality_model")
    with pytest.raises(FileNotFoundError, match="v2"):
        store.set_current("stress_trend_model", "v2")


def test_s3_round_trip(aws_env: str, s3_bucket: str, with_signal: TrainedSet) -> None:
    lake = Lake(f"s3://{s3_bucket}/lake", s3_storage_options(aws_env))
    store = ModelStore(lake)
    _round_trip(store, with_signal.models["stress_trend_model"], with_signal.frame.head(500))
    s3 = boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=s3_bucket)["Contents"]}
    assert {
        "lake/ml/models/stress_trend_model/v1/model.joblib",
        "lake/ml/models/stress_trend_model/v1/model.json",
        "lake/ml/models/stress_trend_model/v1/confusion_matrix.png",
        "lake/ml/models/stress_trend_model/v1/permutation_importance.png",
        "lake/ml/models/stress_trend_model/current.json",
    } <= keys
    assert store.uri("stress_trend_model", "v1").startswith(f"s3://{s3_bucket}/lake/")
