"""The detail tables spread over several PostgreSQL servers, the application unchanged.

Run once on an empty coordinator database, before anything else touches it
(``init_db`` then finds the sharded tables present and creates only the rest):

    python -m ledger.store.sharding --db postgresql+psycopg://coord/ledger \\
        --nodes postgresql+psycopg://node1/ledger,postgresql+psycopg://node2/ledger

Each ``ledger_<sheet>`` table of ``SHARDED`` becomes, on the coordinator, a table
partitioned by hash of its shard key whose partitions are ``postgres_fdw`` foreign
tables, one per node, each a plain table of the same name on its node. Everything
else (history, slices, accounts, the append-only audit log and its triggers, the
township list, and any table a later version's ``init_db`` adds, such as summaries)
is an ordinary table on the coordinator. The shard key is the township: the ledger
has no district column, and every district has townships of its own, so a township's
rows, and a district's too when its townships hash alike, sit on one node and a
``GROUP BY township`` is computed there whole. ``demand`` has no township and is
spread by its row id; ``townships`` is the small dimension every query reads and
stays local. What needed care, and what postgres_fdw does not give (atomic commit
across nodes): docs/scale.md, "多节点（分布式）数据库".
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import Engine, MetaData, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateColumn

from ledger.store.schema import DATA, lock_for_writing, slices

LOCAL_SHEETS = ("townships",)  # read by every query, a few rows per district
SHARDED = {sheet: ("township" if "township" in t.c else "row_id") for sheet, t in DATA.items() if sheet not in LOCAL_SHEETS}

# postgres_fdw options of every node's server: rows fetched per round trip, rows sent
# per remote INSERT (by an INSERT … SELECT into a foreign partition; COPY in PostgreSQL
# 15 sends one row per round trip whatever this says, see docs/scale.md), nodes scanned
# at once by an Append, and the nodes' commits sent together at the end of a transaction.
SERVER_OPTIONS = {"fetch_size": "10000", "batch_size": "1000", "async_capable": "true", "parallel_commit": "true"}
# The coordinator's planner settings: a GROUP BY on the shard key goes to the nodes
# whole (without them PostgreSQL 15 aggregates the nodes' rows itself).
PLANNER = {"enable_partitionwise_aggregate": "on", "enable_partitionwise_join": "on"}


def server_name(i: int) -> str:
    return f"ledger_node_{i + 1}"


def partition_name(sheet: str, i: int) -> str:
    return f"{DATA[sheet].name}_n{i + 1}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _options(values: dict) -> str:
    return ", ".join(f"{k} {_literal(v)}" for k, v in values.items())


def _node_tables(node: Engine) -> None:
    """The detail tables on a node, as the coordinator's ``init_db`` would make them
    (columns, primary key on the row id, the period index), less the row id's own
    sequence: ids come from the coordinator's, so they are unique across nodes."""
    md = MetaData()
    tables = [DATA[s].to_metadata(md) for s in SHARDED]
    md.create_all(node, tables=tables)
    with node.begin() as conn:
        for t in tables:
            conn.exec_driver_sql(f"ALTER TABLE {_quote(t.name)} ALTER COLUMN row_id DROP DEFAULT, "
                                 "ALTER COLUMN row_id TYPE BIGINT")
            conn.exec_driver_sql(f"DROP SEQUENCE IF EXISTS {_quote(t.name + '_row_id_seq')}")


def _parent_sql(sheet: str, dialect, nodes: int) -> list[str]:
    """The partitioned table on the coordinator and its foreign partitions. No primary
    key: PostgreSQL cannot keep a unique index across foreign partitions (each node's
    table has its own); the row id's default is the coordinator's sequence, evaluated
    before a row is routed, so it is unique everywhere."""
    t = DATA[sheet]
    seq = f"{t.name}_row_id_seq"
    cols = []
    for c in t.columns:
        if c.name == "row_id":
            cols.append(f"row_id BIGINT NOT NULL DEFAULT nextval({_literal(seq)}::regclass)")
        else:
            cols.append(str(CreateColumn(c).compile(dialect=dialect)))
    sql = [
        f"CREATE SEQUENCE {_quote(seq)} AS bigint",
        f"CREATE TABLE {_quote(t.name)} ({', '.join(cols)}) PARTITION BY HASH ({_quote(SHARDED[sheet])})",
        f"ALTER SEQUENCE {_quote(seq)} OWNED BY {_quote(t.name)}.row_id",
    ]
    for i in range(nodes):
        sql.append(
            f"CREATE FOREIGN TABLE {_quote(partition_name(sheet, i))} PARTITION OF {_quote(t.name)} "
            f"FOR VALUES WITH (MODULUS {nodes}, REMAINDER {i}) SERVER {server_name(i)} "
            f"OPTIONS (schema_name 'public', table_name {_literal(t.name)})"
        )
    return sql


def create_layout(coordinator: Engine, nodes: list[str]) -> None:
    """Make the sharded layout on an empty coordinator and its nodes (empty databases
    that exist). Refuses a coordinator that already has a detail table: moving a filled
    store is a dump and a re-import (docs/scale.md)."""
    if coordinator.dialect.name != "postgresql":
        raise ValueError("分片布局只支持 PostgreSQL（协调库和各节点）")
    if len(nodes) < 1:
        raise ValueError("至少需要一个节点")
    with coordinator.connect() as conn:
        present = [t.name for t in DATA.values() if coordinator.dialect.has_table(conn, t.name)]
    if present:
        raise ValueError(f"协调库已有台账表（{', '.join(present)}），分片布局只能建在空库上")
    from ledger.store.config import make_engine

    for url in nodes:
        node = make_engine(url)
        try:
            if node.dialect.name != "postgresql":
                raise ValueError(f"节点必须是 PostgreSQL：{make_url(url).render_as_string()}")
            _node_tables(node)
        finally:
            node.dispose()
    with coordinator.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
        for i, url in enumerate(nodes):
            u = make_url(url)
            where = {"host": u.host or "localhost", "port": str(u.port or 5432), "dbname": u.database or "postgres"}
            conn.exec_driver_sql(f"CREATE SERVER {server_name(i)} FOREIGN DATA WRAPPER postgres_fdw "
                                 f"OPTIONS ({_options(where | SERVER_OPTIONS)})")
            login = {"user": u.username or "postgres"} | ({"password": u.password} if u.password else {})
            conn.exec_driver_sql(f"CREATE USER MAPPING FOR PUBLIC SERVER {server_name(i)} OPTIONS ({_options(login)})")
        for sheet in SHARDED:
            for sql in _parent_sql(sheet, conn.dialect, len(nodes)):
                conn.exec_driver_sql(sql)
        database = conn.exec_driver_sql("SELECT current_database()").scalar()
        for name, value in PLANNER.items():
            conn.exec_driver_sql(f"ALTER DATABASE {_quote(database)} SET {name} = {value}")
    coordinator.dispose()  # the database's settings apply to connections opened from now on


def counts(coordinator: Engine, sheet: str = "labor") -> dict[str, int]:
    """Rows of ``sheet`` on each node, read through its foreign partition."""
    out = {}
    with coordinator.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM pg_inherits WHERE inhparent = CAST(:t AS regclass)"),
                         {"t": DATA[sheet].name}).scalar()
        for i in range(n):
            out[server_name(i)] = conn.execute(text(f"SELECT count(*) FROM {_quote(partition_name(sheet, i))}")).scalar()
    return out


def check(coordinator: Engine) -> list[tuple[str, str, tuple, tuple]]:
    """Slices whose current rows on the nodes disagree with the coordinator's
    ``ledger_slices``: (sheet, period, (import_id, rows) wanted, what is there). Empty
    after every complete import or restore; not empty only when a node committed and
    another (or the coordinator) did not: postgres_fdw has no two-phase commit."""
    wrong = []
    with coordinator.connect() as conn:
        want = {(r.sheet, r.period): (r.import_id, r.row_count)
                for r in conn.execute(select(slices)) if r.sheet in SHARDED}
        for sheet in SHARDED:
            t = DATA[sheet]
            stmt = select(t.c.period, t.c.import_id, func.count()).where(t.c.is_current).group_by(t.c.period, t.c.import_id)
            have: dict[str, list] = {}
            for period, import_id, n in conn.execute(stmt):
                have.setdefault(period, []).append((import_id, n))
            for period in sorted({p for s, p in want if s == sheet} | set(have)):
                wanted = want.get((sheet, period), (None, 0))
                found = tuple(sorted(have.get(period, [])))
                if found != ((wanted,) if wanted[1] else ()):
                    wrong.append((sheet, period, wanted, found))
    return wrong


def repair(coordinator: Engine) -> int:
    """Make each slice ``check`` finds wrong current as ``ledger_slices`` says (the
    coordinator's record is the one that commits last, so it is the truth); returns
    the slices repaired. Runs under the write lock, like an import."""
    wrong = check(coordinator)
    with coordinator.begin() as conn:
        lock_for_writing(conn)
        for sheet, period, (import_id, _rows), _found in wrong:
            t = DATA[sheet]
            conn.execute(update(t).where(t.c.period == period, t.c.is_current).values(is_current=False))
            if import_id is not None:
                conn.execute(update(t).where(t.c.period == period, t.c.import_id == import_id).values(is_current=True))
    return len(wrong)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ledger.store.sharding",
                                     description="PostgreSQL 分片布局：明细表分布到各节点（docs/scale.md）")
    parser.add_argument("--db", required=True, help="协调库地址，postgresql+psycopg://…")
    parser.add_argument("--nodes", help="建立布局：各节点地址（空库），以逗号分隔；协调库须为空库")
    parser.add_argument("--check", action="store_true", help="核对各节点的当前行与协调库的导入记录是否一致")
    parser.add_argument("--repair", action="store_true", help="按协调库的导入记录修复不一致的表和月份")
    args = parser.parse_args(argv)
    from ledger.store.config import make_engine

    engine = make_engine(args.db)
    try:
        if args.nodes:
            nodes = [n.strip() for n in args.nodes.split(",") if n.strip()]
            create_layout(engine, nodes)
            print(f"已建立分片布局：{len(SHARDED)} 张明细表，{len(nodes)} 个节点")
        if args.repair:
            print(f"已修复 {repair(engine)} 个表和月份")
        if args.check or not (args.nodes or args.repair):
            wrong = check(engine)
            for sheet, period, wanted, found in wrong:
                print(f"不一致：{DATA[sheet].name} {period} 应为 {wanted}，实际 {found}")
            print("各节点与导入记录一致" if not wrong else f"{len(wrong)} 处不一致（--repair 修复）")
            return 1 if wrong else 0
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

