"""Attachments in S3: presigned POSTs to incoming/<upload>, copied to attachments/<upload> when kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote, unquote

from botocore.exceptions import ClientError

from ..domain.attachments import StoredUpload, Uploads
from ..names import KEPT_PREFIX, UPLOAD_PREFIX

NAME_FIELD = "x-amz-meta-name"  # the requester's file name, percent-encoded (metadata is ASCII)


def _missing(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound", "InvalidRange")


class S3Uploads(Uploads):
    def __init__(self, client: Any, bucket: str, sniff_bytes: int) -> None:
        self._client = client
        self._bucket = bucket
        self._sniff = sniff_bytes

    def offer(
        self, upload: str, content_type: str, max_size: int, name: str, valid_for: timedelta
    ) -> tuple[str, dict[str, str]]:
        fields = {"Content-Type": content_type, NAME_FIELD: quote(name)}
        post = self._client.generate_presigned_post(
            Bucket=self._bucket,
            Key=f"{UPLOAD_PREFIX}{upload}",
            Fields=fields,
            # The policy pins the key, the type and the name, and caps the size: S3 refuses the rest.
            Conditions=[
                {"Content-Type": content_type},
                {NAME_FIELD: fields[NAME_FIELD]},
                ["content-length-range", 1, max_size],
            ],
            ExpiresIn=int(valid_for.total_seconds()),
        )
        return str(post["url"]), {str(k): str(v) for k, v in post["fields"].items()}

    def inspect(self, upload: str) -> StoredUpload | None:
        key = f"{UPLOAD_PREFIX}{upload}"
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key)
            first = self._client.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{self._sniff - 1}")
        except ClientError as error:
            if _missing(error):
                return None
            raise
        return StoredUpload(
            size=int(head["ContentLength"]),
            content_type=str(head.get("ContentType") or "").lower(),
            name=unquote(str((head.get("Metadata") or {}).get("name") or "")),
            head=first["Body"].read(),
        )

    def keep(self, upload: str) -> None:
        self._client.copy_object(
            Bucket=self._bucket,
            Key=f"{KEPT_PREFIX}{upload}",
            CopySource={"Bucket": self._bucket, "Key": f"{UPLOAD_PREFIX}{upload}"},
            MetadataDirective="COPY",
        )

    def link(self, upload: str, name: str, valid_for: timedelta) -> str:
        return str(
            self._client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self._bucket,
                    "Key": f"{KEPT_PREFIX}{upload}",
                    "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(name)}",
                },
                ExpiresIn=int(valid_for.total_seconds()),
            )
        )
