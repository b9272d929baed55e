"""The sample on PostgreSQL with the detail tables sharded over postgres_fdw nodes
(ledger/store/sharding.py) against the same sample in one plain database of the same
server: import, district figures, by-township and by-village breakdowns, and the bulk
paths into the sharded table. Starts its own servers (tests/pg_nodes.py, durable
settings: fsync on) and stops them; prints one table, each figure beside the single
database's (the floor) and the ratio.

    python bench/bench_multinode.py [--workbook PATH] [--nodes 2] [--repeat 7]

The import goes through ``read_and_import`` as the application does, so its speed on
the sharded layout is that of whatever bulk path ``imports._insert`` uses (COPY is
routed to the foreign partitions one row per round trip on PostgreSQL 15).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger import query
from ledger.query.definitions import FIGURES
from ledger.store import sharding
from ledger.store.config import make_engine
from ledger.store.imports import read_and_import
from ledger.store.schema import init_db
from tests import pg_nodes
from ui.first_start import sample_workbook

BREAKDOWN_KEYS = ["labor.total", "labor.employed", "labor.poor_employed", "subsidy.total", "training.person_times"]
COPY_ROWS = 30_000


def _ms(fn, engine, repeat: int) -> float:
    fn(engine)  # warm: connections, the nodes' caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(engine)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _copy_rates(single_url: str, sharded_url: str, node_url: str) -> dict[str, float]:
    """Rows/s of COPY for one month of labourers: into the plain table, into the sharded
    parent (routed to the nodes), and straight into one node's table."""
    import psycopg

    def conninfo(url):
        u = make_engine(url).url
        return f"host={u.host} port={u.port} dbname={u.database} user={u.username}"

    with psycopg.connect(conninfo(single_url)) as src:
        cols = [r[0] for r in src.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'ledger_labor' "
            "AND column_name <> 'row_id' ORDER BY ordinal_position")]
        rows = src.execute(f"SELECT {', '.join(cols)} FROM ledger_labor LIMIT {COPY_ROWS}").fetchall()
    rates = {}
    for name, url, extra in (("plain table", single_url, False), ("sharded parent", sharded_url, False),
                             ("one node's table", node_url, True)):
        with psycopg.connect(conninfo(url)) as conn:
            names = (["row_id"] if extra else []) + cols
            start = time.perf_counter()
            with conn.cursor() as cur, cur.copy(f"COPY ledger_labor ({', '.join(names)}) FROM STDIN") as copy:
                for i, row in enumerate(rows):
                    copy.write_row(((10**12 + i,) if extra else ()) + tuple(row))
            rates[name] = len(rows) / (time.perf_counter() - start)
            conn.rollback()
    return rates


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workbook", type=Path)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    workbook = args.workbook or sample_workbook()

    clusters, root = pg_nodes.start(1 + args.nodes, fast=False)
    try:
        coordinator, *nodes = clusters
        single = make_engine(coordinator.create_database("single"))
        sharded = make_engine(coordinator.create_database("sharded"))
        node_urls = [n.create_database("ledger") for n in nodes]
        sharding.create_layout(sharded, node_urls)
        init_db(single)
        init_db(sharded)
        rows: list[tuple[str, float, float, str]] = []
        took = {}
        for name, engine in (("single", single), ("sharded", sharded)):
            start = time.perf_counter()
            out = read_and_import(engine, workbook, user="bench")
            took[name] = time.perf_counter() - start
            if not out.ok:
                print("import failed:", *out.errors[:10], sep="\n  ")
                return 1
        labor = sum(out.counts.get("labor", {}).values())
        rows.append(("import (s)", took["sharded"], took["single"], "s"))
        rows.append(("import (labourer rows/s)", labor / took["sharded"], labor / took["single"], "rows/s"))
        as_of = query.default_as_of(single)
        for label, fn in (
            (f"district figures ({len(FIGURES)} keys)", lambda e: query.figures(e, as_of)),
            ("by-township breakdown", lambda e: query.breakdown(e, BREAKDOWN_KEYS, as_of)),
            ("by-village breakdown", lambda e: query.breakdown(e, BREAKDOWN_KEYS, as_of, by="village")),
            ("one township's figures", lambda e: query.figures(e, as_of, township="庆远镇")),
        ):
            rows.append((f"{label} (ms, warm median)", _ms(fn, sharded, args.repeat), _ms(fn, single, args.repeat), "ms"))
        rates = _copy_rates(single.url.render_as_string(hide_password=False),
                            sharded.url.render_as_string(hide_password=False), node_urls[0])
        print(f"sample: {workbook}; {args.nodes} nodes; {labor:,} labourer rows; counts per node: {sharding.counts(sharded)}")
        print(f"| measure | sharded ({args.nodes} nodes) | single database (floor) | ratio |")
        print("|---|---:|---:|---:|")
        for label, got, floor, unit in rows:
            print(f"| {label} | {got:,.1f} | {floor:,.1f} | {got / floor:.2f} |")
        plain = rates["plain table"]
        for name, rate in rates.items():
            print(f"| COPY {COPY_ROWS:,} labourer rows into the {name} (rows/s) | {rate:,.0f} | {plain:,.0f} | {rate / plain:.2f} |")
        single.dispose()
        sharded.dispose()
    finally:
        pg_nodes.stop(clusters, root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
