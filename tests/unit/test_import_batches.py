"""Import batches: a file is imported once, whole; a re-run after a crash imports it whole."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from gridconsole.clock import FrozenClock
from gridconsole.domain.enums import Role
from gridconsole.services import imports, intake
from gridconsole.services.imports import ImportPhase, ImportReport, import_cases
from gridconsole.services.operators import ensure_operator, os_username
from gridconsole.store.engine import Database
from gridconsole.store.models import Case, ImportBatch
from tests.factories import services_for
from tests.unit.test_import import DATA, dump, run

RECORDS = 3  # in cases_good.csv


def batch_rows(db: Database) -> list[tuple[int, str, str, str, int, int]]:
    """Each batch: id, digest, file name, format, records, and the cases that carry it."""
    with db.read() as session:
        rows = session.execute(
            select(
                col(ImportBatch.id),
                col(ImportBatch.digest),
                col(ImportBatch.filename),
                col(ImportBatch.format),
                col(ImportBatch.records),
                func.count(col(Case.id)),
            )
            .outerjoin(Case, col(Case.import_batch_id) == col(ImportBatch.id))
            .group_by(col(ImportBatch.id))
            .order_by(col(ImportBatch.id))
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_file_is_one_batch_and_a_rerun_imports_nothing(
    db: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    ensure_operator(db, clock, username=os_username(), display_name="导入员", role=Role.dispatcher)
    path = DATA / "cases_good.csv"
    first = run(db_url, tmp_path, "cases", "import", str(path))
    assert first.exit_code == 0, first.output
    assert "imported 3 case(s) (csv) — batch 1" in first.stdout
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert batch_rows(db) == [(1, digest, "cases_good.csv", "csv", RECORDS, RECORDS)]
    with db.read() as session:
        unbatched = session.execute(
            select(func.count()).where(col(Case.import_batch_id).is_(None))
        ).scalar_one()
    assert unbatched == 0
    with db.read() as session:
        recorded = session.execute(select(col(ImportBatch.imported_at))).scalar_one()
    imported_at = recorded.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    assert imported_at.startswith("2026-11-29 09:30:")
    before = dump(db_url)
    for extra in ([], ["--dry-run"]):
        again = run(db_url, tmp_path, "cases", "import", *extra, str(path))
        assert again.exit_code == 0, again.output
        # --now starts a running clock at 09:30:00: the batch is recorded when the import
        # commits, a second later on a slow machine, and the message gives that time
        assert again.stdout.strip() == (
            f"{path} was already imported as batch 1 on {imported_at} by 导入员"
            " (3 record(s)): nothing imported again"
        )
        assert again.stderr == ""
    assert dump(db_url) == before
    chinese = run(db_url, tmp_path, "cases", "import", str(path), lang="zh")
    assert (
        "已于 2026-11-29 09:30:00 由 导入员 导入为批次 1（3 条记录）：未重复导入" in chinese.stdout
    )


def test_progress_names_each_step(
    db: Database, db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    ensure_operator(db, clock, username=os_username(), display_name="导入员", role=Role.dispatcher)
    result = run(db_url, tmp_path, "cases", "import", "--progress", str(DATA / "cases_good.csv"))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "reading the file…",
        "parsing…",
        "validating…",
        "writing (one transaction)…",
        "committed",
        "checking for duplicates…",
    ]


def test_a_crash_in_the_write_leaves_no_batch_and_the_rerun_imports_whole(
    any_db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = services_for(any_db, "disp", clock)
    path = DATA / "cases_good.jsonl"
    real_create = intake.create_cases

    def crash_after_insert(*args: object, **kwargs: object) -> object:
        real_create(*args, **kwargs)  # type: ignore[arg-type]
        raise OSError("the machine went away")

    monkeypatch.setattr("gridconsole.services.imports.create_cases", crash_after_insert)
    with pytest.raises(OSError, match="went away"):
        import_cases(services.context, path)
    assert batch_rows(any_db) == []
    with any_db.read() as session:
        assert session.execute(select(func.count()).select_from(Case)).scalar_one() == 0
    monkeypatch.setattr("gridconsole.services.imports.create_cases", real_create)
    phases: list[ImportPhase] = []
    report = import_cases(services.context, path, progress=phases.append)
    assert report.accepted
    assert report.already is None
    assert report.batch_id is not None
    assert phases == list(ImportPhase)
    [(batch_id, _, name, file_format, records, cases)] = batch_rows(any_db)
    assert (batch_id, name, file_format) == (report.batch_id, "cases_good.jsonl", "jsonl")
    assert records == cases == len(report.imported) == report.records


def test_two_consoles_importing_one_file_at_once_import_it_once(
    any_db: Database, clock: FrozenClock
) -> None:
    """Both validate, both try to write: one batch, the other told which batch holds it
    (SQLite: the second sees it under the write lock; PostgreSQL: the unique digest)."""
    path = DATA / "cases_good.jsonl"
    barrier = threading.Barrier(2)
    reports: list[ImportReport] = []
    errors: list[BaseException] = []

    def importer(username: str) -> None:
        try:
            reports.append(import_cases(services_for(any_db, username, clock).context, path))
        except BaseException as exc:
            errors.append(exc)

    original_validate = imports.validate_records

    def validate_then_wait(*args: object, **kwargs: object) -> object:
        result = original_validate(*args, **kwargs)  # type: ignore[arg-type]
        barrier.wait(timeout=30)
        return result

    with pytest.MonkeyPatch.context() as patch:
        # both pass validation before either writes
        patch.setattr("gridconsole.services.imports.validate_records", validate_then_wait)
        threads = [threading.Thread(target=importer, args=(name,)) for name in ("disp", "lead")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    written = [report for report in reports if report.already is None]
    told = [report for report in reports if report.already is not None]
    assert len(written) == len(told) == 1
    assert told[0].already is not None
    assert told[0].already.id == written[0].batch_id
    [(_, _, _, _, records, cases)] = batch_rows(any_db)
    assert records == cases == len(written[0].imported)
