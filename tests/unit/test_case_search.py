"""Search through the bigram index: two-character terms and up are answered from the index
(FTS5 on SQLite, a GIN-indexed array on PostgreSQL), and the results are exactly those of the
substring match — checked against a brute-force scan over a corpus built to collide."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from gridconsole.domain.search_terms import FIELD_BREAK, index_terms, query_phrases
from gridconsole.services.bundle import Services
from gridconsole.services.records import QueueFilter
from gridconsole.store import case_search
from gridconsole.store.engine import Database
from tests.factories import new_case_fields

# a small alphabet so that random texts share many bigrams (the index must not over- or
# under-match), with a few letters and digits for mixed text
ALPHABET = "噪音漏水欠薪施工扰民路灯垃圾占道经营ab12"


@pytest.fixture
def db(any_db: Database) -> Database:
    return any_db


def test_terms_are_bigrams_within_runs_and_fields() -> None:
    assert index_terms(["夜间施工", "中山路 18号"]) == [
        "夜间",
        "间施",
        "施工",
        FIELD_BREAK,
        "中山",
        "山路",
        FIELD_BREAK,
        "18",
        "8号",
    ]
    assert index_terms(["Ａ栋", None, ""]) == ["a栋"]  # NFKC and case-folded
    assert query_phrases("噪音") == [["噪音"]]
    assert query_phrases("施工噪音") == [["施工", "工噪", "噪音"]]
    assert query_phrases("中山 路灯") == [["中山"], ["路灯"]]
    assert query_phrases("噪") is None  # one character: the index cannot answer
    assert query_phrases("中 路灯") is None
    assert query_phrases("  ") is None


@given(st.text(alphabet=ALPHABET + " ，。", min_size=2, max_size=40), st.data())
def test_every_substring_of_two_or_more_is_a_phrase_of_the_stream(
    field: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(field) - 2))
    end = data.draw(st.integers(start + 2, len(field)))
    term = field[start:end]
    phrases = query_phrases(term)
    if phrases is None:
        return
    stream = index_terms(["前置字段", field])
    for phrase in phrases:
        assert any(
            stream[i : i + len(phrase)] == phrase for i in range(len(stream) - len(phrase) + 1)
        )


def _random_text(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high)))


def test_search_equals_the_substring_match(db: Database, dispatcher: Services) -> None:
    rng = random.Random(20261129)
    corpus: dict[str, tuple[str, ...]] = {}
    for _ in range(60):
        fields = (
            _random_text(rng, 4, 12),
            _random_text(rng, 10, 40),
            _random_text(rng, 0, 8),
        )
        case = dispatcher.cases.report(
            new_case_fields(title=fields[0], description=fields[1], address=fields[2])
        )
        corpus[case.code] = (case.code, *fields, "张三")
    terms = {"噪音", "漏水", "欠薪", "施工扰民", "ab", "12", "b1", "噪", "a"}
    for fields in list(corpus.values())[:20]:
        body = fields[2]
        for length in (2, 3, 5):
            start = rng.randint(0, max(0, len(body) - length))
            terms.add(body[start : start + length])
    terms.add(next(iter(corpus)))  # a case code
    for term in sorted(terms):
        expected = {
            code
            for code, fields in corpus.items()
            if any(term.casefold() in field.casefold() for field in fields)
        }
        page = dispatcher.queue.page(QueueFilter(search=term), limit=500)
        assert {row.code for row in page.rows} == expected, term
        assert page.total == len(expected), term


def test_the_index_is_written_with_the_case_and_used(db: Database, dispatcher: Services) -> None:
    case = dispatcher.cases.report(new_case_fields(title="欠薪讨要", description="拖欠工资三个月"))
    with db.read() as session:
        if db.dialect == "sqlite":
            found = session.execute(
                text("SELECT rowid FROM case_search WHERE case_search MATCH :q"),
                {"q": '"欠薪"'},
            ).scalars()
        else:
            found = session.execute(
                text("SELECT case_id FROM case_search WHERE terms @> ARRAY['欠薪']")
            ).scalars()
        assert list(found) == [case.id]
    # and the queue's condition goes through it for two characters or more, not for one
    from sqlmodel import col

    from gridconsole.store.models import Case

    assert case_search.narrowed(col(Case.id), db.dialect, "欠薪") is not None
    assert case_search.narrowed(col(Case.id), db.dialect, "欠") is None


def test_a_migrated_database_indexes_the_cases_already_there(tmp_path: object) -> None:
    """The migration that creates the index fills it from the table (rebuild in batches)."""
    from pathlib import Path

    from sqlalchemy import create_engine

    assert isinstance(tmp_path, Path)
    engine = create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE cases (id INTEGER PRIMARY KEY, code TEXT, title TEXT, "
                "description TEXT, address TEXT, reporter_name TEXT)"
            )
        )
        connection.execute(
            text("INSERT INTO cases VALUES (:id, :code, :title, '', '', '')"),
            [
                {"id": n, "code": f"C{n}", "title": "噪音扰民" if n % 2 else "路灯"}
                for n in range(1, 12)
            ],
        )
        for statement in case_search.create_statements("sqlite"):
            connection.execute(text(statement))
        original = case_search.REBUILD_BATCH
        case_search.REBUILD_BATCH = 4  # several batches
        try:
            assert case_search.rebuild(connection) == 11
        finally:
            case_search.REBUILD_BATCH = original
        hits = connection.execute(
            text("SELECT rowid FROM case_search WHERE case_search MATCH '\"噪音\"' ORDER BY rowid")
        ).scalars()
        assert list(hits) == [1, 3, 5, 7, 9, 11]
    engine.dispose()
