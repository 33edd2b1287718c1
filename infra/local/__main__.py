"""`python -m infra.local`: the whole platform on this machine (make run)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from .server import start, wait_forever
from .snapshot import data_dir
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
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=data_dir(),
        help="keep the data between runs in this directory (make run: .local-data/, or $JIESU_LOCAL_DATA); "
        "without it, or without $JIESU_LOCAL_DATA, every start is a new stack",
    )
    args = parser.parse_args()

    def stop_on_term(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt  # SIGTERM stops as Ctrl-C does: the snapshot is written

    signal.signal(signal.SIGTERM, stop_on_term)
    began = time.monotonic()
    running = start(
        port=args.port,
        moto_port=args.moto_port,
        time_scale=args.time_scale,
        host=args.host,
        data_dir=args.data_dir,
    )
    took = time.monotonic() - began
    width = max(len(u.username) for u in DEMO_USERS)
    accounts = "\n".join(f"    {u.username:<{width}}  {u.role:<11} {u.description}" for u in DEMO_USERS)
    hours = 24 / args.time_scale * 60
    kept = (
        f"{args.data_dir}  ({'restored from the last run' if running.restored else 'new'}; "
        "written again on stop; `make reset` starts afresh)"
        if args.data_dir is not None
        else "not kept: this stack forgets everything when it stops (make run keeps it)"
    )
    print(
        f"""
Jiesu local stack is up in {took:.1f} s.

  Public web form   {running.url}/
  Track an order    {running.url}/track
  Staff portal      {running.url}/staff
  API               {running.url}/api/v1   (config: {running.url}/config.json)
  Embedded AWS      {running.stack.moto_url}  (moto, in this process)

  Demo clock        {args.time_scale:g}x: one day of deadlines passes in {hours:.1f} wall minutes
  Data              {kept}
  Notifications     {running.url}/dev/notifications  (from this machine only)

  Staff demo accounts (password {DEMO_PASSWORD}):
{accounts}

Press Ctrl-C to stop.""",
        flush=True,
    )
    try:
        wait_forever()
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the snapshot short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("\nStopping: writing the data…", flush=True)
        running.stop()
        print(f"Stopped. The data is in {args.data_dir}." if args.data_dir else "Stopped.", flush=True)
        sys.stdout.flush()
        # Workflow timers still waiting in moto's threads end with the process.
        os._exit(0)


if __name__ == "__main__":
    main()
