"""The JSON depth limit: counted before decoding, brackets inside strings aside; the status each
kind of domain error answers with."""

import json

from chalicelib.domain.accounts import AccountChangeFailed
from chalicelib.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    Kind,
    NotFound,
    StaleVersion,
    TooLarge,
    Unauthenticated,
)
from chalicelib.entrypoints.http import MAX_DEPTH, STATUSES, status_of, too_deep


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def test_a_body_as_deep_as_the_limit_passes_and_one_level_more_does_not():
    assert not too_deep(nested(MAX_DEPTH))
    assert too_deep(nested(MAX_DEPTH + 1))
    assert too_deep(b'{"content": ' + nested(1000) + b"}")


def test_brackets_inside_text_do_not_count():
    text = json.dumps({"content": "[[[{{{" * 100 + '\\"[[[' * 50, "tags": [["a"]]}).encode()

    assert not too_deep(text)


def test_an_ordinary_submission_is_not_too_deep():
    body = {
        "type": "complaint",
        "content": "胡同路灯昏暗【已反映多次】{急}",
        "location": {"district": "110101", "street": "110101004"},
        "requester": {"name": "刘先生", "phone": "13800001234", "kind": "person"},
        "attachments": [{"key": "a"}],
    }

    assert not too_deep(json.dumps(body, ensure_ascii=False).encode())


def test_every_kind_of_domain_error_answers_with_the_status_api_md_names():
    answered = [
        status_of(error)
        for error in (
            InvalidInput("bad"),
            Unauthenticated(),
            Forbidden("no"),
            NotFound("none"),
            Conflict("busy"),
            StaleVersion(),
            TooLarge(),
            AccountChangeFailed("li.ming", "roles", restored=True),
        )
    ]

    assert answered == [400, 401, 403, 404, 409, 409, 413, 503]
    assert set(STATUSES) == set(Kind)
