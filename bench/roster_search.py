"""The roster's first page and total at N workers: `uv run python -m bench.roster_search`.

A street office of 200 grids in 20 communities and N grid workers (each covering one or two
grids), written directly and given their pinyin keys the way the demo does; then the roster
service's page for an empty search, pinyin initials, a full name, a grid code, a community name
and digits of a mobile number. SQLite by default; ``--pg`` also on the PostgreSQL test server.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from sqlalchemy import insert

from bench.stats import Figure, measure
from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.domain.enums import GridKind, Role, WorkerRole, WorkerStatus
from gridconsole.domain.identifiers import id_check_character
from gridconsole.services import database
from gridconsole.services.bundle import Services
from gridconsole.services.roster import fill_search_keys
from gridconsole.services.roster_records import RosterQuery
from gridconsole.store.engine import Database
from gridconsole.store.models import (
    Community,
    District,
    Grid,
    GridWorker,
    GridWorkerGrid,
    Operator,
    Street,
)
from tests.factories import T0

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏宇浩晨欣怡子涵梓轩"


def build(url: str, workers: int) -> Database:
    db = Database.connect(url)
    database.upgrade(db)
    rng = random.Random(6)
    with db.write() as session:
        session.add(District(id=1, code="320102", name="玄武区"))
        session.flush()
        session.add(
            Street(id=1, district_id=1, code="320102002", name="梅园新村街道", case_prefix="MY")
        )
        session.add(
            Operator(id=1, username="bench", display_name="压测", role=Role.admin, created_at=T0)
        )
        session.flush()
        communities = [
            {
                "id": index + 1,
                "street_id": 1,
                "code": f"320102002{index + 1:03d}",
                "name": f"{SURNAMES[index]}家巷社区",
            }
            for index in range(20)
        ]
        session.execute(insert(Community), communities)
        grids = [
            {
                "id": index + 1,
                "community_id": index // 10 + 1,
                "code": f"320102002{index // 10 + 1:03d}{index % 10 + 1:03d}",
                "name": f"{SURNAMES[index // 10]}家巷第{index % 10 + 1}网格",
                "kind": GridKind.comprehensive,
                "households": 400,
                "area_description": "",
                "resolves_in_grid": True,
            }
            for index in range(200)
        ]
        session.execute(insert(Grid), grids)
        rows, links = [], []
        for ident in range(1, workers + 1):
            first17 = f"320102{rng.randint(1966, 2000)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}{rng.randint(0, 999):03d}"
            rows.append(
                {
                    "id": ident,
                    "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
                    "role": WorkerRole.part_time if ident % 4 else WorkerRole.full_time,
                    "part_time_category": "志愿者",
                    "mobile": f"139{ident:08d}",
                    "id_number": first17 + id_check_character(first17),
                    "status": WorkerStatus.active,
                }
            )
            grid = rng.randint(1, 200)
            links.append({"worker_id": ident, "grid_id": grid})
            if ident % 5 == 0:
                links.append({"worker_id": ident, "grid_id": grid % 200 + 1})
        session.execute(insert(GridWorker), rows)
        session.execute(insert(GridWorkerGrid), links)
        fill_search_keys(session)
    return db


def report(db: Database, runs: int) -> list[tuple[str, Figure, int]]:
    services = Services.build(db, Settings(), FrozenClock(T0), "bench")
    figures = []
    for label, query in (
        ("no search (first page)", RosterQuery()),
        ("pinyin initials 'zw'", RosterQuery(text="zw")),
        ("full pinyin 'wangwei'", RosterQuery(text="wangwei")),
        ("characters '王伟'", RosterQuery(text="王伟")),
        ("grid code", RosterQuery(text="320102002005003")),
        ("community name '张家巷'", RosterQuery(text="张家巷")),
        ("mobile digits '00001234'", RosterQuery(text="00001234")),
        ("tree: one grid", RosterQuery(grid_code="320102002005003")),
    ):

        def page(query: RosterQuery = query) -> int:
            return services.roster.page(query).total

        total = page()
        figures.append((label, measure(page, runs=runs), total))
    figures.append(
        ("tree (200 grids, coverage counts)", measure(services.roster.tree, runs=runs), 200)
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.roster_search", description=__doc__)
    parser.add_argument("--workers", type=int, nargs="+", default=[10_000])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pg", action="store_true", help="Also on GRIDCONSOLE_TEST_PG.")
    arguments = parser.parse_args()
    for workers in arguments.workers:
        with tempfile.TemporaryDirectory() as folder:
            db = build(f"sqlite:///{Path(folder) / 'roster.db'}", workers)
            print(f"\n== roster page + total, SQLite, {workers:,} workers")
            for label, figure, total in report(db, arguments.runs):
                print(f"{label:38} {figure}  ({total:,} matches)")
            db.dispose()
        if arguments.pg:
            from tests.postgres import fresh_schema_url

            with fresh_schema_url() as url:
                db = build(url, workers)
                print(f"\n== roster page + total, PostgreSQL, {workers:,} workers")
                for label, figure, total in report(db, arguments.runs):
                    print(f"{label:38} {figure}  ({total:,} matches)")
                db.dispose()


if __name__ == "__main__":
    main()
