"""公益性岗位: posts by category and post type, by township, and the subsidies paid."""


from ui.blocks import breakdown_table, metric_row, page_charts, page_header
from ui.data import ledger
from ui.sidebar import scope_sidebar

PAGE = "posts"
KEYS = ["posts.poverty.count", "posts.poverty.subsidy", "posts.temporary.count", "posts.temporary.subsidy"]

data = ledger()
view = scope_sidebar(data, PAGE, poor_toggle=False)
page_header(PAGE, "公益性岗位", view)
metric_row(data, view, KEYS)

page_charts(PAGE, data, view, at_village=True)
breakdown_table(PAGE, data, view, ["posts.count"] + KEYS)
