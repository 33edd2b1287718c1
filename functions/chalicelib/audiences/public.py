"""The public function: a requester submits, tracks and rates a request (no sign-in)."""

from __future__ import annotations

from ..entrypoints import public_api
from . import Mount, compose

MOUNTS: tuple[Mount, ...] = ((public_api.bp, "/api/v1/public"),)
app = compose(MOUNTS)
