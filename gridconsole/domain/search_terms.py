"""The search index's terms: overlapping character bigrams of a case's text.

Chinese is written without spaces, the most common searches are two characters long (噪音, 漏水,
欠薪), and SQLite's trigram tokenizer cannot match fewer than three. Indexing every pair of
neighbouring characters finds a term of any length from two up: its own bigrams, in order
(a phrase on SQLite's FTS5, containment of the set on PostgreSQL, then confirmed by the plain
substring match so the results are exactly those of ``LIKE '%term%'``).

Text is normalised (NFKC, case-folded) and cut into runs of letters and digits; bigrams never
span a space, a punctuation mark or two fields (a separator token stands between fields, so a
phrase cannot match across them). A one-character term has no bigram: the caller falls back to
the substring scan.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# stands between two fields in the indexed token stream; never produced from text (not a bigram)
FIELD_BREAK = "qqq"


# a run of letters and digits: ``[^\W_]`` is exactly the characters ``str.isalnum`` accepts
# (``\w`` is those and the underscore); one regex scan instead of a Python loop per character
_RUN = re.compile(r"[^\W_]+")


def _runs(text: str) -> list[str]:
    return _RUN.findall(unicodedata.normalize("NFKC", text).casefold())


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_terms(fields: Iterable[str | None]) -> list[str]:
    """The token stream indexed for one case: each field's bigrams, fields kept apart.

    A run of one character (a lone letter or digit between spaces) is kept as itself so the
    stream keeps its place, but no query ever asks for a one-character token.
    """
    tokens: list[str] = []
    for field in fields:
        if not field:
            continue
        if tokens:
            tokens.append(FIELD_BREAK)
        for index, run in enumerate(_runs(field)):
            if index:
                tokens.append(FIELD_BREAK)  # a space or mark breaks the phrase too
            tokens.extend(_pairs(run) if len(run) > 1 else [run])
    return tokens


def query_phrases(term: str) -> list[list[str]] | None:
    """The phrases a search term must match (one per run of letters and digits), or None when
    a run is a single character and the index cannot answer (the caller scans instead)."""
    runs = _runs(term)
    if not runs or any(len(run) < 2 for run in runs):
        return None
    return [_pairs(run) for run in runs]
