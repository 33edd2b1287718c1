"""The local stack's workflow reconciler: what the EventBridge schedule does in AWS.

At start-up it looks at every open order once (a stack whose tables were restored has orders but
none of their runs); then, every names.RECONCILE_LOCAL_SECONDS wall seconds, at the orders whose
run was not taken and at failed runs. Each pass invokes the reconciler Lambda as the schedule
would, so the real handler runs in-process (infra/local/moto_patches.py)."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from chalicelib import names

from .stack import LocalStack

log = logging.getLogger("jiesu.local.reconciler")


class Reconciler:
    def __init__(self, stack: LocalStack, every: float = names.RECONCILE_LOCAL_SECONDS) -> None:
        self._stack = stack
        self._every = every
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self, sweep: bool = False) -> dict[str, Any]:
        """One pass, as the schedule (or, with `sweep`, an operator) invokes it."""
        answer = self._stack.client("lambda").invoke(
            FunctionName=names.local_function_name(names.FN_RECONCILE_WORKFLOWS),
            Payload=json.dumps({"sweep": sweep}).encode(),
        )
        result: dict[str, Any] = json.loads(answer["Payload"].read())
        if answer.get("FunctionError"):
            raise RuntimeError(f"reconciling the workflows failed: {result}")
        return result

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="jiesu-reconciler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        sweep = True
        while not self._stopped.is_set():
            try:
                self.run(sweep=sweep)
                sweep = False
            except Exception:  # a pass that failed is tried again at the next, as in AWS
                log.exception("workflow reconciler pass failed")
            self._stopped.wait(self._every)
