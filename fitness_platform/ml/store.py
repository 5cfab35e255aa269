"""Model store: fitted pipelines as joblib files with a JSON sidecar, on a local or S3 lake.

Layout under the lake root (``ml/models`` by default)::

    ml/models/<model>/<model_version>/model.joblib       the fitted scikit-learn pipeline
    ml/models/<model>/<model_version>/model.json         features, window, params, metrics
    ml/models/<model>/<model_version>/<plot>.png         plots shown in the UI
    ml/models/<model>/current.json                       {"model_version": ...}

A version's files are written before ``current.json`` points at it, so a reader never finds
a pointer to a half-written model. joblib files are pickles: load only from a lake you trust.
"""

from __future__ import annotations

import io
import json
from typing import Any

import joblib

from fitness_platform.storage.lake import Lake

DEFAULT_PREFIX = "ml/models"
MODEL_FILE = "model.joblib"
SIDECAR_FILE = "model.json"
CURRENT_FILE = "current.json"


class ModelStore:
    """Saves and loads fitted models by name and version on a :class:`Lake`."""

    def __init__(self, lake: Lake, prefix: str = DEFAULT_PREFIX) -> None:
        self.lake = lake
        self.prefix = prefix.strip("/")

    def _key(self, name: str, version: str, file: str) -> str:
        return f"{self.prefix}/{name}/{version}/{file}"

    def save(
        self,
        name: str,
        model: Any,
        sidecar: dict[str, Any],
        attachments: dict[str, bytes] | None = None,
    ) -> str:
        """Store a model version and make it the current one.

        Args:
            name: Model name, e.g. ``stress_trend_model``.
            model: The fitted estimator (pickled with joblib).
            sidecar: JSON-ready description; must hold ``model_version``.
            attachments: Extra files of this version (e.g. PNG plots), by file name.

        Returns:
            The URI of the stored model file.
        """
        version = str(sidecar["model_version"])
        buffer = io.BytesIO()
        joblib.dump(model, buffer, compress=3)
        self.lake.write_bytes(self._key(name, version, MODEL_FILE), buffer.getvalue())
        for file, data in sorted((attachments or {}).items()):
            self.lake.write_bytes(self._key(name, version, file), data)
        text = json.dumps(sidecar, indent=2, sort_keys=True, default=str)
        self.lake.write_text(self._key(name, version, SIDECAR_FILE), text)
        self.set_current(name, version)
        return self.uri(name, version)

    def uri(self, name: str, version: str) -> str:
        """Where a version's model file is stored (local path or ``s3://`` URI)."""
        return self.lake.uri(self._key(name, version, MODEL_FILE))

    def set_current(self, name: str, version: str) -> None:
        """Point ``current.json`` at a stored version.

        Raises:
            FileNotFoundError: If that version is not completely stored.
        """
        if not self.has(name, version):
            raise FileNotFoundError(f"model {name!r} version {version!r} is not stored")
        self.lake.write_text(
            f"{self.prefix}/{name}/{CURRENT_FILE}", json.dumps({"model_version": version})
        )

    def has(self, name: str, version: str) -> bool:
        """Whether a complete version (model and sidecar) is stored."""
        return self.lake.exists(self._key(name, version, SIDECAR_FILE)) and self.lake.exists(
            self._key(name, version, MODEL_FILE)
        )

    def current_version(self, name: str) -> str:
        """The version ``current.json`` points at.

        Raises:
            FileNotFoundError: If the model was never stored.
        """
        key = f"{self.prefix}/{name}/{CURRENT_FILE}"
        if not self.lake.exists(key):
            raise FileNotFoundError(f"no stored model {name!r} under {self.lake.uri(self.prefix)}")
        return str(json.loads(self.lake.read_text(key))["model_version"])

    def sidecar(self, name: str, version: str | None = None) -> dict[str, Any]:
        """The JSON sidecar of a version (default: the current one)."""
        version = version or self.current_version(name)
        return json.loads(self.lake.read_text(self._key(name, version, SIDECAR_FILE)))

    def load(self, name: str, version: str | None = None) -> tuple[Any, dict[str, Any]]:
        """The fitted model and its sidecar (default: the current version)."""
        version = version or self.current_version(name)
        model = joblib.load(io.BytesIO(self.lake.read_bytes(self._key(name, version, MODEL_FILE))))
        return model, self.sidecar(name, version)

    def attachment(self, name: str, version: str, file: str) -> bytes:
        """An extra file stored with a version."""
        return self.lake.read_bytes(self._key(name, version, file))
