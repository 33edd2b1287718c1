"""The staff message centre: the caller's notices under the bell, marking them read, and the
channels (SMS, e-mail) the caller is also told by. Every staff member has one; nobody sees or
changes another's. The rules are imported on a route's first call: the staff function's import
time stays as it was (docs/benchmarks.md)."""

from __future__ import annotations

from chalice import Blueprint, Response

from ...wiring import deps
from ..auth import audit, caller, staff_auth
from ..http import api, doc, parse, parse_query, respond
from .forms import PageQuery

bp = Blueprint(__name__)


@bp.route("/messages", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc("chalicelib.domain.inbox:Inbox", query=PageQuery)
def list_messages() -> Response:
    """The caller's messages, newest first, each read or not, and the unread count."""
    from ...domain import inbox

    staff = caller()
    query = parse_query(bp.current_request, PageQuery)
    d = deps()
    return respond(inbox.page(d.messages, staff, query.limit, query.cursor, d.clock.now()))


@bp.route("/messages/unread", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc("chalicelib.domain.inbox:Unread")
def count_unread() -> Response:
    """How many of the caller's messages are unread (the bell)."""
    from ...domain import inbox

    d = deps()
    return respond(inbox.unread(d.messages, caller(), d.clock.now()))


@bp.route("/messages/read", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc("chalicelib.domain.inbox:Unread", body="chalicelib.domain.inbox:MarkRead")
def mark_read() -> Response:
    """Mark the messages named read, or all of them; answers the unread count left."""
    from ...domain import inbox

    staff = caller()
    form = parse(bp.current_request, inbox.MarkRead)
    d = deps()
    return respond(inbox.mark_read(d.messages, staff, form, d.clock.now()))


@bp.route("/messages/preference", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc("chalicelib.domain.inbox:SavedPreference")
def get_preference() -> Response:
    """The channels the caller is also told by (SMS, e-mail) and the version to change them from."""
    from ...domain import inbox

    return respond(inbox.preference(deps().messages, caller()))


@bp.route("/messages/preference", methods=["PUT"], cors=True, authorizer=staff_auth)
@api
@doc("chalicelib.domain.inbox:SavedPreference", body="chalicelib.domain.inbox:PreferenceForm", conflicts=True)
def save_preference() -> Response:
    """Choose the channels: SMS needs a mobile number, e-mail an address; 409 when the settings
    changed since the version read."""
    from ...domain import inbox

    staff = caller()
    form = parse(bp.current_request, inbox.PreferenceForm)
    saved = inbox.save_preference(deps().messages, staff, form)
    audit(
        staff, "notice.preference", staff.username, sms=str(saved.sms).lower(), email=str(saved.email).lower()
    )
    return respond(saved)
