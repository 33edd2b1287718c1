"""Attachments (附件): the photos, video and voice recordings a requester adds to a request (Art. 10).

The browser uploads each file straight to storage with a presigned POST whose policy fixes the key,
the declared type and the size; intake then re-checks every stored object — its size, its type and
what its first bytes really are — before the order refers to it. A refused file is named by its
position in `attachments`, and nothing is recorded."""

from __future__ import annotations

import secrets
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .errors import FieldProblem, InvalidInput, NotFound
from .model import Attachment, AttachmentKind, WorkOrder


@dataclass(frozen=True)
class StoredUpload:
    """What storage holds for an upload: its size, the type it was sent as, the name the requester
    gave it, and its first bytes (enough to tell what the file really is)."""

    size: int
    content_type: str
    name: str
    head: bytes


class Uploads(ABC):
    """Where attachments are stored: uploaded straight from the browser, kept once an order has them."""

    @abstractmethod
    def offer(
        self, upload: str, content_type: str, max_size: int, name: str, valid_for: timedelta
    ) -> tuple[str, dict[str, str]]:
        """A presigned POST (url, form fields) that accepts one file of that type and size for a
        while."""

    @abstractmethod
    def inspect(self, upload: str) -> StoredUpload | None:
        """What was uploaded, or None when nothing was (or the upload expired)."""

    @abstractmethod
    def keep(self, upload: str) -> None:
        """Keep the upload as an order's attachment (uploads never attached are removed after a day)."""

    @abstractmethod
    def link(self, upload: str, name: str, valid_for: timedelta) -> str:
        """A short-lived link to download a kept attachment."""


# What a phone records and a browser can show; anything else (documents, archives, programs) is refused.
CONTENT_TYPES: dict[str, AttachmentKind] = {
    "image/jpeg": AttachmentKind.IMAGE,
    "image/png": AttachmentKind.IMAGE,
    "image/webp": AttachmentKind.IMAGE,
    "image/gif": AttachmentKind.IMAGE,
    "image/heic": AttachmentKind.IMAGE,
    "video/mp4": AttachmentKind.VIDEO,
    "video/quicktime": AttachmentKind.VIDEO,
    "video/webm": AttachmentKind.VIDEO,
    "audio/mpeg": AttachmentKind.AUDIO,
    "audio/mp4": AttachmentKind.AUDIO,
    "audio/aac": AttachmentKind.AUDIO,
    "audio/wav": AttachmentKind.AUDIO,
    "audio/x-wav": AttachmentKind.AUDIO,
    "audio/ogg": AttachmentKind.AUDIO,
    "audio/webm": AttachmentKind.AUDIO,
    "audio/amr": AttachmentKind.AUDIO,
}
MB = 1024 * 1024
MAX_BYTES: dict[AttachmentKind, int] = {
    AttachmentKind.IMAGE: 10 * MB,
    AttachmentKind.VIDEO: 100 * MB,
    AttachmentKind.AUDIO: 20 * MB,
}
UPLOAD_WINDOW = timedelta(minutes=15)
DOWNLOAD_WINDOW = timedelta(minutes=5)
# What the first bytes may be for each kind. Recorders put voice into MP4 or WebM containers, which
# the sniffer names video/*.
SNIFFED: dict[AttachmentKind, tuple[str, ...]] = {
    AttachmentKind.IMAGE: ("image/",),
    AttachmentKind.VIDEO: ("video/",),
    AttachmentKind.AUDIO: ("audio/", "video/mp4", "video/webm", "video/3gpp"),
}
KIND_NAMES = {
    AttachmentKind.IMAGE: "a photo",
    AttachmentKind.VIDEO: "a video",
    AttachmentKind.AUDIO: "a recording",
}
SNIFF_BYTES = 262  # what `filetype` needs to recognise every format above


class UploadForm(BaseModel):
    """What the browser says about a file before it uploads it."""

    model_config = ConfigDict(extra="forbid")

    filename: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    content_type: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=100)]
    size: Annotated[int, Field(ge=1, le=1024 * MB)]


class UploadTicket(BaseModel):
    """A presigned POST: the browser sends `fields` and then the file (as `file`) to `url`."""

    upload: str
    url: str
    fields: dict[str, str]
    max_size: int
    expires_at: datetime


def safe_name(filename: str) -> str:
    """The file name as shown to people: no folders, no control characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return cleaned[:120] or "attachment"


def ticket(form: UploadForm, uploads: Uploads, now: datetime) -> UploadTicket:
    """Permission to upload one file of an allowed type and size, for a quarter of an hour."""
    kind = CONTENT_TYPES.get(form.content_type)
    if kind is None:
        raise InvalidInput(
            "Only photos, video and voice recordings can be attached.",
            [FieldProblem("content_type", f"{form.content_type or 'this type'} is not accepted")],
        )
    limit = MAX_BYTES[kind]
    if form.size > limit:
        raise InvalidInput(
            "The file is too large.",
            [FieldProblem("size", f"at most {limit // MB} MB for {kind.value} files")],
        )
    upload = secrets.token_hex(16)
    expires = now + UPLOAD_WINDOW
    url, fields = uploads.offer(upload, form.content_type, limit, safe_name(form.filename), UPLOAD_WINDOW)
    return UploadTicket(upload=upload, url=url, fields=fields, max_size=limit, expires_at=expires)


def _problem(stored: StoredUpload | None) -> str | None:
    if stored is None:
        return "not uploaded, or the upload expired: attach the file again"
    kind = CONTENT_TYPES.get(stored.content_type)
    if kind is None:
        return f"{stored.content_type} is not accepted"
    if stored.size > MAX_BYTES[kind] or stored.size < 1:
        return f"at most {MAX_BYTES[kind] // MB} MB for {kind.value} files"
    import filetype  # type: ignore[import-untyped]  # on first use: only intake with attachments needs it

    found = filetype.guess_mime(stored.head)
    if found is None or not found.startswith(SNIFFED[kind]):
        return f"the file's content is not {KIND_NAMES[kind]}"
    return None


def attach(ids: Sequence[str], uploads: Uploads) -> list[Attachment]:
    """Re-check every upload and keep it for the order; invalid input naming each refused one."""
    problems = []
    if len(set(ids)) != len(ids):
        problems.append(FieldProblem("attachments", "the same file is attached twice"))
    checked: list[tuple[str, StoredUpload]] = []
    for index, upload in enumerate(ids):
        stored = uploads.inspect(upload)
        if problem := _problem(stored):
            problems.append(FieldProblem(f"attachments.{index}", problem))
        elif stored is not None:
            checked.append((upload, stored))
    if problems:
        raise InvalidInput("Some attachments cannot be accepted.", problems)
    found = []
    for upload, stored in checked:
        uploads.keep(upload)
        found.append(
            Attachment(
                id=upload,
                name=stored.name,
                kind=CONTENT_TYPES[stored.content_type],
                content_type=stored.content_type,
                size=stored.size,
            )
        )
    return found


class DownloadLink(BaseModel):
    name: str
    url: str
    expires_in: int


def download(order: WorkOrder, upload: str, uploads: Uploads) -> DownloadLink:
    """A short-lived link to one of the order's attachments (the caller may already see the order)."""
    found = next((a for a in order.attachments if a.id == upload), None)
    if found is None:
        raise NotFound(f"Work order {order.id} has no attachment {upload}.")
    url = uploads.link(upload, found.name, DOWNLOAD_WINDOW)
    return DownloadLink(name=found.name, url=url, expires_in=int(DOWNLOAD_WINDOW.total_seconds()))
