"""The administrators' audit trail: who changed which setting, account, unit or key, and when."""

from __future__ import annotations

import secrets
from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from .model import Staff


class AuditEntry(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    at: datetime
    actor: str
    action: str  # e.g. user.created, category.saved, key.revoked
    target: str
    summary: str = ""  # entries recorded before `params`: their summary in words
    # What changed, worded by the portal from the action (docs/api.md lists each action's params).
    params: dict[str, str] = {}


def entry(staff: Staff, now: datetime, action: str, target: str, **params: str) -> AuditEntry:
    return AuditEntry(
        id=secrets.token_hex(6),
        at=now,
        actor=staff.username,
        action=action,
        target=target,
        params={k: v[:500] for k, v in params.items()},
    )


class AuditTrail(Protocol):
    @abstractmethod
    def record(self, entry: AuditEntry) -> None:
        """Add an entry to the administrators' audit trail."""

    @abstractmethod
    def audit(self, actor: str | None, limit: int, cursor: str | None) -> tuple[list[AuditEntry], str | None]:
        """A page of the audit trail, newest first, optionally one actor's."""
