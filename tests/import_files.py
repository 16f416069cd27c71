"""Large import files for tests, and what an import left in a SQLite database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

CATEGORIES = ("11-noise", "11-water", "06-consult", "03-food")
GRIDS = ("320102002001001", "320102002001002", "320102002002001")


def write_records(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            record = {
                "title": f"楼道堆物影响通行{index}",
                "description": f"长江路{index % 300}号楼道堆放杂物，影响通行，居民多次反映，请尽快清理。",
                "category": CATEGORIES[index % len(CATEGORIES)],
                "grid": GRIDS[index % len(GRIDS)],
                "source": "platform",
                "address": f"长江路{index % 300}号",
                "external_id": f"K-{index:07d}",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def state_of(db_path: Path) -> tuple[str, list[tuple[int, int, int]], int, int]:
    """integrity_check, each batch (id, records, cases carrying it), imported cases without a
    batch, and all cases."""
    connection = sqlite3.connect(db_path)
    try:
        integrity = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        batches = connection.execute(
            "SELECT b.id, b.records, count(c.id) FROM import_batches b "
            "LEFT JOIN cases c ON c.import_batch_id = b.id GROUP BY b.id ORDER BY b.id"
        ).fetchall()
        orphans = connection.execute(
            "SELECT count(*) FROM cases WHERE external_id LIKE 'K-%' AND import_batch_id IS NULL"
        ).fetchone()[0]
        cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
    finally:
        connection.close()
    return integrity, batches, orphans, cases
