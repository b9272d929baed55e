"""The command line: ``python -m ledger import|figures|history|restore|sample|template``.

Kept thin: each subcommand parses its arguments, calls the core, and prints. Heavy
modules are imported inside the subcommand that needs them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

from ledger.store.config import make_engine

MAX_LISTED = 200


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ledger", description="宜州区贫困劳动力就业台账")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="导入台账工作簿或CSV文件")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--db")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.add_argument("--user", help="导入人（默认：当前系统用户）")
    p.add_argument(
        "--by-township", action="store_true",
        help="乡镇报送：只替换文件中出现的乡镇在这些月份的数据，其他乡镇保持不变（默认整月替换）",
    )

    p = sub.add_parser("figures", help="输出各项指标")
    p.add_argument("--db")
    p.add_argument("--as-of", type=_date, help="截止日期 YYYY-MM-DD（默认：台账最新月份月末）")
    p.add_argument("--township")
    p.add_argument("--format", choices=["json", "csv", "table"], default="table")

    p = sub.add_parser("history", help="导入记录")
    p.add_argument("--db")

    p = sub.add_parser("restore", help="恢复到某次导入后（或之前）的状态")
    p.add_argument("import_id", type=int, metavar="IMPORT_ID")
    p.add_argument("--before", action="store_true", help="恢复到该次导入之前的状态")
    p.add_argument("--db")
    p.add_argument("--user")

    p = sub.add_parser("sample", help="生成示例台账工作簿")
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("template", help="生成空白台账模板")
    p.add_argument("--out", type=Path, required=True)

    sub.add_parser("format-doc", help="输出台账格式说明（Markdown）")

    p = sub.add_parser("briefing", help="生成工作简报（Word）或汇报幻灯片（PowerPoint）")
    p.add_argument("--as-of", type=_date, help="截止日期 YYYY-MM-DD（默认：台账最新月份月末）")
    p.add_argument("--township")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--format", choices=["docx", "pptx"], help="默认按 --out 的扩展名")
    p.add_argument("--db")

    args = parser.parse_args(argv)
    return COMMANDS[args.command](args)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text}") from None


def cmd_import(args) -> int:
    from ledger.store.imports import read_and_import
    from loaders import ERROR, NOTE, WARNING

    engine = make_engine(args.db)
    status = 0
    for path in args.paths:
        outcome = read_and_import(engine, path, user=args.user, dry_run=args.dry_run, by_township=args.by_township)
        print(f"== {path.name}")
        by_level = {level: [p for p in outcome.problems if p.level == level] for level in (ERROR, WARNING, NOTE)}
        if not outcome.ok:
            _print_problems(by_level[ERROR], "错误")
            # warnings and what was inferred too: one round of corrections fixes everything
            _print_problems(by_level[WARNING], "警告")
            _print_problems(by_level[NOTE], "说明（推断或跳过的内容）", lambda p: p.said)
            print(f"导入被拒绝：共 {len(outcome.errors)} 处错误，数据库未作任何改动。")
            status = 1
            continue
        for sheet, periods in outcome.counts.items():
            listed = "，".join(f"{p or '全部'} {n}行" for p, n in periods.items())
            print(f"{_sheet_name(sheet)}：{listed}")
        _print_problems(by_level[NOTE], "说明（推断或跳过的内容，请核对）", lambda p: p.said)
        _print_problems(by_level[WARNING], "警告")
        if args.dry_run:
            print(f"检查通过（未写入）：将替换 {len(outcome.changed)} 个（表, 月份），{len(outcome.unchanged)} 个无变化。")
        elif outcome.log_id is None:
            print("内容与已导入的数据相同，无变化。")
        else:
            print(f"导入成功（记录号 {outcome.log_id}）：替换 {len(outcome.changed)} 个（表, 月份），{len(outcome.unchanged)} 个无变化。")
    return status


def _sheet_name(key: str) -> str:
    from loaders.spec import SHEETS_BY_KEY

    return SHEETS_BY_KEY[key].name


def _print_problems(problems, title: str, text=str) -> None:
    if not problems:
        return
    print(f"{title}（{len(problems)}）：")
    for p in problems[:MAX_LISTED]:
        print(f"  {text(p)}")
    if len(problems) > MAX_LISTED:
        print(f"  ……另有 {len(problems) - MAX_LISTED} 处未列出。按类别统计：")
        for (sheet, column, message), n in Counter((p.sheet, p.column, p.message) for p in problems).most_common(20):
            print(f"  工作表“{sheet}”“{column}”列：{message} × {n}")


def _number(value):
    """JSON numbers: integers stay integers, money keeps at most two decimals."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value.quantize(Decimal("0.01")))
    return value


def _township(engine, name: str | None):
    """The canonical name of ``--township`` (any accepted spelling), None for the whole
    district, or False after telling the user the name is unknown."""
    if not name:
        return None
    import loaders
    from ledger.store.townships import stored_townships, township_names
    from loaders.townships import TownshipResolver

    with engine.connect() as conn:
        stored = stored_townships(conn)
    township = TownshipResolver(stored or loaders.DEFAULT_TOWNSHIPS).resolve(name)
    if township is None:
        print(f"未知乡镇：{name}（应为{'、'.join(township_names(engine))}之一）", file=sys.stderr)
        return False
    return township


def cmd_figures(args) -> int:
    from ledger.present.format import show
    from ledger.query.definitions import BY_KEY
    from ledger.query.statements import figures
    from ledger.store.schema import init_db

    engine = make_engine(args.db)
    init_db(engine)
    township = _township(engine, args.township)
    if township is False:
        return 2
    fs = figures(engine, args.as_of, township=township)
    if args.format == "json":
        doc = {
            "as_of": fs.as_of.isoformat() if fs.as_of else None,
            "township": township,
            "figures": {k: _number(v) for k, v in fs.values.items()},
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["key", "label", "value", "unit"])
        for key, value in fs.values.items():
            writer.writerow([key, BY_KEY[key].label, "" if value is None else _number(value), BY_KEY[key].unit])
        sys.stdout.write(out.getvalue())
    else:
        print(f"截止日期：{fs.as_of or '（台账为空）'}　范围：{township or '全区'}")
        for key, value in fs.values.items():
            print(f"  {BY_KEY[key].label:<24}\t{show(BY_KEY[key], value)}\t({key})")
    return 0


def cmd_history(args) -> int:
    from ledger.store.history import history, import_status

    engine = make_engine(args.db)
    rows, status = history(engine), import_status(engine)
    if not rows:
        print("尚无导入记录。")
    for r in rows:
        counts = "；".join(
            f"{_sheet_name(s)} " + "、".join(f"{p or '全部'}:{n}" for p, n in periods.items())
            for s, periods in r["row_counts"].items()
        )
        what = r["filename"] if r["kind"] == "import" else r["note"]
        sha = (r["sha256"] or "")[:12]
        state = status.get(r["id"], "")
        print(f"#{r['id']}\t{r['created_at']}\t{r['created_by']}\t{r['kind']}\t{state}\t{what}\t{sha}\t{counts}")
        for line in r["inferred"]:
            print(f"\t说明：{line}")
    return 0


def cmd_restore(args) -> int:
    from ledger.store.history import restore

    try:
        new_id = restore(make_engine(args.db), args.import_id, before=args.before, user=args.user)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 1
    if new_id is None:
        print("当前数据已是该状态，无需恢复。")
    else:
        print(f"已恢复（记录号 {new_id}）。")
    return 0


def cmd_sample(args) -> int:
    from sample_data.generate import write_workbook

    path = write_workbook(args.out)
    print(f"示例台账已写入 {path}")
    return 0


def cmd_template(args) -> int:
    from loaders.template import write_template

    path = write_template(args.out)
    print(f"空白模板已写入 {path}")
    return 0


def cmd_format_doc(args) -> int:
    from loaders.template import format_markdown

    sys.stdout.write(format_markdown())
    return 0


def cmd_briefing(args) -> int:
    from ledger.store.schema import init_db

    fmt = args.format or ("pptx" if args.out.suffix.lower() == ".pptx" else "docx")
    engine = make_engine(args.db)
    init_db(engine)
    township = _township(engine, args.township)
    if township is False:
        return 2
    if fmt == "pptx":
        from exports.slides import slides_pptx

        data = slides_pptx(engine, args.as_of, township=township)
    else:
        from exports.briefing import briefing_docx

        data = briefing_docx(engine, args.as_of, township=township)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"{'汇报幻灯片' if fmt == 'pptx' else '工作简报'}已写入 {args.out}")
    return 0


COMMANDS = {
    "briefing": cmd_briefing,
    "format-doc": cmd_format_doc,
    "import": cmd_import,
    "figures": cmd_figures,
    "history": cmd_history,
    "restore": cmd_restore,
    "sample": cmd_sample,
    "template": cmd_template,
}
