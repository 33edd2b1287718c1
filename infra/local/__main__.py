"""`python -m infra.local`: the whole platform on this machine (make run)."""

from __future__ import annotations

import argparse
import os
import sys
import time

from .server import start, wait_forever
from .stack import DEMO_PASSWORD, DEMO_USERS


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Jiesu locally on moto.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT_LOCAL", 0)))
    parser.add_argument(
        "--time-scale",
        type=float,
        default=float(os.environ.get("TIME_SCALE", 720)),
        help="how many times faster the demo clock runs (1 = real time)",
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    args = parser.parse_args()
    began = time.monotonic()
    running = start(port=args.port, moto_port=args.moto_port, time_scale=args.time_scale, host=args.host)
    took = time.monotonic() - began
    width = max(len(u.username) for u in DEMO_USERS)
    accounts = "\n".join(f"    {u.username:<{width}}  {u.role:<11} {u.description}" for u in DEMO_USERS)
    hours = 24 / args.time_scale * 60
    print(
        f"""
Jiesu local stack is up in {took:.1f} s.

  Public web form   {running.url}/
  Track an order    {running.url}/track
  Staff portal      {running.url}/staff
  API               {running.url}/api/v1   (config: {running.url}/config.json)
  Embedded AWS      {running.stack.moto_url}  (moto, in this process)

  Demo clock        {args.time_scale:g}x: one day of deadlines passes in {hours:.1f} wall minutes

  Staff demo accounts (password {DEMO_PASSWORD}):
{accounts}

Press Ctrl-C to stop.""",
        flush=True,
    )
    try:
        wait_forever()
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        running.stop()
        print("Stopped.", flush=True)
        sys.stdout.flush()
        # Workflow timers still waiting in moto's threads end with the process.
        os._exit(0)


if __name__ == "__main__":
    main()
