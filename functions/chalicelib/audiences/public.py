"""The public function: a requester submits, tracks and rates a request; anyone reads the
effectiveness board (no sign-in)."""

from __future__ import annotations

from ..entrypoints import board_api, public_api
from . import Mount, compose

MOUNTS: tuple[Mount, ...] = ((public_api.bp, "/api/v1/public"), (board_api.bp, "/api/v1/public"))
app = compose(MOUNTS)
