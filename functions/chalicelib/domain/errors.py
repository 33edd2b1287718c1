"""Domain errors. Entry points turn each into the HTTP status API.md names."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


@dataclass
class DomainError(Exception):
    message: str
    details: list[FieldProblem] = field(default_factory=list)
    code: str = "error"
    status: int = 400

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    def __init__(self, message: str, details: list[FieldProblem] | None = None) -> None:
        super().__init__(message, details or [], "invalid_input", 400)


class Unauthenticated(DomainError):
    def __init__(self, message: str = "Sign in to continue.") -> None:
        super().__init__(message, [], "unauthorized", 401)


class Forbidden(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, [], "forbidden", 403)


class NotFound(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, [], "not_found", 404)


class Conflict(DomainError):
    """409: a stale version, a status that does not allow the action, a reused idempotency key."""

    def __init__(self, message: str, code: str = "conflict") -> None:
        super().__init__(message, [], code, 409)


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
