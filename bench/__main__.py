"""Print the benchmark figures: `uv run python -m bench [--cases 2000 100000] [--runs 30]`.

Each figure is the median of repeated runs with its range, beside its floor measured in the
same run. Databases are built once with the demo generator and reused from bench/data/.
"""

from __future__ import annotations

import argparse

from bench import (
    datasets,
    dispatch_work,
    imports,
    keystrokes,
    memory,
    postgres,
    queue_pages,
    search,
    startup,
    statistics,
    terminal_bytes,
    timers,
    transitions,
)

QUICK_CASES = [2000]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--cases", type=int, nargs="+", default=None, help="default 2000 100000")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="A smoke run in a few minutes: 2,000 cases (unless --cases), few runs, small import "
        "and writers.",
    )
    parser.add_argument("--skip-console", action="store_true", help="No keystroke or memory.")
    parser.add_argument("--import-records", type=int, default=100_000)
    parser.add_argument("--writes-per-process", type=int, default=250)
    parser.add_argument(
        "--pg",
        action="store_true",
        help="Also PostgreSQL (127.0.0.1:5432): queue, search, writers.",
    )
    parser.add_argument("--pg-cases", type=int, default=100_000)
    parser.add_argument(
        "--timers", action="store_true", help="Only the deadline timers (burst, memory, recompute)."
    )
    parser.add_argument(
        "--bytes", action="store_true", help="Only the bytes written to the terminal per second."
    )
    arguments = parser.parse_args()
    if arguments.cases is None:
        arguments.cases = QUICK_CASES if arguments.quick else [2000, 100_000]
    if arguments.quick:
        arguments.runs = min(arguments.runs, 5)
        arguments.startup_runs = min(arguments.startup_runs, 2)
        arguments.import_records = min(arguments.import_records, 2000)
        arguments.writes_per_process = min(arguments.writes_per_process, 25)
        arguments.pg_cases = min(arguments.pg_cases, 2000)
    if arguments.bytes:
        for cases in arguments.cases:
            path, _ = datasets.demo_database(cases)
            print(f"\n== terminal output, demo database of {cases:,} cases")
            terminal_bytes.report(path)
        return
    if arguments.timers:
        for cases in arguments.cases:
            path, _ = datasets.demo_database(cases)
            print(f"\n== deadline timers, demo database of {cases:,} cases")
            timers.report(path)
        return
    for cases in arguments.cases:
        path, built = datasets.demo_database(cases)
        size_mib = path.stat().st_size / 2**20
        note = f"built in {built:.1f} s" if built is not None else "reused"
        print(f"\n== demo database, {cases:,} cases ({size_mib:.0f} MiB, {note})")
        print(f"{'queue page (50 rows + total)':44} {'services':>38}   {'bare sqlite3':>38}")
        for label, ours, floor in queue_pages.run(path, arguments.runs):
            ratio = ours.median_ms / floor.median_ms
            print(
                f"  {label:42} {ours!s:>38}   {floor!s:>38}  x{ratio:.1f}"
                f"  target <= 2x: {'met' if ratio <= 2 else 'MISSED'}"
            )
        print(f"{'search (bigram index)':44} {'services':>38}   {'bare LIKE scan':>38}")
        for label, ours, floor, matches in search.run(path, arguments.runs):
            print(
                f"  {label:42} {ours!s:>38}   {floor!s:>38}  x{ours.median_ms / floor.median_ms:.2f}"
                f"  ({matches:,} cases)"
            )
        print(f"{'dispatch work':44} {'services':>38}   {'bare sqlite3':>38}")
        for label, ours, bare in dispatch_work.run(path, arguments.runs):
            versus = f"  x{ours.median_ms / bare.median_ms:.1f}" if bare else ""
            print(f"  {label:42} {ours!s:>38}   {(str(bare) if bare else ''):>38}{versus}")
        statistics.report(path, arguments.runs)
        if not arguments.skip_startup:
            shell, data, floor = startup.run(path, arguments.startup_runs)
            print(f"{'start-up in a 120x40 pty':44} {'console':>38}   {'minimal Textual app':>38}")
            for label, ours in (
                ("start to first frame", shell),
                ("start to first frame with data", data),
            ):
                ratio = ours.median_ms / floor.median_ms
                print(
                    f"  {label:42} {ours!s:>38}   {floor!s:>38}  x{ratio:.1f}"
                    f"  target <= 1.5x at 1M: {'met' if ratio <= 1.5 else 'MISSED'}"
                )
        if not arguments.skip_console:
            keystrokes.report(path, max(arguments.runs, 10))
            memory.report(path)
    if not arguments.skip_console:
        # one figure: the idle console's output depends on what it shows, not on the size
        smallest, _ = datasets.demo_database(min(arguments.cases))
        print(f"\n== terminal output, demo database of {min(arguments.cases):,} cases")
        terminal_bytes.report(smallest)
    base, _ = datasets.demo_database(2000)
    print()
    imports.report(base, arguments.import_records)
    print()
    transitions.report(
        "one SQLite file (copy of the 2,000-case demo)",
        transitions.run_sqlite(base, arguments.writes_per_process),
    )
    if arguments.pg:
        postgres.report(arguments.pg_cases, arguments.runs, arguments.writes_per_process)


if __name__ == "__main__":
    main()
