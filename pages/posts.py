"""公益性岗位: posts by category and post type, by township, and the subsidies paid."""


from ui.blocks import breakdown_table, metric_row, open_page, page_charts

PAGE = "posts"
KEYS = ["posts.poverty.count", "posts.poverty.subsidy", "posts.temporary.count", "posts.temporary.subsidy"]

data, view = open_page(PAGE, "公益性岗位", poor_toggle=False)
metric_row(data, view, KEYS)

page_charts(PAGE, data, view, at_village=True)
breakdown_table(PAGE, data, view, ["posts.count"] + KEYS)
