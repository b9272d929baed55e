"""数据导入 (a 数据管理员's page): upload township workbooks, see every problem or a
preview of what would change, and apply only on confirmation, in one transaction. The
importer is the signed-in account; the import goes into the audit log. Problems quote
cells (IDs, phones, names): they are shown masked (``ledger.intake.masked``), and so
is the problems workbook.

Checking a 20 MB workbook and previewing it take tens of seconds, so both are kept in
the session, keyed by the files' SHA-256 and the ledger's data version: choosing the
replacement mode does not redo them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

import loaders
from exports.problems import errors_workbook
from ledger import intake
from ledger.present.caliber import watermark
from ledger.present.frames import shown_changes
from ledger.query.prepared import after_change
from ledger.query.request import Request
from ledger.store.imports import Submission, apply_many, file_sha256
from ledger.store.townships import stored_townships, uncovered_townships
from loaders import isolate, limits
from loaders.validate import ERROR
from loaders.values import cn_month
from ui.data import ledger
from ui.text import plain

PAGE = "intake"
TYPES = ".xlsx、.xls、.ods、.csv"
BY_TOWNSHIP = "只替换文件中的乡镇（其他乡镇的数据保持不变）"
WHOLE_MONTH = "整月替换（按全区汇总表导入）"
ROUND, DONE, CHECKED, PREVIEWED = (f"{PAGE}_{k}" for k in ("round", "done", "checked", "previewed"))

data = ledger(PAGE)
engine = data.engine
st.title("数据导入")
st.caption(
    "上传乡镇报送的台账工作簿（.xlsx / .xls）或每表一个的CSV文件。先检查、预览变化，确认后才写入；"
    "被替换的旧数据保留为历史版本，可在“导入记录”中恢复。"
)
if DONE in st.session_state:
    st.success(st.session_state.pop(DONE))

isolate.warm()  # the reader's fork server starts while the clerk picks a file
user = data.account.label[:100]  # the import record's 导入人 (the store keeps 100 characters)
st.caption(plain(f"导入人：{user}（当前登录账号，记入导入记录和审计日志）"))
# Every file type reaches the loaders, which explain a wrong one in Chinese; the
# browser's own refusal would be in English. The size limit is server.maxUploadSize.
files = st.file_uploader(
    "选择文件", accept_multiple_files=True, key=f"{PAGE}_files_{st.session_state.get(ROUND, 0)}",
    help=f"接受 {TYPES} 文件，单个文件不超过 {st.get_option('server.maxUploadSize')} MB。",
)
st.caption(
    f"接受 {TYPES}；单个文件不超过 {st.get_option('server.maxUploadSize')} MB，一次最多 {limits.MAX_FILES} 个文件、"
    f"合计不超过 {limits.MAX_UPLOAD_BYTES // limits.MB} MB；设置了打开密码的工作簿请先取消密码。"
)
if not files:
    st.stop()

refused = limits.check_upload([(f.name, f.size) for f in files])
if refused:
    st.error(plain(refused))
    st.stop()
payload = [(Path(f.name), f.getvalue()) for f in files]
groups = loaders.group_files(payload)  # each workbook its own import; CSV files together
fingerprint = tuple((str(p), file_sha256(d)) for p, d in payload)
checked = st.session_state.get(CHECKED)
if checked is None or checked[0] != (fingerprint, data.version):
    size = sum(len(d) for _, d in payload) / 1e6
    with st.status(f"正在读取并校验 {len(payload)} 个文件（约 {size:.1f} MB）……", expanded=True) as status:
        bar = st.progress(0.0, text="准备读取……")
        with engine.connect() as conn:
            stored = stored_townships(conn)
        results = []
        for i, group in enumerate(groups):
            def step(done, text, i=i):
                bar.progress((i + done) / len(groups), text=text)

            results.append(loaders.load_files(group, stored, step))
        ok = all(r.ok for r in results)
        status.update(label="检查完成" if ok else "检查完成：发现问题", state="complete" if ok else "error", expanded=False)
    st.session_state[CHECKED] = checked = ((fingerprint, data.version), results)
    st.session_state.pop(PREVIEWED, None)
results = checked[1]
several = len(groups) > 1
names = ["、".join(p.name for p, _ in group) for group in groups]


def problem_frame(problems, label: str = "问题") -> pd.DataFrame:
    """One row a problem, pointing at the cell as Excel shows it (file, sheet, row, column);
    the reason first after the level, so it is not cut off at the table's edge. The
    quoted value and the message are masked (an ID, a phone, a name)."""
    problems = intake.masked(problems)
    return pd.DataFrame(
        [{"级别": p.level, label: p.message, "文件": p.file, "工作表": p.sheet, "行号": str(p.row or ""), "列": p.letter,
          "表头": p.column, "值": p.value} for p in problems],
        columns=["级别", label, "文件", "工作表", "行号", "列", "表头", "值"],
    )


def problem_table(problems, key: str = f"{PAGE}_problems") -> None:
    st.dataframe(problem_frame(problems), hide_index=True, width="stretch", key=key,
                 column_config={"问题": st.column_config.TextColumn(width="large")})


errors = sum(len(r.errors) for r in results)
if errors:
    st.error(f"发现 {errors} 处错误，文件未导入，数据库没有任何改动。请修改后重新上传。")
    # warnings and what was inferred too: one round of corrections fixes everything
    problem_table([p for r in results for p in r.problems])
    def problems_file(r, group, file_name: str) -> bytes:
        """Made at the click (outside the page's run): watermarked, and in the audit log."""
        made = errors_workbook(r, {str(p): d for p, d in group}, watermark=watermark(data.bound(Request(None))))
        data.log("export", target=file_name, detail="导入问题清单（个人信息已脱敏）")
        return made

    for i, (group, name, r) in enumerate(zip(groups, names, results)):
        if r.errors:
            file_name = f"{Path(name).stem}_问题清单.xlsx" if several else "台账问题清单.xlsx"
            st.download_button(
                plain(f"下载问题清单（Excel，已标出出错单元格，个人信息已脱敏）{'：' + name if several else ''}"),
                data=lambda r=r, group=group, file_name=file_name: problems_file(r, group, file_name),
                file_name=file_name,
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=f"{PAGE}_errors_xlsx" + (f"_{i}" if i else ""),
                on_click="ignore",
            )
    st.stop()
if not all(r.ok for r in results):
    st.warning("文件中没有可导入的数据。")
    st.stop()
if several:
    st.info(f"{len(groups)} 个文件将依次导入（每个文件一条导入记录，在同一个事务中）：后面的文件只替换自己的乡镇，不会覆盖前面文件的数据。")

notes = [p for r in results for p in r.notes]
if notes:
    # What the reader inferred or skipped is shown before anything is written, so the
    # clerk confirms it (and it is kept in the import's history record).
    st.subheader("请核对：系统推断或跳过的内容")
    with st.container(key=f"{PAGE}_notes", height=300 if len(notes) > 12 else "content"):
        st.markdown("\n".join(f"- {plain(p.said)}" for p in intake.masked(notes)))
warnings = [p for r in results for p in r.warnings]
if warnings:
    with st.expander(f"{len(warnings)} 条提示（不影响导入）"):
        st.dataframe(problem_frame(warnings, "提示").drop(columns=["级别"]), hide_index=True, width="stretch",
                     column_config={"提示": st.column_config.TextColumn(width="large")})

previewed = st.session_state.setdefault(PREVIEWED, {})
if "uncovered" not in previewed:
    with engine.connect() as conn:
        previewed["uncovered"] = uncovered_townships(conn, *results)
uncovered = previewed["uncovered"]
by_township = False
if uncovered:
    absent = sorted({t for names in uncovered.values() for t in names})
    months = [cn_month(p) if len(p) == 7 else f"{p}年" for p in sorted({p for _, p in uncovered})]
    st.subheader("替换方式")
    choice = st.radio(
        plain(f"文件中没有{'、'.join(absent[:6])}{'等' if len(absent) > 6 else ''}{len(absent)}个乡镇在{'、'.join(months)}的数据。导入时："),
        [BY_TOWNSHIP, WHOLE_MONTH], key=f"{PAGE}_scope",
        help="乡镇各自报送本乡镇的工作簿时选第一项；全区汇总的工作簿才选整月替换。",
    )
    by_township = choice == BY_TOWNSHIP
    if not by_township:
        st.warning("整月替换会把文件中没有的乡镇在这些月份的数据全部删除（可在“导入记录”中恢复）。")

if by_township not in previewed:
    with st.spinner("正在对比现有数据……"):
        previewed[by_township] = intake.preview(engine, results, by_township=by_township)
preview = previewed[by_township]
if not preview.ok:
    st.error("文件不能导入，数据库没有任何改动：")
    problem_table([p for p in preview.problems if p.level == ERROR], f"{PAGE}_store_problems")
    st.stop()

st.subheader("将要发生的变化")
st.dataframe(preview.slices, hide_index=True, width="stretch", key=f"{PAGE}_slices")
if len(preview.changes):
    st.subheader("会变化的数字")
    st.dataframe(shown_changes(preview.changes, ("导入前", "导入后")), hide_index=True, width="stretch", key=f"{PAGE}_changes")
else:
    st.info("导入后各项数字没有变化。")

if st.button("确认导入", type="primary", key=f"{PAGE}_confirm"):
    submissions = [
        Submission(r, name, file_sha256(b"".join(d for _, d in group)))
        for r, name, group in zip(results, names, groups)
    ]
    outcomes = apply_many(engine, submissions, user=user, by_township=by_township)
    logged = [o.log_id for o in outcomes if o.log_id is not None]
    if not all(o.ok for o in outcomes):
        st.error("  \n".join(plain(p) for o in outcomes for p in intake.masked(o.errors[:50])))
    elif not logged:
        st.info("内容与已导入的数据相同，没有变化。")
    else:
        st.cache_data.clear()
        for key in (CHECKED, PREVIEWED):
            st.session_state.pop(key, None)
        # A new uploader (a new key) starts empty: the imported file is not offered again.
        st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
        changed = sum(len(o.changed) for o in outcomes)
        ids = "、".join(map(str, logged))
        mode = "按乡镇替换" if by_township else "整月替换" if uncovered else "替换文件中的（表，月份）"
        data.log("import", target="、".join(names),
                 detail=f"导入成功，记录号 {ids}，替换 {changed} 个（表，月份），{mode}")
        st.session_state[DONE] = plain(f"导入成功（记录号 {ids}）：{'、'.join(names)}，替换 {changed} 个（表，月份）。")
        # The first views after an import would run the quality checks and the year's
        # distinct counts on the detail (half a minute at a province's scale); run them
        # now, while the importer waits anyway: the pages open from the memos they leave.
        try:
            with st.spinner("已导入，正在做数据质量检查…"):
                after_change(engine)
        except Exception:  # noqa: BLE001 (the import stands; the 数据质量 page runs the checks and shows what fails)
            st.session_state[DONE] += "数据质量检查没有完成，打开“数据质量”页面时会重新检查。"
        st.rerun()
