"""What the sample must satisfy: the ledger format's sheets and headers, and the seed
report's figures that come out of it exactly as of 2020-09-30."""

from __future__ import annotations

# Canonical headers of shared/ledger-format.md, in its order, compound rows split.
SHEET_COLUMNS: dict[str, list[str]] = {
    "行政区划": ["区划代码", "乡镇", "类型", "别名", "上级"],
    "劳动力就业台账": [
        "统计时点", "乡镇", "村", "姓名", "证件号码", "是否建档立卡", "就业状态", "就业方式",
        "务工区域", "务工所在地", "务工单位", "务工时间（月）", "月收入（元）", "家庭人口数",
        "户编号", "性别", "文化程度", "劳动技能", "就业意愿", "创业意愿", "培训意愿", "联系电话", "备注",
    ],
    "扶贫车间台账": ["统计时点", "车间名称", "乡镇", "村", "产业类型", "复工日期", "在岗人数", "其中贫困劳动力"],
    "公益性岗位台账": ["岗位类别", "岗位名称", "乡镇", "村", "姓名", "证件号码", "上岗日期", "离岗日期", "安置原因"],
    "技能培训台账": [
        "培训期次", "培训类型", "主办部门", "培训工种", "开班日期", "结业日期", "乡镇", "村", "姓名", "证件号码",
        "是否建档立卡",
    ],
    "补贴发放台账": ["发放日期", "补贴类型", "对象类型", "对象名称", "证件号码", "乡镇", "村", "金额（元）"],
    "用工需求台账": ["企业名称", "企业所在地", "工种", "岗位数", "发布日期", "发布渠道"],
    "返岗输送台账": ["批次", "出发日期", "目的地", "乡镇", "人数", "其中建档立卡"],
    "目标任务": ["年度", "乡镇", "指标", "目标值"],
}

# The figures of shared/seed/figures.json that this generator builds in (as of 2020-09-30).
TARGETS = {
    "demand.enterprises": 717, "demand.job_types": 2677, "demand.postings": 41239,
    "workshops.count": 17, "workshops.on_duty": 4664, "workshops.poor_absorbed": 259,
    "subsidy.enterprise_absorption": 28900, "subsidy.flexible_social_insurance": 142200,
    "subsidy.workshop_reward": 313000, "subsidy.workshop_reward_workshops": 6,
    "subsidy.key_enterprise_social_insurance": 84400, "subsidy.job_stability": 271400,
    "subsidy.epidemic_prevention": 188100,
    "transport.batches": 30, "transport.people": 4336, "transport.poor": 366,
    "posts.poverty.count": 377, "posts.poverty.subsidy": 2994000,
    "posts.temporary.count": 717, "posts.temporary.subsidy": 1950600,
    "training.vocational.classes": 52, "training.vocational.person_times": 2586,
    "training.vocational.poor_person_times": 1526,
    "training.short_term.classes": 5, "training.short_term.people": 280,
    "training.short_term_reward.people": 1020, "training.short_term_reward.amount": 768800,
    "training.rural_practical.classes": 11, "training.rural_practical.people": 486,
    "training.rural_practical.amount": 22180,
}
