"""Domain errors. Each says what kind of thing went wrong; the entry points answer each kind in
their own protocol (HTTP: entrypoints/http.py, STATUSES)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What went wrong, as the caller must hear it."""

    INVALID = "invalid"  # the input breaks a rule; the details name the fields
    TOO_LARGE = "too_large"  # the input is larger than anything taken
    UNAUTHENTICATED = "unauthenticated"  # nobody known is asking
    FORBIDDEN = "forbidden"  # the caller may not do this
    NOT_FOUND = "not_found"  # no such thing (or none the caller may see)
    CONFLICT = "conflict"  # the state does not allow it now: stale, wrong status, taken
    UNAVAILABLE = "unavailable"  # a service we depend on failed; trying again may help


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


@dataclass
class DomainError(Exception):
    message: str
    details: list[FieldProblem] = field(default_factory=list)
    code: str = "error"
    kind: Kind = Kind.INVALID

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    def __init__(self, message: str, details: list[FieldProblem] | None = None) -> None:
        super().__init__(message, details or [], "invalid_input", Kind.INVALID)


class TooLarge(DomainError):
    def __init__(self, message: str = "The request body is too large.") -> None:
        super().__init__(message, [], "too_large", Kind.TOO_LARGE)


class Unauthenticated(DomainError):
    def __init__(self, message: str = "Sign in to continue.") -> None:
        super().__init__(message, [], "unauthorized", Kind.UNAUTHENTICATED)


class Forbidden(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, [], "forbidden", Kind.FORBIDDEN)


class NotFound(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, [], "not_found", Kind.NOT_FOUND)


class Conflict(DomainError):
    """A stale version, a status that does not allow the action, a reused idempotency key."""

    def __init__(self, message: str, code: str = "conflict") -> None:
        super().__init__(message, [], code, Kind.CONFLICT)


class StaleVersion(Conflict):
    def __init__(self, what: str = "The work order") -> None:
        super().__init__(f"{what} changed meanwhile; reload it and try again.", "stale_version")


class NumberTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("The order number is taken.", "number_taken")


class KeyTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("The Idempotency-Key is taken.", "idempotency_key_taken")


class WorkflowUnavailable(Exception):
    """Step Functions did not take a start (throttled, unreachable). Not the caller's concern: the
    order is stored with its run pending, and the reconciler starts it (domain/reconcile.py)."""
