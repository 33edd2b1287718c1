"""Attachments on the local stack: the browser's presigned POST to S3, intake's re-check, staff links."""

import requests

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
NOT_A_PNG = b"<html><body><script>alert(1)</script></body></html>"


def upload(api, data: bytes, content_type: str = "image/png", filename: str = "路灯.png") -> str:
    """What the form does: ask for a ticket, then post the file straight to the bucket."""
    ticket = api.post(
        "/api/v1/public/uploads", {"filename": filename, "content_type": content_type, "size": len(data)}
    )
    assert ticket.status == 201, ticket.body
    offer = ticket.json()
    stored = requests.post(
        offer["url"], data=offer["fields"], files={"file": (filename, data, content_type)}, timeout=10
    )
    assert stored.status_code in (200, 201, 204), stored.text
    return str(offer["upload"])


def test_a_photo_uploaded_to_the_bucket_is_kept_with_the_order(api, citizen, unit):
    photo = upload(api, PNG)

    receipt = citizen.submit(attachments=[photo])

    tracked = citizen.track(receipt)
    assert tracked["attachments"] == [{"name": "路灯.png", "kind": "image", "size": len(PNG)}]
    dispatcher = unit("dispatcher1")
    staff = dispatcher.order(receipt["id"]).json()
    assert [(a["id"], a["content_type"]) for a in staff["attachments"]] == [(photo, "image/png")]
    link = dispatcher.get(f"/work-orders/{receipt['id']}/attachments/{photo}").json()
    downloaded = requests.get(link["url"], timeout=10)
    assert downloaded.content == PNG


def test_a_file_that_is_not_what_it_claims_is_refused_and_no_order_is_made(api, citizen):
    fake = upload(api, NOT_A_PNG, "image/png", "photo.png")

    answer = api.post(
        "/api/v1/public/requests",
        {
            "type": "complaint",
            "content": "胡同口垃圾桶满了好几天没人清运，气味很大",
            "location": {"district": "110101", "street": "110101004", "address": "方家胡同"},
            "requester": {"phone": "13912340000", "kind": "person"},
            "attachments": [fake, "0" * 32],
        },
    )

    assert answer.status == 400
    details = {d["field"]: d["message"] for d in answer.json()["error"]["details"]}
    assert details == {
        "attachments.0": "the file's content is not a photo",
        "attachments.1": "not uploaded, or the upload expired: attach the file again",
    }


def test_a_ticket_is_refused_for_documents_and_files_over_the_limit(api):
    pdf = api.post(
        "/api/v1/public/uploads", {"filename": "a.pdf", "content_type": "application/pdf", "size": 9}
    )
    big = api.post(
        "/api/v1/public/uploads",
        {"filename": "v.mp4", "content_type": "video/mp4", "size": 200 * 1024 * 1024},
    )

    assert (pdf.status, [d["field"] for d in pdf.json()["error"]["details"]]) == (400, ["content_type"])
    assert (big.status, [d["field"] for d in big.json()["error"]["details"]]) == (400, ["size"])


def test_another_units_staff_get_no_link_to_an_attachment(api, citizen, unit):
    photo = upload(api, PNG)
    receipt = citizen.submit(attachments=[photo])

    answer = unit("jiaodaokou.handler").get(f"/work-orders/{receipt['id']}/attachments/{photo}")

    assert answer.status in (403, 404)
