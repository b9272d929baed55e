"""培训: classes and person-times by type, organiser and trade, the poor share, by
township, and the trend by month."""


from ui.blocks import breakdown_table, metric_row, open_page, page_charts

PAGE = "training"
KEYS = ["training.classes", "training.person_times", "training.poor_person_times", "training.vocational.classes"]

data, view = open_page(PAGE, "技能培训")
metric_row(data, view, KEYS)

page_charts(PAGE, data, view, at_village=True)
breakdown_table(PAGE, data, view, KEYS + ["training.vocational.person_times", "training.short_term.people", "training.rural_practical.people"])
