"""培训: classes and person-times by type, organiser and trade, the poor share, by
township, and the trend by month."""


from ui.blocks import breakdown_table, metric_row, page_charts, page_header
from ui.data import ledger
from ui.sidebar import scope_sidebar

PAGE = "training"
KEYS = ["training.classes", "training.person_times", "training.poor_person_times", "training.vocational.classes"]

data = ledger()
view = scope_sidebar(data, PAGE)
page_header(PAGE, "技能培训", view)
metric_row(data, view, KEYS)

page_charts(PAGE, data, view, at_village=True)
breakdown_table(PAGE, data, view, KEYS + ["training.vocational.person_times", "training.short_term.people", "training.rural_practical.people"])
