"""A 400's details are said in the caller's language, the field named as the forms label it."""

from typing import Annotated, Literal

import pytest
from chalicelib.entrypoints.messages import language, problems
from pydantic import BaseModel, Field, StringConstraints, ValidationError


class Location(BaseModel):
    district: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class Form(BaseModel):
    content: Annotated[str, StringConstraints(min_length=5, max_length=10)]
    type: Literal["complaint", "help"]
    version: Annotated[int, Field(gt=0)]
    location: Location
    units: Annotated[list[str], Field(max_length=1)] = []


def said(body: dict[str, object], accept_language: str | None) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate(body)
    return {p.field: p.message for p in problems(caught.value, accept_language)}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh-CN"),
        ("", "zh-CN"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("en-US,en;q=0.9", "en"),
        ("en", "en"),
        ("fr-FR, en;q=0.5, zh;q=0.4", "en"),
        ("zh;q=0.3, en;q=0.7", "en"),
        ("de", "zh-CN"),
    ],
)
def test_the_callers_language_is_read_from_accept_language(header, expected):
    assert language(header) == expected


def test_a_chinese_caller_reads_each_problem_in_chinese_with_the_forms_label():
    details = said(
        {
            "content": "短",
            "type": "praise",
            "version": "x",
            "location": {"district": "abc"},
            "units": ["a", "b"],
        },
        "zh-CN",
    )

    assert details == {
        "content": "诉求内容至少需要 5 个字",
        "type": "诉求类型应为以下之一：complaint、help",
        "version": "版本应为整数",
        "location.district": "所在区的格式不正确",
        "units": "承办单位最多 1 项",
    }


def test_an_english_caller_reads_them_in_english():
    details = said({"content": "a" * 11, "version": 0, "location": {}}, "en")

    assert details == {
        "content": "Request takes at most 10 characters",
        "type": "Request type is required",
        "version": "Version must be greater than 0",
        "location.district": "District is required",
    }


def test_a_missing_body_names_every_required_field_in_chinese():
    details = said({}, None)

    assert details == {
        "content": "请填写诉求内容",
        "type": "请填写诉求类型",
        "version": "请填写版本",
        "location": "请填写诉求地点",
    }
