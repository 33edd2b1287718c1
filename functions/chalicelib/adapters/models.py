"""The dispatch models in the analytics bucket: models/dispatch/<version>.json.gz, each written
once, and models/dispatch/index.json, which says which one serves; the index is written only if
nobody changed it since it was read (S3 conditional writes), so two promotions cannot both win."""

from __future__ import annotations

import gzip
import json
import threading
import time
from typing import Any

from botocore.exceptions import ClientError

from ..domain.classifier import Normaliser
from ..domain.errors import StaleVersion
from ..domain.smart_dispatch import DispatchModel, DispatchModels, ModelIndex
from ..names import DISPATCH_MODELS_PREFIX
from ..observability import logger

INDEX = f"{DISPATCH_MODELS_PREFIX}index.json"
RECHECK_SECONDS = 300.0  # how stale the serving model of a container may be after a promotion


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class S3DispatchModels(DispatchModels):
    def __init__(self, client: Any, bucket: str, normalise: Normaliser) -> None:
        self._client = client
        self._bucket = bucket
        self._normalise = normalise
        # (checked at, serving version, model): replaced whole, never changed in place.
        self._current: tuple[float, str | None, DispatchModel] | None = None
        self._loading = threading.Lock()

    def index(self) -> tuple[ModelIndex, str | None]:
        try:
            found = self._client.get_object(Bucket=self._bucket, Key=INDEX)
        except ClientError as error:
            if _code(error) in ("NoSuchKey", "404", "NotFound"):
                return ModelIndex(), None
            raise
        return ModelIndex.model_validate_json(found["Body"].read()), str(found["ETag"])

    def save_index(self, index: ModelIndex, tag: str | None) -> None:
        condition = {"IfMatch": tag} if tag else {"IfNoneMatch": "*"}
        try:
            self._client.put_object(
                Bucket=self._bucket,
                Key=INDEX,
                Body=index.model_dump_json().encode(),
                ContentType="application/json",
                **condition,
            )
        except ClientError as error:
            if _code(error) in ("PreconditionFailed", "ConditionalRequestConflict", "412"):
                raise StaleVersion("The models' index") from error
            raise
        self._current = None

    def put(self, model: DispatchModel) -> None:
        body = json.dumps(model.to_data(), ensure_ascii=False, separators=(",", ":")).encode()
        self._client.put_object(
            Bucket=self._bucket,
            Key=f"{DISPATCH_MODELS_PREFIX}{model.version}.json.gz",
            Body=gzip.compress(body, mtime=0),
            ContentType="application/gzip",
            IfNoneMatch="*",
        )

    def load(self, version: str) -> DispatchModel:
        found = self._client.get_object(Bucket=self._bucket, Key=f"{DISPATCH_MODELS_PREFIX}{version}.json.gz")
        return DispatchModel.from_data(json.loads(gzip.decompress(found["Body"].read())), self._normalise)

    def serving(self, shipped: DispatchModel) -> DispatchModel:
        current = self._current
        if current is not None and time.monotonic() - current[0] < RECHECK_SECONDS:
            return current[2]
        with self._loading:
            try:
                version = self.index()[0].serving
                if version is None:
                    model = shipped
                elif current is not None and current[1] == version:
                    model = current[2]
                else:
                    model = self.load(version)
            except ClientError:
                # The registry cannot be read: keep serving what this container serves.
                logger.exception("dispatch models unreadable")
                version, model = (current[1], current[2]) if current else (None, shipped)
            self._current = (time.monotonic(), version, model)
            return model
