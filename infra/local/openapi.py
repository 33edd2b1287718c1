"""`python -m infra.local.openapi OUT`: write the API's OpenAPI document to OUT without a server.

The staff portal's TypeScript types are generated from it (frontend: `npm run schema`), so the
portal and the API cannot drift apart unnoticed: `vue-tsc` fails on a renamed field."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    import app  # the Chalice app: routes and models only, nothing is called
    from chalicelib.entrypoints.openapi import document

    out = Path(sys.argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document(app.app), ensure_ascii=False, indent=1, sort_keys=True)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
