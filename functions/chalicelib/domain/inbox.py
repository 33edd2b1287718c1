"""The staff message centre (站内消息): every notice sent to an audience (a unit's handlers, a
unit's leader, a role at the hotline centre) is also kept for the portal, where each member of the
audience sees it under the bell until they mark it read; and each member's own choice of the
channels a notice also reaches them by (SMS, e-mail), which the notifier honours."""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .model import HOTLINE_ROLES, MOBILE, Staff
from .ports import Clock, Notifier

if TYPE_CHECKING:
    from .accounts import Account

# How long a message stays in the centre; the notices older than that were acted on or lapsed.
KEPT = timedelta(days=90)
# The bell counts up to this many unread messages ("99+" beyond).
COUNTED = 99
MessageId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{20}$")]
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,24}$")


class Message(BaseModel):
    """A notice as the centre keeps it: who it was for, what it said, the order it is about."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    audience: str
    at: datetime
    subject: str
    message: str
    about: str | None = Field(None, description="The work order the notice is about, if any.")


class MessageView(Message):
    read: bool


class Inbox(BaseModel):
    """A page of the caller's messages, newest first, and how many are unread."""

    model_config = ConfigDict(defer_build=True)

    items: list[MessageView]
    next: str | None
    unread: int = Field(description=f"Unread messages, counted up to {COUNTED + 1}.")


class Unread(BaseModel):
    model_config = ConfigDict(defer_build=True)

    unread: int = Field(description=f"Unread messages, counted up to {COUNTED + 1}.")


class MarkRead(BaseModel):
    """Messages the caller has read: the ones named, or every message up to now."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    ids: Annotated[list[MessageId], Field(max_length=100)] = []
    all: bool = False

    @model_validator(mode="after")
    def _something(self) -> MarkRead:
        if not self.ids and not self.all:
            raise ValueError("name the messages read (ids) or mark all read (all)")
        return self


class Preference(BaseModel):
    """The channels a staff member is also told by, besides the message centre (always on). A
    channel turned on needs its address; one turned off keeps it for next time."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    sms: bool = False
    email: bool = False
    phone: Annotated[str | None, Field(max_length=20, validate_default=True)] = None
    email_address: Annotated[str | None, Field(max_length=254, validate_default=True)] = None

    @field_validator("phone")
    @classmethod
    def _mobile(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = (value or "").strip() or None
        if value and not MOBILE.match(value):
            raise ValueError("must be an 11-digit mainland mobile number")
        if info.data.get("sms") and not value:
            raise ValueError("is needed for SMS notices")
        return value

    @field_validator("email_address")
    @classmethod
    def _address(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = (value or "").strip() or None
        if value and not EMAIL.match(value):
            raise ValueError("must be an e-mail address")
        if info.data.get("email") and not value:
            raise ValueError("is needed for e-mail notices")
        return value


class PreferenceForm(Preference):
    """A change of preference, conditional on the version read (0: none saved yet)."""

    version: Annotated[int, Field(ge=0, le=1_000_000_000)]


class SavedPreference(Preference):
    """A preference as stored: whose, the audiences it covers and its version."""

    username: str = ""
    audiences: list[str] = []
    version: int = 0


def audiences(staff: Staff) -> list[str]:
    """The audiences a staff member belongs to (domain/notifications.py names them): a unit's
    handlers and leader hear the unit's notices, the leader also the leader's; the hotline centre
    hears its roles' ones."""
    found: list[str] = []
    if staff.unit and staff.roles & {"handler", "unit_leader"}:
        found.append(f"unit:{staff.unit}")
    if staff.unit and "unit_leader" in staff.roles:
        found.append(f"leader:{staff.unit}")
    found += [f"hotline:{role}" for role in sorted(staff.roles & HOTLINE_ROLES)]
    return found


def chosen(form: PreferenceForm, staff: Staff) -> SavedPreference:
    """The preference to store, listed under the audiences the member belongs to now."""
    return SavedPreference(
        **form.model_dump(exclude={"version"}),
        username=staff.username,
        audiences=audiences(staff),
        version=form.version + 1,
    )


def message_id(audience: str, subject: str, message: str, key: str | None) -> str:
    """The same notice sent again (a retried stream batch) is kept once: its id is its content and
    the change it came from (`key`), never the time it was sent."""
    digest = hashlib.sha256("\x1f".join((audience, subject, message, key or "")).encode("utf-8"))
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class Delivery:
    """A notice to send to one member by one channel."""

    channel: str  # sms | email
    username: str
    address: str


def deliveries(subscribers: list[SavedPreference]) -> list[Delivery]:
    """Who is also told by SMS or e-mail, from the preferences saved for the notice's audience."""
    found: list[Delivery] = []
    for p in subscribers:
        if p.sms and p.phone:
            found.append(Delivery("sms", p.username, p.phone))
        if p.email and p.email_address:
            found.append(Delivery("email", p.username, p.email_address))
    return found


class Messages(ABC):
    """The message centre's store."""

    @abstractmethod
    def post(self, message: Message, expires: datetime) -> bool:
        """Keep a message for its audience until `expires`; False when it was kept already."""

    @abstractmethod
    def page(
        self, username: str, audiences: list[str], limit: int, cursor: str | None, since: datetime
    ) -> tuple[list[MessageView], str | None]:
        """The newest messages of the audiences after `since`, each marked read or not for the user."""

    @abstractmethod
    def unread(self, username: str, audiences: list[str], since: datetime) -> int:
        """How many of the audiences' messages after `since` the user has not read (up to COUNTED + 1)."""

    @abstractmethod
    def mark_read(self, username: str, ids: list[str], up_to: datetime | None) -> None:
        """Mark the messages read; with `up_to` (the time of asking), every message up to then as
        well, which also covers, and so forgets, the ones read by name before."""

    @abstractmethod
    def preference(self, username: str) -> SavedPreference | None: ...

    @abstractmethod
    def save_preference(self, preference: SavedPreference, previous: SavedPreference | None) -> None:
        """Store the preference if the stored one is still `previous` (StaleVersion otherwise), and
        list it under each of its audiences (and no longer under the ones `previous` had)."""

    @abstractmethod
    def subscribers(self, audience: str) -> list[SavedPreference]:
        """The preferences saved under an audience that turn a channel on."""


# --- what the message centre does --------------------------------------------------------------


def kept_since(now: datetime) -> datetime:
    return now - KEPT


def page(store: Messages, staff: Staff, limit: int, cursor: str | None, now: datetime) -> Inbox:
    """The caller's messages, newest first, with the bell's count."""
    mine = audiences(staff)
    items, after = store.page(staff.username, mine, limit, cursor, kept_since(now))
    return Inbox(items=items, next=after, unread=store.unread(staff.username, mine, kept_since(now)))


def unread(store: Messages, staff: Staff, now: datetime) -> Unread:
    return Unread(unread=store.unread(staff.username, audiences(staff), kept_since(now)))


def mark_read(store: Messages, staff: Staff, form: MarkRead, now: datetime) -> Unread:
    """Mark messages read (the caller's own marks: nobody else's bell changes)."""
    store.mark_read(staff.username, form.ids, now if form.all else None)
    return unread(store, staff, now)


def preference(store: Messages, staff: Staff) -> SavedPreference:
    return store.preference(staff.username) or SavedPreference(
        username=staff.username, audiences=audiences(staff)
    )


def save_preference(store: Messages, staff: Staff, form: PreferenceForm) -> SavedPreference:
    """Save the caller's channels if nobody changed them since the version they read."""
    from .errors import StaleVersion

    previous = store.preference(staff.username)
    if (previous.version if previous else 0) != form.version:
        raise StaleVersion("Your notice settings")
    saved = chosen(form, staff)
    store.save_preference(saved, previous)
    return saved


def account_changed(store: Messages, before: Account, after: Account) -> None:
    """A member moved to other roles or another unit, or disabled, hears their old audiences no
    longer: their channels are withdrawn from them until they save their preference again."""
    if (set(before.roles), before.unit, before.enabled) == (set(after.roles), after.unit, after.enabled):
        return
    saved = store.preference(after.username)
    if saved is not None and saved.audiences:
        store.save_preference(saved.model_copy(update={"audiences": [], "version": saved.version + 1}), saved)


class KeepingNotifier(Notifier):
    """The notifier staff notices go through: it sends as `sent` does, keeps each notice for its
    audience's message centre, and tells the members who chose SMS or e-mail, once per notice."""

    def __init__(self, sent: Notifier, store: Messages, clock: Clock) -> None:
        self._sent = sent
        self._store = store
        self._clock = clock

    def requester_sms(self, phone: str, message: str) -> None:
        self._sent.requester_sms(phone, message)

    def staff_notice(
        self, audience: str, subject: str, message: str, about: str | None = None, key: str | None = None
    ) -> None:
        now = self._clock.now()
        kept = Message(
            id=message_id(audience, subject, message, key),
            audience=audience,
            at=now,
            subject=subject,
            message=message,
            about=about,
        )
        # The topic first, as before the centre (a retried batch may publish again); a member's
        # own SMS and e-mail only for a notice the centre had not kept yet: sent once.
        self._sent.staff_notice(audience, subject, message, about, key)
        if not self._store.post(kept, now + KEPT):
            return
        for d in deliveries(self._store.subscribers(audience)):
            self._sent.staff_direct(d.channel, d.address, subject, message)

    def staff_direct(self, channel: str, address: str, subject: str, message: str) -> None:
        self._sent.staff_direct(channel, address, subject, message)
