"""简报与导出: the Word briefing and the slide pack for the chosen month and township,
written from the ledger (a preview of its text on screen), and the main table as Excel.
Each file is made at the click for the signed-in account (``Ledger.run`` binds the
request to its scope and rights, puts the export in the audit log; the file carries
the account's watermark)."""

import streamlit as st

from exports import briefing, slides, tables
from ui.blocks import open_page
from ui.text import plain

PAGE = "reports"
KEYS = ["labor.total", "labor.employed", "labor.employment_rate", "labor.poor", "labor.poor_employed", "subsidy.total", "training.person_times"]

data, view = open_page(PAGE, "简报与导出", poor_toggle=False, drill=False)

request = view.request
marked = "（报送数）" if view.reported else ""  # a reported-figures file is never mistaken for today's
docx_name = f"{tables.filename(view.place, f'稳岗就业工作简报{marked}', view.month_label, '')}.docx"
pptx_name = f"{tables.filename(view.place, f'稳岗就业情况汇报{marked}', view.month_label, '')}.pptx"
xlsx_name = tables.filename(view.place, f"主要指标{marked}", view.month_label, "xlsx")
cols = st.columns(3)
cols[0].download_button(
    "Word 简报", data=lambda: data.run(briefing.briefing_docx, request, what=docx_name), file_name=docx_name,
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", key=f"{PAGE}_docx",
    on_click="ignore", icon=":material/article:", type="primary",
)
cols[1].download_button(
    "PPT 幻灯片", data=lambda: data.run(slides.slides_pptx, request, what=pptx_name), file_name=pptx_name,
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation", key=f"{PAGE}_pptx",
    on_click="ignore", icon=":material/slideshow:",
)
cols[2].download_button(
    "Excel 主要指标表", data=lambda: data.run(tables.breakdown_workbook, request, KEYS, what=xlsx_name),
    file_name=xlsx_name,
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{PAGE}_xlsx",
    on_click="ignore", icon=":material/table_view:",
)
st.caption("文件在点击时按所选月份和乡镇从台账生成；简报中的每个数字都来自台账，图表在服务器上生成（需要 Chromium）。")

st.subheader("简报预览")
for heading, paragraphs in data.read(briefing.preview, view.request):
    st.markdown(f"**{plain(heading)}**")  # the title names the township
    for paragraph in paragraphs:
        st.markdown(plain(paragraph))
