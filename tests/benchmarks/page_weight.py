"""Public form page weight (DESIGN.md section 9): the JS + CSS the form's page loads, gzipped.

    make bench        (or: .venv/bin/python -m tests.benchmarks.page_weight, from the repo root)

Reads the built frontend (`make frontend`): `frontend/dist/.vite/manifest.json` (vite.config.ts sets
`build.manifest`) and `frontend/dist/index.html`. The form's page is

- the entry chunk of index.html with its CSS and, recursively, the chunks it imports statically
  (what the browser fetches before the first paint: the module script, its modulepreloads and
  stylesheets);
- the SubmitView chunk, when the build splits it out of the entry, with its static imports and
  its dynamic imports (everything the form may still fetch while it is being filled and sent).

The entry's own dynamic imports are the other routes (tracking, /developers, not found) and are
not counted: they load only when the person goes there. Each file is gzipped at level 9; a
table and the total against the budget are printed. Exits 1 above the budget, 2 without a build.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"
MANIFEST = DIST / ".vite" / "manifest.json"
ENTRY = "index.html"
FORM_VIEW = "src/views/SubmitView.vue"
BUDGET_KB = 200.0


@dataclass(frozen=True)
class Asset:
    path: str  # relative to dist/
    why: str
    raw: int
    gzip: int


def _walk(manifest: dict[str, dict], key: str, seen: set[str], files: dict[str, str], why: str) -> None:
    """Collect the chunk `key`, its CSS and its static imports, depth first."""
    if key in seen or key not in manifest:
        return
    seen.add(key)
    chunk = manifest[key]
    files.setdefault(chunk["file"], why)
    for css in chunk.get("css", []):
        files.setdefault(css, why)
    for imported in chunk.get("imports", []):
        _walk(manifest, imported, seen, files, why)


def _html_assets(html: str) -> list[str]:
    """What index.html itself names: module scripts, modulepreloads and stylesheets."""
    found: list[str] = []
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", html, flags=re.IGNORECASE):
        attrs = dict(re.findall(r'\s([\w-]+)\s*=\s*"([^"]*)"', tag))
        rel = attrs.get("rel", "").lower().split()
        url = attrs.get("src") or (attrs.get("href") if {"stylesheet", "modulepreload"} & set(rel) else None)
        if url and not re.match(r"^(?:[a-z]+:)?//|^data:", url, flags=re.IGNORECASE):
            found.append(url.split("?")[0].split("#")[0].lstrip("/"))
    return [f for f in found if f.endswith((".js", ".mjs", ".css"))]


def form_page_files() -> dict[str, str]:
    """The files of the form's page, each with the reason it is counted."""
    manifest: dict[str, dict] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    files: dict[str, str] = {}
    seen: set[str] = set()
    _walk(manifest, ENTRY, seen, files, "entry")
    view = manifest.get(FORM_VIEW)
    if view is not None:
        _walk(manifest, FORM_VIEW, seen, files, "form view")
        for dynamic in view.get("dynamicImports", []):
            _walk(manifest, dynamic, seen, files, "form view (dynamic)")
    # The HTML is what the browser actually reads: anything it names that the walk missed counts too.
    for path in _html_assets((DIST / "index.html").read_text(encoding="utf-8")):
        files.setdefault(path, "index.html")
    return {path: why for path, why in files.items() if path.endswith((".js", ".mjs", ".css"))}


def weigh(files: dict[str, str]) -> list[Asset]:
    assets = []
    for path, why in files.items():
        data = (DIST / path).read_bytes()
        assets.append(Asset(path, why, len(data), len(gzip.compress(data, compresslevel=9, mtime=0))))
    return sorted(assets, key=lambda a: -a.gzip)


def main() -> int:
    if not MANIFEST.exists() or not (DIST / "index.html").exists():
        print("frontend/dist/.vite/manifest.json not found: run `make frontend` first", file=sys.stderr)
        return 2
    assets = weigh(form_page_files())
    width = max(len(a.path) for a in assets)
    print("Public form page weight (JS + CSS, gzip -9), DESIGN.md section 9")
    print(f"{'file':<{width}}  {'raw KB':>8}  {'gzip KB':>8}  counted as")
    for a in assets:
        print(f"{a.path:<{width}}  {a.raw / 1024:8.1f}  {a.gzip / 1024:8.1f}  {a.why}")
    js = sum(a.gzip for a in assets if not a.path.endswith(".css")) / 1024
    css = sum(a.gzip for a in assets if a.path.endswith(".css")) / 1024
    total = js + css
    raw = sum(a.raw for a in assets) / 1024
    print(f"{'total':<{width}}  {raw:8.1f}  {total:8.1f}  (JS {js:.1f} + CSS {css:.1f})")
    verdict = "within" if total <= BUDGET_KB else "OVER"
    print(f"budget: {total:.1f} KB of {BUDGET_KB:.0f} KB, {verdict} budget")
    return 0 if total <= BUDGET_KB else 1


if __name__ == "__main__":
    sys.exit(main())
