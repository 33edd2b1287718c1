"""What Open311 clients send, read into the domain's terms: the form of POST Service Request
(its `attribute[...]` fields, an empty field counting as absent) and the query of GET Service
Requests (comma lists, a parameter declared twice). Problems are named as the client named the
field, in the validators' own English words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from ..domain import open311
from ..domain.errors import FieldProblem, InvalidInput
from ..domain.model import RequestType
from .messages import as_written
from .open311_wire import Created, notice


class RequestForm(open311.Open311Request):
    """The form of POST Service Request: the spec's fields and our optional attributes. email,
    device_id, account_id, media_url and jurisdiction_id are accepted and ignored (attachments
    come only through the web form's checked uploads)."""

    type: RequestType | None = Field(None, alias="attribute[type]")
    district: str | None = Field(None, alias="attribute[district]")
    street: str | None = Field(None, alias="attribute[street]")
    confidential: bool = Field(False, alias="attribute[confidential]")


# The fields of the request and of the work order's body that the form names otherwise.
FIELD_NAMES = {
    "street": "attribute[street]",
    "location.district": "attribute[district]",
    "location.street": "attribute[street]",
    "category": "service_code",
    "content": "description",
    "requester.phone": "phone",
}


def parse_request(fields: Mapping[str, str]) -> RequestForm:
    """The form, an empty field counting as absent (the spec's "Optional Arguments"), with the
    spec's one rule of place."""
    present = {k: v for k, v in fields.items() if v.strip()}
    try:
        form = RequestForm.model_validate(present)
    except ValidationError as error:
        raise InvalidInput("Some fields are not valid.", as_written(error)) from error
    open311.check_place(form)
    return form


def submit(
    fields: Mapping[str, str],
    intake: open311.Intake,
    *,
    idempotency_key: str | None = None,
    partner_names: Mapping[str, str] | None = None,
) -> Created:
    """POST Service Request: the key (forbidden), the form (invalid), then the domain's intake; its
    problems named as the form names the fields."""
    client = open311.client_of(fields.get("api_key") or "", intake.reference)
    form = parse_request(fields)
    try:
        receipt = open311.submit(client, form, intake, idempotency_key)
    except InvalidInput as error:
        renamed = [FieldProblem(FIELD_NAMES.get(p.field, p.field), p.message) for p in error.details]
        raise InvalidInput(error.message, renamed) from error
    return Created(service_request_id=receipt.id, service_notice=notice(receipt, partner_names or {}))


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()] or None
    return value


class RequestQuery(open311.Wanted):
    """The query of GET Service Requests; jurisdiction_id and unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _absent_when_empty(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        present = {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        for name in ("start_date", "end_date"):
            # An unencoded "+" in a query string arrives as a space: "...T09:30:00 08:00".
            if isinstance(present.get(name), str):
                present[name] = present[name].strip().replace(" ", "+")
        return present

    _lists = field_validator("service_request_id", "service_code", "status", mode="before")(_comma_list)
