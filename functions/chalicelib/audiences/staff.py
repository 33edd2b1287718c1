"""The staff portal's function: every staff route, a blueprint per resource, behind the staff
authorizer (whose own function imports entrypoints/auth.py alone)."""

from __future__ import annotations

from ..entrypoints import auth
from ..entrypoints.staff import (
    analytics,
    appeals,
    audit_trail,
    batch,
    callers,
    catalogue,
    dispatching,
    extensions,
    handling,
    keys,
    knowledge,
    messages,
    orders,
    printing,
    ranking,
    review,
    revisits,
    users,
    whistles,
)
from . import Mount, compose

STAFF = "/api/v1/staff"
MOUNTS: tuple[Mount, ...] = (
    (auth.bp, None),
    *(
        (resource.bp, STAFF)
        for resource in (
            orders,
            dispatching,
            handling,
            extensions,
            catalogue,
            whistles,
            knowledge,
            keys,
            users,
            audit_trail,
            analytics,
            ranking,
            revisits,
            batch,
            callers,
            messages,
            printing,
            appeals,
            review,
        )
    ),
)
app = compose(MOUNTS)
