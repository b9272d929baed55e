"""公益性岗位: posts by category and post type, by township, and the subsidies paid."""


from charts import category_bar
from ui.blocks import breakdown_table, chart, file_stub, metric_row, page_charts, page_header
from ui.data import ledger
from ui.sidebar import scope_sidebar

PAGE = "posts"
KEYS = ["posts.poverty.count", "posts.poverty.subsidy", "posts.temporary.count", "posts.temporary.subsidy"]

data = ledger()
view = scope_sidebar(data, PAGE, poor_toggle=False)
page_header(PAGE, "公益性岗位", view)
metric_row(data, view, KEYS)

page_charts(PAGE, data, view, at_village=True)
rows = data.breakdown(view.request, ["posts.count"], "post")
chart(category_bar(rows, "posts.count", category="post", title="按岗位名称", unit="个"), key=f"{PAGE}_post", view=view, data=rows, filename=file_stub(view, "公益性岗位名称"))
breakdown_table(PAGE, data, view, ["posts.count"] + KEYS)
