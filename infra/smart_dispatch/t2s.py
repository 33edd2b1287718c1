"""Writes functions/chalicelib/data/t2s.json: each traditional character and its simplified form,
from OpenCC's TSCharacters table (Apache-2.0) as opencc-python-reimplemented ships it. Requests
sometimes come in traditional characters; the classifier and the emergency signs read them
simplified. Run `python -m infra.smart_dispatch.t2s` after upgrading the package."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import opencc

TARGET = Path(__file__).resolve().parents[2] / "functions" / "chalicelib" / "data" / "t2s.json"


def table() -> dict[str, str]:
    source = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    found: dict[str, str] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        traditional, _, simplified = line.partition("\t")
        first = simplified.split(" ")[0]
        if len(traditional) == 1 and len(first) == 1 and traditional != first:
            found[traditional] = first
    return dict(sorted(found.items()))


def main() -> None:
    version = metadata.version("opencc-python-reimplemented")
    document = {
        "source": f"OpenCC TSCharacters.txt (Apache-2.0) from opencc-python-reimplemented {version}; "
        "single characters only, the first simplified form of each",
        "characters": table(),
    }
    TARGET.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(document['characters'])} characters")


if __name__ == "__main__":
    main()
