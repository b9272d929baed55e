"""The command line: ``python -m ledger import|figures|history|restore|retention|users|
password|briefing|sample|template|format-doc``.

Kept thin: each subcommand parses its arguments, signs the user in, calls the core, and
prints. Heavy modules are imported inside the subcommand that needs them.

Who may do what (docs/deploy.md): on a store that has accounts, every command that
reads or writes the ledger takes ``--user LOGIN`` (the password from $LEDGER_PASSWORD
or a prompt; ``accounts.authenticate``: slowed down, locked after repeated failures,
audited) and runs with that account's rights: its townships only, and writing
(import, restore, retention, users) for a 数据管理员 only. A store with no account yet
is being set up by its operator, who can already open the database itself: there
every command runs as the operating-system user, and the first ``users add`` must
make a 数据管理员. What is printed is masked (``access.masking``) unless a
数据管理员 asks ``--unmasked``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import io
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ledger.access import accounts, audit
from ledger.access.masking import mask_frame, mask_message
from ledger.access.roles import ADMIN, REVEAL, role
from ledger.access.scope import ALL, Scope
from ledger.store.config import make_engine

MAX_LISTED = 200
PASSWORD_VAR = "LEDGER_PASSWORD"
NEW_PASSWORD_VAR = "LEDGER_NEW_PASSWORD"
# Exit statuses: 0 done, 1 rejected (a file with errors, a restore that cannot be
# done), 2 a wrong argument (an unknown township), 3 refused (credentials or rights).
REFUSED = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ledger", description="宜州区贫困劳动力就业台账")
    sub = parser.add_subparsers(dest="command", required=True)

    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--db", help="数据库地址（默认：$LEDGER_DB_URL、secrets.toml 或 data/ledger.db）")
    store.add_argument("--user", metavar="LOGIN",
                       help=f"账号（数据库已有账号时必填；密码取自环境变量 {PASSWORD_VAR}，未设置时提示输入）")
    unmasked = argparse.ArgumentParser(add_help=False)
    unmasked.add_argument("--unmasked", action="store_true", help="不脱敏显示身份证号、电话、姓名（仅限数据管理员）")

    p = sub.add_parser("import", parents=[store, unmasked], help="导入台账工作簿或CSV文件（数据管理员）")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.add_argument(
        "--by-township", action="store_true",
        help="乡镇报送：只替换文件中出现的乡镇在这些月份的数据，其他乡镇保持不变（默认整月替换）",
    )

    p = sub.add_parser("figures", parents=[store], help="输出各项指标（本账号范围内）")
    p.add_argument("--as-of", type=_date, help="截止日期 YYYY-MM-DD（默认：台账最新月份月末）")
    p.add_argument("--township", help="乡镇（乡镇负责人默认本乡镇，不能查看其他乡镇）")
    p.add_argument("--format", choices=["json", "csv", "table"], default="table")

    sub.add_parser("history", parents=[store, unmasked], help="导入记录（数据管理员）")

    p = sub.add_parser("restore", parents=[store], help="恢复到某次导入后（或之前）的状态（数据管理员）")
    p.add_argument("import_id", type=int, metavar="IMPORT_ID")
    p.add_argument("--before", action="store_true", help="恢复到该次导入之前的状态")
    p.add_argument("--reason", required=True, help="恢复的原因（记入审计日志）")

    p = sub.add_parser("retention", parents=[store], help="清理超过保留期限的旧版本数据（数据管理员）")
    p.add_argument("--days", type=_days, required=True, metavar="N",
                   help="删除N天前已被替换、且没有报送冻结仍在使用的旧版本")
    p.add_argument("--dry-run", action="store_true", help="只列出将删除的内容，不删除")

    p = sub.add_parser("summaries", parents=[store], help="核对或重建汇总表（数据管理员）")
    p.add_argument("--rebuild", action="store_true", help="按明细重新生成全部汇总表")

    p = sub.add_parser("users", help="账号管理（数据管理员；数据库尚无账号时先建数据管理员）")
    users = p.add_subparsers(dest="users_command", required=True)
    u = users.add_parser("add", parents=[store], help="新增账号，输出一次性密码")
    u.add_argument("login", metavar="LOGIN")
    u.add_argument("--name", required=True, help="姓名")
    u.add_argument("--role", required=True, help="admin|leader|township|writer（或中文角色名）")
    u.add_argument("--township", action="extend", nargs="+", default=[], help="所管乡镇（乡镇负责人必填，可多个）")
    users.add_parser("list", parents=[store, unmasked], help="列出全部账号")
    for name, what in (("disable", "停用账号（其会话随即失效）"), ("enable", "重新启用账号"),
                       ("reset-password", "重置密码，输出一次性密码")):
        users.add_parser(name, parents=[store], help=what).add_argument("login", metavar="LOGIN")
    u = users.add_parser("grant", parents=[store], help="修改账号的角色和/或所管乡镇")
    u.add_argument("login", metavar="LOGIN")
    u.add_argument("--role", help="admin|leader|township|writer")
    u.add_argument("--township", action="extend", nargs="+", help="所管乡镇（替换原有的）")

    p = sub.add_parser("password", parents=[store], help="修改本人密码（首次登录前须先修改初始密码）")

    p = sub.add_parser("sample", help="生成示例台账工作簿（--scale N：N个区县，写成工作簿或直接写入数据库）")
    p.add_argument("--out", type=Path, help="输出 .xlsx（不加 --scale）；加 --scale 时为文件夹，每个区县一个工作簿")
    p.add_argument("--scale", type=int, metavar="N", help="区县份数：第1份为宜州区，其余各有自己的乡镇、村和人员（1—999）")
    p.add_argument("--db", help="直接写入这个（空的）数据库，不经工作簿：适合一个工作簿容纳不下的规模")
    p.add_argument("--user", metavar="LOGIN", help="账号（数据库已有账号时必填，须为数据管理员）")
    p.add_argument("--labourers", type=int, metavar="N", help="每个区县的劳动力人数（默认30000，至少12000；只用于 --scale）")

    p = sub.add_parser("template", help="生成空白台账模板")
    p.add_argument("--out", type=Path, required=True)

    sub.add_parser("format-doc", help="输出台账格式说明（Markdown）")

    p = sub.add_parser("briefing", parents=[store], help="生成工作简报（Word）或汇报幻灯片（PowerPoint）")
    p.add_argument("--as-of", type=_date, help="截止日期 YYYY-MM-DD（默认：台账最新月份月末）")
    p.add_argument("--township", help="乡镇（乡镇负责人默认本乡镇，不能查看其他乡镇）")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--format", choices=["docx", "pptx"], help="默认按 --out 的扩展名")

    args = parser.parse_args(argv)
    command = args.command if args.command != "users" else f"users {args.users_command}"
    try:
        return COMMANDS[command](args)
    except Refused as exc:
        print(exc.args[0], file=sys.stderr)
        return REFUSED


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text}") from None


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(f"天数应为不小于0的整数：{text}")
    return days


# --- who is running the command ----------------------------------------------------------


class Refused(Exception):
    """A command not run for want of credentials or rights; the message says why (Chinese)."""


@dataclass(frozen=True)
class Who:
    """The signed-in account, or (``account`` None) the operator of a store that has no
    account yet, running as the operating-system user ``os_user``."""

    account: accounts.Account | None
    os_user: str

    @property
    def login(self) -> str | None:
        return self.account.login if self.account else None

    @property
    def role(self) -> str | None:
        return self.account.role.key if self.account else None

    @property
    def scope(self) -> Scope:
        return self.account.scope if self.account else ALL

    @property
    def personal(self) -> str:
        """How much of a person an export may show: the role's; the operator's masked."""
        return self.account.role.personal if self.account else REVEAL

    @property
    def label(self) -> str:
        return self.account.label if self.account else f"{self.os_user}（系统用户，数据库尚无账号）"

    @property
    def author(self) -> str:
        """Who the history names as having imported or restored."""
        return self.account.login if self.account else self.os_user


def _os_user() -> str:
    from ledger.store.imports import current_user

    return current_user()


def _password(prompt: str, variable: str = PASSWORD_VAR) -> str:
    value = os.environ.get(variable)
    if value:
        return value
    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        raise Refused(f"未输入密码（也可设置环境变量 {variable}）。") from None


def _who(engine, args, *, page: str | None = None, manage: bool = False) -> Who:
    """Sign ``--user`` in, or let the operator of an account-less store through; refuse
    an account that may not open ``page`` or, with ``manage``, is not a 数据管理员."""
    if accounts.count(engine) == 0:
        if args.user:
            raise Refused("该数据库尚无任何账号，无法验证 --user。请先建立数据管理员："
                          "python -m ledger users add 账号 --name 姓名 --role admin；在此之前命令以当前系统用户身份运行。")
        return Who(None, _os_user())
    if not args.user:
        raise Refused(f"该数据库已启用账号：请用 --user 账号 登录（密码取自环境变量 {PASSWORD_VAR}，未设置时提示输入）。")
    try:
        account = accounts.authenticate(engine, args.user, _password(f"{args.user} 的密码："), via="命令行")
    except accounts.AccessError as exc:
        raise Refused(str(exc)) from None
    who = Who(account, _os_user())
    if account.must_change:
        raise Refused(f"须先修改初始密码：python -m ledger password --user {account.login}")
    if manage and not account.role.manage:
        _refuse(engine, who, args, f"该操作须由数据管理员执行（本账号为{account.role.name}）。")
    if page is not None and not account.may_open(page):
        _refuse(engine, who, args, f"{account.role.name}无权使用该功能。")
    return who


def _refuse(engine, who: Who, args, reason: str):
    """Refuse, and say so in the audit log (an account asked for more than it may)."""
    _log(engine, who, "refused", f"命令行 {args.command}", reason)
    raise Refused(reason)


def _log(engine, who: Who, action: str, target: str | None = None, detail: str | None = None) -> None:
    """An audit entry for the account, or, before any account exists, naming the OS user."""
    if who.account is None:
        detail = "；".join(x for x in (detail, f"系统用户 {who.os_user}（数据库尚无账号）") if x)
    audit.record(engine, action, login=who.login, role=who.role, target=target, detail=detail)


def _masking(engine, who: Who, args) -> bool:
    """Whether to mask what is printed: always, unless a 数据管理员 asks ``--unmasked``."""
    if not getattr(args, "unmasked", False):
        return True
    if who.account is None or not who.account.role.manage:
        if who.account is None:
            raise Refused("--unmasked 仅限数据管理员账号（--user），该数据库尚无账号。")
        _refuse(engine, who, args, "--unmasked 仅限数据管理员账号。")
    return False


def _place(engine, args, who: Who):
    """The township asked for (canonical), the account's own when it has one and none
    was asked, None for the whole district (or all of several own townships), or False
    after telling the user the name is unknown. Another township than its own: refused."""
    township = _township(engine, args.township, who.scope)
    if township is False:
        return False
    if township is not None and not who.scope.allows(township):
        own = "、".join(sorted(who.scope.townships or ()))
        _refuse(engine, who, args, f"无权查看{township}的数据（本账号范围：{own}）。")
    if township is None and not who.scope.is_district and len(who.scope.townships) == 1:
        (township,) = who.scope.townships
    return township


def _scope_text(scope: Scope, township: str | None) -> str:
    if township:
        return township
    return "全区" if scope.is_district else "、".join(sorted(scope.townships))


# --- the ledger --------------------------------------------------------------------------


def cmd_import(args) -> int:
    from ledger.store.imports import read_and_import
    from loaders import ERROR, NOTE, WARNING

    engine = make_engine(args.db)
    who = _who(engine, args, manage=True)
    shown = mask_message if _masking(engine, who, args) else str
    status, imported = 0, False
    for path in args.paths:
        outcome = read_and_import(engine, path, user=who.author, dry_run=args.dry_run, by_township=args.by_township)
        print(f"== {path.name}")
        by_level = {level: [p for p in outcome.problems if p.level == level] for level in (ERROR, WARNING, NOTE)}
        if not outcome.ok:
            _print_problems(by_level[ERROR], "错误", shown)
            # warnings and what was inferred too: one round of corrections fixes everything
            _print_problems(by_level[WARNING], "警告", shown)
            _print_problems(by_level[NOTE], "说明（推断或跳过的内容）", shown, lambda p: p.said)
            print(f"导入被拒绝：共 {len(outcome.errors)} 处错误，数据库未作任何改动。")
            if not args.dry_run:
                _log(engine, who, "import", path.name, f"被拒绝：{len(outcome.errors)} 处错误")
            status = 1
            continue
        for sheet, periods in outcome.counts.items():
            listed = "，".join(f"{p or '全部'} {n}行" for p, n in periods.items())
            print(f"{_sheet_name(sheet)}：{listed}")
        _print_problems(by_level[NOTE], "说明（推断或跳过的内容，请核对）", shown, lambda p: p.said)
        _print_problems(by_level[WARNING], "警告", shown)
        changed = f"替换 {len(outcome.changed)} 个（表, 月份），{len(outcome.unchanged)} 个无变化"
        if args.dry_run:
            print(f"检查通过（未写入）：将{changed}。")
        elif outcome.log_id is None:
            print("内容与已导入的数据相同，无变化。")
            _log(engine, who, "import", path.name, "内容与已导入的数据相同，无变化")
        else:
            print(f"导入成功（记录号 {outcome.log_id}）：{changed}。")
            _log(engine, who, "import", path.name,
                 f"记录号 {outcome.log_id}：{changed}{'（按乡镇替换）' if args.by_township else ''}")
            imported = True
    if imported:
        _run_quality_checks(engine)
    return status


def _run_quality_checks(engine) -> None:
    """The 13 quality checks and the district's year-to-date counts once data has
    changed (an import, a restore), as the pages run them (``prepared.after_change``):
    the pages then open from what they keep instead of running them on the detail (half
    a minute at a province's scale). A failure leaves the change standing."""
    from ledger.query import quality
    from ledger.query.prepared import after_change

    print("正在做数据质量检查……", flush=True)
    try:
        found = after_change(engine)
    except Exception as exc:  # noqa: BLE001 (the import stands; the page runs the checks again)
        print(f"数据质量检查没有完成（{type(exc).__name__}），打开“数据质量”页面时会重新检查。", file=sys.stderr)
        return
    print(f"数据质量检查完成：{len(quality.CHECKS)} 项检查，{int((found['问题数'] > 0).sum())} 项发现问题"
          "（详见“数据质量”页面）。")


def _sheet_name(key: str) -> str:
    from loaders.spec import SHEETS_BY_KEY

    return SHEETS_BY_KEY[key].name


def _print_problems(problems, title: str, shown=str, text=str) -> None:
    """Each problem as ``text`` says it, through ``shown`` (the masking, or str)."""
    if not problems:
        return
    print(f"{title}（{len(problems)}）：")
    for p in problems[:MAX_LISTED]:
        print(f"  {shown(text(p))}")
    if len(problems) > MAX_LISTED:
        print(f"  ……另有 {len(problems) - MAX_LISTED} 处未列出。按类别统计：")
        for (sheet, column, message), n in Counter((p.sheet, p.column, p.message) for p in problems).most_common(20):
            print(f"  工作表“{sheet}”“{column}”列：{shown(message)} × {n}")


def _number(value):
    """JSON numbers: integers stay integers, money keeps at most two decimals."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value.quantize(Decimal("0.01")))
    return value


def _township(engine, name: str | None, scope: Scope = ALL):
    """The canonical name of ``--township`` (any accepted spelling), None for the whole
    district, or False after telling the user the name is unknown (naming the ones the
    account may ask for)."""
    if not name:
        return None
    import loaders
    from ledger.store.townships import stored_townships, township_names
    from loaders.townships import TownshipResolver

    with engine.connect() as conn:
        stored = stored_townships(conn)
    township = TownshipResolver(stored or loaders.DEFAULT_TOWNSHIPS).resolve(name)
    if township is None:
        names = township_names(engine) if scope.is_district else sorted(scope.townships)
        print(f"未知乡镇：{name}（应为{'、'.join(names)}之一）", file=sys.stderr)
        return False
    return township


def cmd_figures(args) -> int:
    from ledger.present.format import show
    from ledger.query.request import Request, figures
    from ledger.store.figures import BY_KEY

    engine = make_engine(args.db)
    who = _who(engine, args, page="overview")
    township = _place(engine, args, who)
    if township is False:
        return 2
    fs = figures(engine, Request(args.as_of, township, scope=who.scope, personal=who.personal, viewer=who.label))
    if args.format == "json":
        doc = {
            "as_of": fs.as_of.isoformat() if fs.as_of else None,
            "township": township,
            # the townships the figures cover when not one township: None, the district
            "scope": None if township or who.scope.is_district else sorted(who.scope.townships),
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
        print(f"截止日期：{fs.as_of or '（台账为空）'}　范围：{_scope_text(who.scope, township)}")
        for key, value in fs.values.items():
            print(f"  {BY_KEY[key].label:<24}\t{show(BY_KEY[key], value)}\t({key})")
    return 0


def cmd_history(args) -> int:
    from ledger.store.history import history, import_status

    engine = make_engine(args.db)
    who = _who(engine, args, page="history")
    shown = mask_message if _masking(engine, who, args) else str
    rows, status = history(engine), import_status(engine)
    if not rows:
        print("尚无导入记录。")
    for r in rows:
        counts = "；".join(
            f"{_sheet_name(s)} " + "、".join(f"{p or '全部'}:{n}" for p, n in periods.items())
            for s, periods in r["row_counts"].items()
        )
        what = shown(r["filename"] if r["kind"] == "import" else r["note"] or "")
        sha = (r["sha256"] or "")[:12]
        state = status.get(r["id"], "")
        print(f"#{r['id']}\t{r['created_at']}\t{r['created_by']}\t{r['kind']}\t{state}\t{what}\t{sha}\t{counts}")
        for line in r["inferred"]:
            print(f"\t说明：{shown(line)}")
    return 0


def cmd_restore(args) -> int:
    from ledger.store.history import restore

    engine = make_engine(args.db)
    who = _who(engine, args, manage=True)
    reason = args.reason.strip()
    if not reason:
        raise Refused("恢复须说明原因（--reason）。")
    target = f"#{args.import_id}{'之前' if args.before else '之后'}"
    try:
        new_id = restore(engine, args.import_id, before=args.before, user=who.author, reason=reason)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        _log(engine, who, "restore", target, f"原因：{reason}；未恢复：{exc.args[0]}")
        return 1
    if new_id is None:
        print("当前数据已是该状态，无需恢复。")
    else:
        print(f"已恢复（记录号 {new_id}）。")
    _log(engine, who, "restore", target, f"原因：{reason}；" + ("无需恢复" if new_id is None else f"新记录号 {new_id}"))
    if new_id is not None:
        _run_quality_checks(engine)
    return 0


def cmd_retention(args) -> int:
    from ledger.store.retention import remove

    engine = make_engine(args.db)
    who = _who(engine, args, manage=True)
    done = remove(engine, dt.timedelta(days=args.days), dry_run=args.dry_run)
    verb = "将删除" if args.dry_run else "已删除"
    print(f"保留期限：{args.days}天（清理 {done.cutoff:%Y-%m-%d %H:%M} 之前被替换的旧版本）")
    removed = {s: n for s, n in done.rows_by_sheet().items() if n}
    versions = Counter(v.sheet for v in done.removed)
    for sheet, n in removed.items():
        print(f"  {_sheet_name(sheet)}：{verb} {n} 行（{versions[sheet]} 个旧版本）")
    total = sum(removed.values())
    print(f"合计{verb} {total} 行。" if total else "没有可清理的旧版本。")
    if done.kept_for_freezes:
        kept = sum(v.rows for v in done.kept_for_freezes)
        print(f"因报送冻结仍需按报送时的台账查看而保留：{len(done.kept_for_freezes)} 个旧版本，{kept} 行。")
    if done.younger:
        print(f"未满保留期限：{len(done.younger)} 个旧版本，{sum(v.rows for v in done.younger)} 行。")
    if args.dry_run:
        print("预演：未删除任何数据。")
    else:
        listed = "；".join(f"{_sheet_name(s)} {n}行" for s, n in removed.items()) or "无"
        _log(engine, who, "retention", f"保留{args.days}天", f"删除：{listed}")
    return 0


def cmd_summaries(args) -> int:
    """Every summary recomputed from the detail and compared; ``--rebuild`` writes them
    all again (after a repair of the detail by hand, say)."""
    from ledger.store import summaries

    engine = make_engine(args.db)
    who = _who(engine, args, manage=True)
    with engine.begin() as conn:
        if args.rebuild:
            print(f"已按明细重新生成 {summaries.rebuild(conn)} 个数据片的汇总。")
        found = summaries.differences(conn)
    for line in found:
        print(f"  不一致：{line}")
    print("汇总表与明细不一致，请运行 summaries --rebuild。" if found else "汇总表与明细逐项一致。")
    _log(engine, who, "summaries", "汇总表", f"{'重建；' if args.rebuild else ''}不一致 {len(found)} 处")
    return 1 if found else 0


# --- accounts ----------------------------------------------------------------------------


def _manager(engine, args) -> Who:
    """The 数据管理员 running a ``users`` command (the operator before any account exists)."""
    return _who(engine, args, manage=True)


def _towns(engine, names) -> list[str] | None:
    """``--township`` values as the store names them; Refused on an unknown one."""
    if not names:
        return names
    out = []
    for name in names:
        township = _township(engine, name)
        if township is False:
            raise Refused("账号未作修改。")
        out.append(township)
    return out


def cmd_users_add(args) -> int:
    engine = make_engine(args.db)
    who = _manager(engine, args)
    by = who.login or f"系统用户:{who.os_user}"
    try:
        first = accounts.add(engine, args.login, args.name, args.role, _towns(engine, args.township), by=by)
    except (accounts.AccessError, ValueError) as exc:
        print(exc.args[0], file=sys.stderr)
        return 1
    made = accounts.get(engine, args.login)
    print(f"已创建账号 {made.login}：{made.label}")
    print(f"一次性密码：{first}")
    print(f"首次登录（网页，或 python -m ledger password --user {made.login}）须修改密码。")
    return 0


def cmd_users_list(args) -> int:
    engine = make_engine(args.db)
    who = _manager(engine, args)
    frame = accounts.listing(engine)
    if _masking(engine, who, args):
        frame = mask_frame(frame)
    print("\t".join(frame.columns))
    for row in frame.itertuples(index=False):
        print("\t".join("" if v is None else str(v) for v in row))
    return 0


def _keeps_an_admin(engine, login: str) -> None:
    """Refuse to disable or demote the last usable 数据管理员: nobody could manage the rest."""
    frame = accounts.listing(engine)
    others = frame[(frame["角色"] == ADMIN.name) & (frame["状态"] == "正常") & (frame["账号"] != login.strip().lower())]
    target = accounts.get(engine, login)
    if target is not None and target.role is ADMIN and others.empty:
        raise Refused("至少须保留一个可用的数据管理员账号，未作修改。")


def cmd_users_disable(args, enable: bool = False) -> int:
    engine = make_engine(args.db)
    who = _manager(engine, args)
    if not enable:
        _keeps_an_admin(engine, args.login)
    try:
        accounts.disable(engine, args.login, by=who.login, enable=enable)
    except accounts.AccessError as exc:
        print(exc.args[0], file=sys.stderr)
        return 1
    print(f"账号 {args.login} 已{'启用' if enable else '停用'}。")
    return 0


def cmd_users_enable(args) -> int:
    return cmd_users_disable(args, enable=True)


def cmd_users_reset_password(args) -> int:
    engine = make_engine(args.db)
    who = _manager(engine, args)
    try:
        new = accounts.reset_password(engine, args.login, by=who.login)
    except accounts.AccessError as exc:
        print(exc.args[0], file=sys.stderr)
        return 1
    print(f"账号 {args.login} 的一次性密码：{new}")
    print("该账号的会话已全部失效；下次登录须修改密码。")
    return 0


def cmd_users_grant(args) -> int:
    engine = make_engine(args.db)
    who = _manager(engine, args)
    if not args.role and args.township is None:
        print("请给出 --role 或 --township。", file=sys.stderr)
        return 2
    if args.role:
        try:
            new_role = role(args.role)
        except ValueError as exc:
            print(exc.args[0], file=sys.stderr)
            return 1
        if new_role is not ADMIN:
            _keeps_an_admin(engine, args.login)
    try:
        changed = accounts.grant(engine, args.login, args.role, _towns(engine, args.township), by=who.login)
    except (accounts.AccessError, ValueError) as exc:
        print(exc.args[0], file=sys.stderr)
        return 1
    print(f"已修改：{changed.label}（该账号的会话已全部失效）")
    return 0


def cmd_password(args) -> int:
    """An account's own change, the forced first one included (a user of the command
    line only has no other way): slowed down and locked out like any login."""
    engine = make_engine(args.db)
    if accounts.count(engine) == 0 or not args.user:
        raise Refused("请用 --user 指明要修改密码的账号。" if args.user is None else "该数据库尚无任何账号。")
    old = _password(f"{args.user} 的原密码：")
    try:
        account = accounts.authenticate(engine, args.user, old, via="命令行")
    except accounts.AccessError as exc:
        raise Refused(str(exc)) from None
    new = os.environ.get(NEW_PASSWORD_VAR)
    if not new:
        new = _password("新密码（至少8位，含字母和数字）：", NEW_PASSWORD_VAR)
        if _password("再次输入新密码：", NEW_PASSWORD_VAR) != new:
            raise Refused("两次输入的新密码不一致，未修改。")
    try:
        accounts.change_password(engine, account.login, old, new)
    except accounts.AccessError as exc:
        print(exc.args[0], file=sys.stderr)
        return 1
    print(f"账号 {account.login} 的密码已修改。")
    return 0


# --- files with no store -----------------------------------------------------------------


def cmd_sample(args) -> int:
    """The sample ledger: one workbook (as before), N districts' workbooks in a folder,
    or N districts written straight into a new store (``sample_data.bulk``)."""
    if (args.out is None) == (args.db is None):
        print("请指定 --out（工作簿）或 --db（数据库）其中之一。", file=sys.stderr)
        return 2
    if args.scale is not None and not 1 <= args.scale <= 999:
        print("--scale 应为 1—999。", file=sys.stderr)
        return 2
    if args.labourers is not None and (args.scale is None or args.labourers < 12_000):
        print("--labourers 只能与 --scale 一起使用，且至少为12000。", file=sys.stderr)
        return 2
    if args.db is not None:
        return _sample_into(args)
    if args.scale is None:
        from sample_data.generate import write_workbook

        path = write_workbook(args.out)
        print(f"示例台账已写入 {path}")
        return 0
    from sample_data.scale import write_workbooks

    paths = write_workbooks(args.out, args.scale, _bar(), **_labourers(args))
    print(f"{len(paths)}个区县的示例台账已写入 {args.out}")
    return 0


def _sample_into(args) -> int:
    from sample_data import bulk

    engine = make_engine(args.db)
    from ledger.store.schema import init_db

    init_db(engine)
    who = _who(engine, args, manage=True)
    n = args.scale or 1
    start = dt.datetime.now()
    try:
        log_id = bulk.write_database(engine, n, user=who.author, progress=_bar(), **_labourers(args))
    except (bulk.NotEmpty, bulk.Rejected) as exc:
        print(exc.args[0], file=sys.stderr)
        return 1
    seconds = (dt.datetime.now() - start).total_seconds()
    _log(engine, who, "import", bulk.history_name(n), f"记录号 {log_id}：示例数据 {n} 个区县，{seconds:.0f} 秒")
    print(f"{n}个区县的示例台账已写入数据库（记录号 {log_id}，{seconds:.0f} 秒）")
    _run_quality_checks(engine)
    return 0


def _labourers(args) -> dict:
    return {"n_labourers": args.labourers} if args.labourers else {}


def _bar():
    """A progress line on stderr, redrawn in place on a terminal (one line per step
    otherwise). Not tqdm: it is no dependency of the project, and this is ten lines."""
    tty = sys.stderr.isatty()
    began = dt.datetime.now()

    def show(done: float, total: int, message: str) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        spent = (dt.datetime.now() - began).total_seconds()
        left = f"，约剩 {spent / done * (total - done):.0f} 秒" if done > 0 and done < total else ""
        line = f"[{'#' * filled}{'.' * (width - filled)}] {100 * done / total:5.1f}% {message}（{spent:.0f} 秒{left}）"
        print(f"\r{line}\033[K" if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)
        if tty and done >= total:
            print(file=sys.stderr)

    return show


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
    """The briefing or slide pack of the account's scope: the export builds from a
    ``Request`` bound to the account (its townships, its rights to people data, its
    name on the watermark)."""
    from ledger.query.request import Request
    from ledger.store.schema import init_db

    fmt = args.format or ("pptx" if args.out.suffix.lower() == ".pptx" else "docx")
    engine = make_engine(args.db)
    init_db(engine)
    who = _who(engine, args, page="reports")
    township = _place(engine, args, who)
    if township is False:
        return 2
    request = Request(args.as_of, township, scope=who.scope, personal=who.personal, viewer=who.label)
    if fmt == "pptx":
        from exports.slides import slides_pptx

        data = slides_pptx(engine, request)
    else:
        from exports.briefing import briefing_docx

        data = briefing_docx(engine, request)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    what = "汇报幻灯片" if fmt == "pptx" else "工作简报"
    _log(engine, who, "export", f"命令行 {what} {args.out.name}",
         f"{_scope_text(who.scope, township)} {args.as_of or '最新月份'}")
    print(f"{what}已写入 {args.out}")
    return 0


COMMANDS = {
    "briefing": cmd_briefing,
    "format-doc": cmd_format_doc,
    "import": cmd_import,
    "figures": cmd_figures,
    "history": cmd_history,
    "password": cmd_password,
    "restore": cmd_restore,
    "retention": cmd_retention,
    "summaries": cmd_summaries,
    "sample": cmd_sample,
    "template": cmd_template,
    "users add": cmd_users_add,
    "users list": cmd_users_list,
    "users disable": cmd_users_disable,
    "users enable": cmd_users_enable,
    "users reset-password": cmd_users_reset_password,
    "users grant": cmd_users_grant,
}
