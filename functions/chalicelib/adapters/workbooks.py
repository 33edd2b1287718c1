"""Staff exports as Excel files in S3 (openpyxl's write-only mode: rows go to disk as they come, so
memory stays flat however long the list), handed out as short-lived presigned links.

Why a link and not the file in the answer: a Lambda answer through API Gateway is at most 6 MB (and
binary bodies are base64, a third larger), which a list of some 30,000 orders passes. The file goes
from S3 to the browser instead, which shows the download's progress from its Content-Length."""

from __future__ import annotations

import io
import re
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from ..domain.exports import ExportFile, Sheet, Workbooks
from ..names import EXPORT_PREFIX

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Files under this size stay in memory; larger ones spill to /tmp.
IN_MEMORY = 8 * 1024 * 1024


def owned_key(owner: str, extension: str) -> str:
    """A new file's key under the exports prefix, in its owner's folder."""
    return f"{EXPORT_PREFIX}{re.sub(r'[^A-Za-z0-9_-]', '_', owner)}/{uuid.uuid4().hex}.{extension}"


def download_link(
    client: Any,
    bucket: str,
    key: str,
    filename: str,
    content_type: str,
    valid_for: timedelta,
    disposition: str = "attachment",
) -> str:
    """A presigned GET of an export, saved (or with `inline`, shown) under its file name."""
    return str(
        client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket,
                "Key": key,
                "ResponseContentDisposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
                "ResponseContentType": content_type,
            },
            ExpiresIn=int(valid_for.total_seconds()),
        )
    )


class S3Workbooks(Workbooks):
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def publish(self, sheet: Sheet, filename: str, owner: str, valid_for: timedelta) -> ExportFile:
        from openpyxl import Workbook  # imported on first export: most API calls never need it

        book = Workbook(write_only=True)
        page = book.create_sheet(title=sheet.title[:31])
        page.freeze_panes = "A2"
        page.append(list(sheet.headers))
        rows = 0
        try:
            for row in sheet.rows:
                page.append(row)
                rows += 1
        except Exception:
            # Saving is what closes the sheet and removes its temporary file; then the error goes on.
            book.save(io.BytesIO())
            raise
        key = owned_key(owner, "xlsx")
        with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY) as file:
            book.save(file)
            size = file.tell()
            file.seek(0)
            self._client.upload_fileobj(file, self._bucket, key, ExtraArgs={"ContentType": XLSX})
        url = download_link(self._client, self._bucket, key, filename, XLSX, valid_for)
        return ExportFile(
            filename=filename,
            url=str(url),
            expires_at=datetime.now(UTC) + valid_for,
            rows=rows,
            bytes=size,
        )
