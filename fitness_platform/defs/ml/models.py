"""The three model assets: train (or reuse) a model, store it, show its evaluation."""

from typing import Any

import dagster as dg
import pyarrow as pa

from fitness_platform.defs.ml.conditions import MODEL_CONDITION
from fitness_platform.defs.ml.features import FEATURES_KEY
from fitness_platform.defs.resources import LakeResource
from fitness_platform.defs.tracker.policies import LAKE_RETRY
from fitness_platform.ml.dataset import fingerprint, to_frame
from fitness_platform.ml.features import FEATURES
from fitness_platform.ml.report import metrics_markdown, per_class_markdown
from fitness_platform.ml.specs import (
    CONFUSION_MATRIX_FILE,
    IMPORTANCE_FILE,
    MODEL_SPECS,
    ModelSpec,
    TrainParams,
    model_version,
)
from fitness_platform.ml.split import DEFAULT_TEST_FRACTION
from fitness_platform.ml.store import ModelStore

OWNERS = ["team:ml"]
# Bump when training or evaluation code changes: it enters every model_version.
MODEL_CODE_VERSION = "ml-models-1"
BEATS_BASELINE_CHECK = "beats_current_value_baseline"


class TrainingConfig(dg.Config):
    """Run-time choices of the time split and the seed (all enter the model version)."""

    cutoff: str | None = None
    test_fraction: float = DEFAULT_TEST_FRACTION
    seed: int = 0

    def params(self) -> TrainParams:
        """The training parameters for this configuration."""
        return TrainParams(cutoff=self.cutoff, test_fraction=self.test_fraction, seed=self.seed)


def _metadata(card: dict[str, Any], plots: dict[str, bytes], retrained: bool, uri: str) -> dict:
    # scikit-learn and matplotlib load only when a model asset runs, not with the definitions.
    from fitness_platform.ml.plots import markdown_image

    report = card["metrics"]
    metadata: dict[str, Any] = {
        "verdict": dg.MetadataValue.text(report["verdict"]),
        "useful": dg.MetadataValue.bool(report["useful"]),
        "model_version": dg.MetadataValue.text(card["model_version"]),
        "retrained": dg.MetadataValue.bool(retrained),
        "training_seconds": dg.MetadataValue.float(float(report["training_seconds"])),
        "train_rows": dg.MetadataValue.int(report["train_rows"]),
        "test_rows": dg.MetadataValue.int(report["test_rows"]),
        "metrics": dg.MetadataValue.md(metrics_markdown(report)),
        "lift": dg.MetadataValue.json(report["lift"]),
        "training_window": dg.MetadataValue.json(card["training_window"]),
        "params": dg.MetadataValue.json(card["params"]),
        "features": dg.MetadataValue.json(card["features"]),
        "confusion_matrix": dg.MetadataValue.md(
            markdown_image(plots[CONFUSION_MATRIX_FILE], "confusion matrix")
        ),
        "permutation_importance": dg.MetadataValue.md(
            markdown_image(plots[IMPORTANCE_FILE], "permutation importance")
        ),
        "model_uri": dg.MetadataValue.path(uri),
    }
    if report["kind"] == "classification":
        metadata["per_class"] = dg.MetadataValue.md(per_class_markdown(report))
        metadata["class_balance"] = dg.MetadataValue.json(report["class_balance"])
    else:
        metadata["label_summary"] = dg.MetadataValue.json(report["label_summary"])
    return metadata


def _check_result(card: dict[str, Any]) -> dg.AssetCheckResult:
    report = card["metrics"]
    return dg.AssetCheckResult(
        check_name=BEATS_BASELINE_CHECK,
        passed=bool(report["useful"]),
        severity=dg.AssetCheckSeverity.WARN,
        description=report["verdict"],
        metadata={
            "verdict": dg.MetadataValue.text(report["verdict"]),
            "lift_over_current_value": dg.MetadataValue.json(report["lift"]["current_value"]),
        },
    )


def build_model_asset(spec: ModelSpec) -> dg.AssetsDefinition:
    """The asset of one model: ``ml/<model name>``, with its baseline check."""
    key = dg.AssetKey(["ml", spec.name])

    @dg.asset(
        retry_policy=LAKE_RETRY,
        key=key,
        description=f"{spec.purpose} Scikit-learn pipeline (preprocessing + histogram gradient "
        f"boosting) for {spec.label.column}, trained on a time split with an embargo and "
        "evaluated against the naive and the current-value baselines (SPEC 1.5).",
        ins={"features": dg.AssetIn(key=FEATURES_KEY)},
        group_name="ml",
        kinds={"scikit-learn", "python"},
        owners=OWNERS,
        code_version=MODEL_CODE_VERSION,
        automation_condition=MODEL_CONDITION,
        check_specs=[
            dg.AssetCheckSpec(
                BEATS_BASELINE_CHECK,
                asset=key,
                description="Warns when the model does not beat the current-value baseline "
                "by more than noise: its predictions then carry no information.",
            )
        ],
    )
    def _model(
        context: dg.AssetExecutionContext,
        config: TrainingConfig,
        features: pa.Table,
        lake: LakeResource,
    ) -> dg.MaterializeResult:
        store = ModelStore(lake.lake())
        params = config.params()
        data_version = fingerprint(features)
        version = model_version(data_version, spec, params, FEATURES, MODEL_CODE_VERSION)
        retrained = not store.has(spec.name, version)
        if retrained:
            from fitness_platform.ml.card import plot_files, sidecar
            from fitness_platform.ml.train import train_and_evaluate

            trained = train_and_evaluate(to_frame(features), spec, params)
            plots = plot_files(trained)
            card = sidecar(
                trained,
                model_version=version,
                data_version=data_version,
                code_version=MODEL_CODE_VERSION,
                params=params,
            )
            store.save(spec.name, trained.pipeline, card, plots)
        else:
            context.log.info(f"{spec.name} {version} is stored already; not training again")
            store.set_current(spec.name, version)
            card = store.sidecar(spec.name, version)
            plots = {
                f: store.attachment(spec.name, version, f)
                for f in (CONFUSION_MATRIX_FILE, IMPORTANCE_FILE)
            }
        return dg.MaterializeResult(
            metadata=_metadata(card, plots, retrained, store.uri(spec.name, version)),
            data_version=dg.DataVersion(version),
            check_results=[_check_result(card)],
        )

    return _model


stress_trend_model = build_model_asset(MODEL_SPECS["stress_trend_model"])
sleep_quality_model = build_model_asset(MODEL_SPECS["sleep_quality_model"])
weight_change_model = build_model_asset(MODEL_SPECS["weight_change_model"])
