"""The staff portal's function: every staff route, a blueprint per resource, behind the staff
authorizer (whose own function imports entrypoints/auth.py alone)."""

from __future__ import annotations

from ..entrypoints import auth
from ..entrypoints.staff import (
    analytics,
    audit_trail,
    catalogue,
    dispatching,
    handling,
    keys,
    knowledge,
    orders,
    ranking,
    review,
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
            catalogue,
            whistles,
            knowledge,
            keys,
            users,
            audit_trail,
            analytics,
            ranking,
            review,
        )
    ),
)
app = compose(MOUNTS)
