"""The machine clients' function: partner hotlines (API key) and Open311 GeoReport v2 apps."""

from __future__ import annotations

from ..entrypoints import open311_api, partner_api
from . import Mount, compose

MOUNTS: tuple[Mount, ...] = ((partner_api.bp, "/api/v1/partner"), (open311_api.bp, "/open311/v2"))
app = compose(MOUNTS)
