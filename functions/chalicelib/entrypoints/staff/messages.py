"""The staff message centre: the caller's notices under the bell, marking them read, and the
channels (SMS, e-mail) the caller is also told by. Every staff member has one; nobody sees or
changes another's."""

from __future__ import annotations

from chalice import Blueprint, Response

from ...domain import inbox
from ...wiring import deps
from ..auth import audit, caller, staff_auth
from ..http import api, doc, parse, parse_query, respond
from .forms import PageQuery

bp = Blueprint(__name__)


@bp.route("/messages", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(inbox.Inbox, query=PageQuery)
def list_messages() -> Response:
    """The caller's messages, newest first, each read or not, and the unread count."""
    staff = caller()
    query = parse_query(bp.current_request, PageQuery)
    d = deps()
    return respond(inbox.page(d.messages, staff, query.limit, query.cursor, d.clock.now()))


@bp.route("/messages/unread", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(inbox.Unread)
def count_unread() -> Response:
    """How many of the caller's messages are unread (the bell)."""
    d = deps()
    return respond(inbox.unread(d.messages, caller(), d.clock.now()))


@bp.route("/messages/read", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(inbox.Unread, body=inbox.MarkRead)
def mark_read() -> Response:
    """Mark the messages named read, or all of them; answers the unread count left."""
    staff = caller()
    form = parse(bp.current_request, inbox.MarkRead)
    d = deps()
    return respond(inbox.mark_read(d.messages, staff, form, d.clock.now()))


@bp.route("/messages/preference", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(inbox.SavedPreference)
def get_preference() -> Response:
    """The channels the caller is also told by (SMS, e-mail) and the version to change them from."""
    return respond(inbox.preference(deps().messages, caller()))


@bp.route("/messages/preference", methods=["PUT"], cors=True, authorizer=staff_auth)
@api
@doc(inbox.SavedPreference, body=inbox.PreferenceForm, conflicts=True)
def save_preference() -> Response:
    """Choose the channels: SMS needs a mobile number, e-mail an address; 409 when the settings
    changed since the version read."""
    staff = caller()
    form = parse(bp.current_request, inbox.PreferenceForm)
    saved = inbox.save_preference(deps().messages, staff, form)
    audit(
        staff, "notice.preference", staff.username, sms=str(saved.sms).lower(), email=str(saved.email).lower()
    )
    return respond(saved)
