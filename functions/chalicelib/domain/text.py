"""Chinese text without a word segmenter: character unigrams and bigrams (DESIGN.md section 4), and
Okapi BM25 over them. Runs of Latin letters and digits count as one term each."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_RUN = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]+")


def terms(text: str) -> list[str]:
    """The terms of a text: every CJK character and every pair of neighbouring characters (so
    "路灯不亮" gives 路 灯 不 亮 路灯 灯不 不亮), and each Latin/digit run as a whole."""
    found: list[str] = []
    for run in _RUN.findall(text.lower()):
        if run[0].isascii():
            found.append(run)
            continue
        found.extend(run)
        found.extend(run[i : i + 2] for i in range(len(run) - 1))
    return found


def bigrams(text: str) -> set[str]:
    return {t for t in terms(text) if len(t) > 1}


class Bm25:
    """Okapi BM25 over documents given as term lists (k1 1.2, b 0.75)."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.counts = [Counter(d) for d in documents]
        self.lengths = [len(d) for d in documents]
        self.average = sum(self.lengths) / len(documents) if documents else 1.0
        frequency: Counter[str] = Counter()
        for counts in self.counts:
            frequency.update(counts.keys())
        n = len(documents)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}

    def scores(self, query: Sequence[str]) -> list[float]:
        wanted = Counter(t for t in query if t in self.idf)
        result = []
        for counts, length in zip(self.counts, self.lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / (self.average or 1.0))
            score = 0.0
            for term, times in wanted.items():
                tf = counts.get(term, 0)
                if tf:
                    score += times * self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
            result.append(score)
        return result

    def weight(self, term: str) -> float:
        """How telling a term is: its idf, or the highest idf for a term no document has."""
        return self.idf.get(term, max(self.idf.values(), default=1.0))
