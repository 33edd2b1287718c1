"""Per-client throttling on the local server: the limits API Gateway and WAF enforce in AWS
(names.THROTTLED_ROUTES, names.THROTTLE_DEFAULT), as token buckets per client address and route."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

from chalicelib import names
from pyrate_limiter import Rate, TokenBucket

ROUTES = [
    (method, re.compile(names.route_pattern(path)), path, throttle)
    for (method, path), throttle in names.THROTTLED_ROUTES.items()
]


def route_of(method: str, path: str) -> tuple[str, names.Throttle]:
    """The throttled route a request belongs to, or the default for any other route."""
    bare = path.split("?", 1)[0]
    for route_method, pattern, template, throttle in ROUTES:
        if method == route_method and pattern.search(bare):
            return f"{method} {template}", throttle
    return "*", names.THROTTLE_DEFAULT


@dataclass
class Throttle:
    """Admits a request or says how many seconds to wait before trying again."""

    algorithm: TokenBucket = field(default_factory=TokenBucket)
    states: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, client: str, method: str, path: str, now_ms: int | None = None) -> int:
        """0 when the request may go on, else the seconds until it may (Retry-After)."""
        route, limit = route_of(method, path)
        rates = [Rate(limit.rate, 1000, burst=limit.burst)]
        now = int(time.monotonic() * 1000) if now_ms is None else now_ms
        with self.lock:
            key = (client, route)
            state = self.states.get(key) or self.algorithm.initial(rates)
            new_state, decision = self.algorithm.step(rates, state, now, 1)
            self.states[key] = tuple(int(v) for v in new_state)
        if decision.failing_rate is None:
            return 0
        return max(1, -(-int(decision.retry_after_ms or 1000) // 1000))
