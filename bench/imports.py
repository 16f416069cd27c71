"""Import rate: records through the real import path beside a bare ``executemany`` insert.

The file is JSON Lines as a hotline platform exports it: the title, description, address,
category, grid, priority and source of demo cases, each with its own external id. The real path
is ``gridconsole import`` (``services.imports.import_cases``): parse, validate every record
(field rules, codes, external ids already held), insert the cases with their report events and
search index in one transaction, then the duplicate check. It runs on a copy of the 2,000-case
demo (the schema, its indexes and the organisation); the validation alone (``--dry-run``) is
timed too. The floor inserts the very case rows the import wrote (read back from its copy) into
another copy of the same database through the bare sqlite3 module, one ``executemany`` and one
commit: no validation, no events, no search index, no duplicate check.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.datasets import copy_database
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services.bundle import Services
from gridconsole.services.imports import import_cases
from gridconsole.services.operators import os_username
from gridconsole.store.engine import Database
from tests.factories import T0


@dataclass(frozen=True)
class ImportRates:
    records: int
    imported_s: float
    validated_s: float
    bare_s: float
    duplicates_unchecked: int

    def rate(self, seconds: float) -> float:
        return self.records / seconds


def write_records(source: Path, records: int, target: Path) -> None:
    """``records`` JSON lines from the cases of the demo database ``source`` (cycled)."""
    connection = sqlite3.connect(source)
    rows = connection.execute(
        "SELECT c.title, c.description, c.address, k.code, g.code, c.priority, c.source "
        "FROM cases c JOIN case_categories k ON k.id = c.category_id "
        "JOIN grids g ON g.id = c.grid_id ORDER BY c.id LIMIT ?",
        (records,),
    ).fetchall()
    connection.close()
    with target.open("w", encoding="utf-8") as out:
        for index in range(records):
            title, description, address, category, grid, priority, origin = rows[index % len(rows)]
            out.write(
                json.dumps(
                    {
                        "title": title,
                        "description": description,
                        "address": address,
                        "category": category,
                        "grid": grid,
                        "priority": priority,
                        "source": "platform" if origin == "phone" else origin,
                        "external_id": f"BENCH-{index:07d}",
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


def run(base: Path, records: int) -> ImportRates:
    """Import ``records`` into a copy of ``base`` (a small demo database), beside the floor."""
    with tempfile.TemporaryDirectory(dir=base.parent) as scratch:
        folder = Path(scratch)
        data = folder / "cases.jsonl"
        write_records(base, records, data)
        imported_copy, bare_copy = folder / "imported.db", folder / "bare.db"
        copy_database(base, imported_copy)
        copy_database(base, bare_copy)
        db = Database.connect(f"sqlite:///{imported_copy}")
        services = Services.build(db, Settings(), FrozenClock(T0), os_username())
        started = time.perf_counter()
        checked = import_cases(services.context, data, dry_run=True)
        validated_s = time.perf_counter() - started
        assert checked.accepted, checked.problems[:3]
        started = time.perf_counter()
        report = import_cases(services.context, data)
        imported_s = time.perf_counter() - started
        assert len(report.imported) == records
        db.dispose()
        bare_s = _bare_insert(imported_copy, bare_copy, records)
    return ImportRates(records, imported_s, validated_s, bare_s, report.duplicates_unchecked)


def _bare_insert(imported: Path, target: Path, records: int) -> float:
    """Seconds to executemany the ``records`` newest case rows of ``imported`` into ``target``."""
    source = sqlite3.connect(imported)
    cursor = source.execute("SELECT * FROM cases ORDER BY id DESC LIMIT ?", (records,))
    columns = [column[0] for column in cursor.description if column[0] != "id"]
    id_at = [column[0] for column in cursor.description].index("id")
    rows = [row[:id_at] + row[id_at + 1 :] for row in cursor.fetchall()]
    source.close()
    rows.reverse()
    # the codes are unique: the floor's rows must not collide with the base's
    code_at = columns.index("code")
    rows = [(*row[:code_at], f"B{row[code_at]}", *row[code_at + 1 :]) for row in rows]
    bare = sqlite3.connect(target, isolation_level=None)
    sql = f"INSERT INTO cases ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    started = time.perf_counter()
    bare.execute("BEGIN IMMEDIATE")
    bare.executemany(sql, rows)
    bare.execute("COMMIT")
    elapsed = time.perf_counter() - started
    bare.close()
    return elapsed


TARGET_SHARE = 1 / 3


def report(base: Path, records: int) -> None:
    """Print the import rates of ``records`` records into a copy of ``base``."""
    rates = run(base, records)
    share = rates.bare_s / rates.imported_s
    print(f"{f'import of {records:,} records (JSON Lines)':44} {'rate':>14} {'seconds':>10}")
    print(
        f"  {'gridconsole import (validated, audited)':42} {rates.rate(rates.imported_s):8.0f} rec/s"
        f" {rates.imported_s:9.1f} s  {share:.2f} of bare; target >= 1/3: "
        f"{'met' if share >= TARGET_SHARE else 'MISSED'}"
    )
    print(
        f"  {'  of which validation alone (--dry-run)':42}"
        f" {rates.rate(rates.validated_s):8.0f} rec/s {rates.validated_s:9.1f} s"
    )
    print(
        f"  {'bare executemany of the same case rows':42} {rates.rate(rates.bare_s):8.0f} rec/s"
        f" {rates.bare_s:9.1f} s  (floor, n=1)"
    )
    if rates.duplicates_unchecked:
        print(f"  ({rates.duplicates_unchecked:,} new cases past the duplicate check's budget)")
