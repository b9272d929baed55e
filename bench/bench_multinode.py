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
from ledger.store import sharding
from ledger.store.config import make_engine
from ledger.store.figures import FIGURES
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


def _conninfo(url: str) -> str:
    u = make_engine(url).url
    return f"host={u.host} port={u.port} dbname={u.database} user={u.username}"


def _write_rates(single_url: str, sharded_url: str, node_url: str, nodes: int) -> dict[str, float]:
    """Rows/s of each way to write one month of labourers (rolled back after): COPY into
    the plain table; into the sharded parent (routed to the nodes one row per round
    trip); executemany of single-row INSERTs into the parent (what ``imports._insert``
    did before COPY; on a tenth of the rows); COPY into a temporary table then one
    INSERT … SELECT per foreign partition (batched by ``batch_size``); COPY straight
    into one node's table."""
    import psycopg

    with psycopg.connect(_conninfo(single_url)) as src:
        cols = [r[0] for r in src.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'ledger_labor' "
            "AND column_name <> 'row_id' ORDER BY ordinal_position")]
        rows = src.execute(f"SELECT {', '.join(cols)} FROM ledger_labor LIMIT {COPY_ROWS}").fetchall()
    names = ", ".join(cols)

    def copy(conn, table, with_id=False):
        head = "row_id, " if with_id else ""
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({head}{names}) FROM STDIN") as out:
            for i, row in enumerate(rows):
                out.write_row(((10**12 + i,) if with_id else ()) + tuple(row))

    def staged(conn):
        conn.execute(f"CREATE TEMP TABLE stage AS SELECT {names} FROM ledger_labor LIMIT 0")
        copy(conn, "stage")
        for i in range(nodes):
            conn.execute(f"INSERT INTO {sharding.partition_name('labor', i)} (row_id, {names}) "
                         f"SELECT nextval('ledger_labor_row_id_seq'), {names} FROM stage "
                         f"WHERE satisfies_hash_partition('ledger_labor'::regclass, {nodes}, {i}, township)")

    def many(conn):
        marks = ", ".join(["%s"] * len(cols))
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO ledger_labor ({names}) VALUES ({marks})", rows[: len(rows) // 10])

    rates = {}
    for name, url, write, n in (
        ("COPY into the plain table", single_url, lambda c: copy(c, "ledger_labor"), len(rows)),
        ("COPY into the sharded parent", sharded_url, lambda c: copy(c, "ledger_labor"), len(rows)),
        ("executemany INSERT into the sharded parent", sharded_url, many, len(rows) // 10),
        ("COPY into a temporary table, INSERT … SELECT per foreign partition", sharded_url, staged, len(rows)),
        ("COPY straight into one node's table", node_url, lambda c: copy(c, "ledger_labor", True), len(rows)),
    ):
        with psycopg.connect(_conninfo(url)) as conn:
            start = time.perf_counter()
            write(conn)
            rates[name] = n / (time.perf_counter() - start)
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
        rates = _write_rates(single.url.render_as_string(hide_password=False),
                             sharded.url.render_as_string(hide_password=False), node_urls[0], args.nodes)
        print(f"sample: {workbook}; {args.nodes} nodes; {labor:,} labourer rows; counts per node: {sharding.counts(sharded)}")
        print(f"| measure | sharded ({args.nodes} nodes) | single database (floor) | ratio |")
        print("|---|---:|---:|---:|")
        for label, got, floor, unit in rows:
            print(f"| {label} | {got:,.1f} | {floor:,.1f} | {got / floor:.2f} |")
        plain = rates["COPY into the plain table"]
        for name, rate in rates.items():
            print(f"| {name}, labourer rows/s | {rate:,.0f} | {plain:,.0f} | {rate / plain:.2f} |")
        single.dispose()
        sharded.dispose()
    finally:
        pg_nodes.stop(clusters, root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
