"""Attachments: offered by type and size, re-checked in storage before an order refers to them."""

import pytest
from chalicelib.domain import attachments
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.views import public_view

from tests.fakes import MemoryUploads

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64
A, B, C = "a" * 32, "b" * 32, "c" * 32


def form(content_type: str = "image/png", size: int = 2048, filename: str = "路灯.png"):
    return attachments.UploadForm(filename=filename, content_type=content_type, size=size)


def problems(error: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {p.field: p.message for p in error.value.details}


def test_a_photo_gets_a_ticket_capped_at_the_limit_for_images(clock):
    uploads = MemoryUploads()

    ticket = attachments.ticket(form(), uploads, clock.now())

    assert len(ticket.upload) == 32
    assert ticket.max_size == 10 * attachments.MB
    assert uploads.offers == [(ticket.upload, "image/png", 10 * attachments.MB)]
    assert ticket.expires_at == clock.now() + attachments.UPLOAD_WINDOW


def test_documents_and_oversized_files_are_refused_naming_the_field(clock):
    with pytest.raises(InvalidInput) as refused:
        attachments.ticket(form("application/pdf"), MemoryUploads(), clock.now())
    assert "content_type" in problems(refused)

    with pytest.raises(InvalidInput) as too_big:
        attachments.ticket(form("video/mp4", 101 * attachments.MB), MemoryUploads(), clock.now())
    assert problems(too_big) == {"size": "at most 100 MB for video files"}


def test_file_names_lose_their_folders_and_control_characters():
    assert attachments.safe_name("C:\\Users\\me\\现场照片.jpg") == "现场照片.jpg"
    assert attachments.safe_name("../../etc/passwd\x00") == "passwd"
    assert attachments.safe_name("\u202e") == "attachment"


def test_an_order_keeps_its_checked_attachments(hotline):
    hotline.uploads.put(A, PNG, "image/png", "路灯.png")
    hotline.uploads.put(B, MP4, "video/mp4", "现场.mp4")
    hotline.uploads.put(C, MP3, "audio/mpeg", "录音.mp3")

    order = hotline.order(hotline.receive(attachments=[A, B, C]))

    assert [(a.name, a.kind.value, a.size) for a in order.attachments] == [
        ("路灯.png", "image", len(PNG)),
        ("现场.mp4", "video", len(MP4)),
        ("录音.mp3", "audio", len(MP3)),
    ]
    assert hotline.uploads.kept == {A, B, C}
    assert [a.name for a in public_view(order, hotline.reference).attachments] == [
        "路灯.png",
        "现场.mp4",
        "录音.mp3",
    ]


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_recorded(hotline):
    hotline.uploads.put(A, PNG, "image/png")
    hotline.uploads.put(B, b"<html><script>alert(1)</script></html>", "image/jpeg", "fake.jpg")

    with pytest.raises(InvalidInput) as refused:
        hotline.receive(attachments=[A, B, C])

    assert problems(refused) == {
        "attachments.1": "the file's content is not a photo",
        "attachments.2": "not uploaded, or the upload expired: attach the file again",
    }
    assert hotline.orders.orders == {}
    assert hotline.uploads.kept == set()


def test_the_same_upload_twice_is_refused(hotline):
    hotline.uploads.put(A, PNG, "image/png")

    with pytest.raises(InvalidInput) as refused:
        hotline.receive(attachments=[A, A])

    assert "attachments" in problems(refused)


def test_staff_get_a_short_link_only_to_an_attachment_of_the_order(hotline):
    hotline.uploads.put(A, PNG, "image/png", "路灯.png")
    order = hotline.order(hotline.receive(attachments=[A]))

    link = attachments.download(order, A, hotline.uploads)

    assert (link.name, link.expires_in) == ("路灯.png", 300)
    assert link.url.startswith("memory://attachments/" + A)
    with pytest.raises(NotFound):
        attachments.download(order, B, hotline.uploads)
