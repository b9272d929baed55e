"""The main figures in words, for the overview's lead line and the briefing: text from
templates with rules (a figure that is missing drops its clause), never a model."""

from __future__ import annotations

from ledger.present.format import count, wan


def overview_sentence(values: dict, *, place: str, month_label: str) -> str:
    """e.g. 截至2020年9月，宜州区共有劳动力30,000人，已就业26,552人，就业率88.51%；…"""
    clauses = []
    for head, parts in (
        (("labor.total", "共有劳动力{}人"), (("labor.employed", "，已就业{}人"), ("labor.employment_rate", "，就业率{}%"))),
        (("labor.poor", "其中建档立卡贫困劳动力{}人"),
         (("labor.poor_employed", "，已就业{}人"), ("labor.poor_employment_rate", "（{}%）"))),
    ):
        if values.get(head[0]):
            clause = head[1].format(count(values[head[0]]))
            for key, text in parts:
                if values.get(key) is not None:
                    clause += text.format(values[key] if key.endswith("rate") else count(values[key]))
            clauses.append(clause)
    if values.get("labor.unemployed"):
        clause = f"尚未就业{count(values['labor.unemployed'])}人"
        if values.get("labor.unemployed_wanting_work"):
            clause += f"，其中有就业意愿的{count(values['labor.unemployed_wanting_work'])}人需重点帮扶"
        clauses.append(clause)
    if values.get("subsidy.total"):
        clauses.append(f"今年累计发放各类补贴{wan(values['subsidy.total'])}万元")
    if values.get("training.person_times"):
        clauses.append(f"开展技能培训{count(values['training.person_times'])}人次")
    if not clauses:
        return f"截至{month_label}，{place}台账中没有数据。"
    return f"截至{month_label}，{place}" + "；".join(clauses) + "。"
