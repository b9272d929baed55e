"""The ledger workbook format as data: sheets, headers, aliases and allowed values.

This module is the single copy of ``shared/ledger-format.md`` in code. The reader,
the validator, the store's tables, the template workbook and the documentation all
read it, so adding an alias or a value is a one-line change here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``kind`` decides how cells are parsed: text, id (证件号码), month, date, int,
    money (yuan, or 万元 when the header says so), enum, yesno, phone, township, year,
    number (a target value, possibly a percentage).
    """

    key: str
    header: str
    kind: str = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    value_aliases: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    """One table of the workbook.

    ``period`` says what a row's version slice is: ``month`` (snapshot sheets, from
    ``period_column``), ``event`` (the month of ``period_column``, a date), ``year``
    (targets) or ``none`` (the list of townships, replaced whole).
    """

    key: str
    name: str
    aliases: tuple[str, ...]
    period: str
    period_column: str | None
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    note: str = ""

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"Sheet {self.key} has no column {key}")


YES_NO = ("是", "否")

LABOR_MODES = ("外出务工", "扶贫车间", "公益性岗位", "自主创业", "灵活就业", "务农", "其他")
WORK_AREAS = ("乡镇内", "县内乡外", "省内县外", "省外", "国外")
EDUCATION = ("文盲或半文盲", "小学", "初中", "高中", "大专", "本科及以上")
SKILLS = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力")
POST_CATEGORIES = ("扶贫公益性岗位", "临时性公益岗位")
PLACEMENT_REASONS = ("年龄偏大", "文化偏低", "需照顾家庭", "残疾", "其他")
TRAINING_TYPES = ("职业技能培训", "短期技能培训", "农村实用技术培训", "创业培训", "其他")
ORGANISERS = ("人社部门", "扶贫部门", "农业农村部门", "其他")
SUBSIDY_TYPES = (
    "一次性交通补贴",
    "稳岗补贴",
    "防疫补贴",
    "企业吸纳就业补贴",
    "灵活就业社保补贴",
    "重点企业新增岗位社保补贴",
    "扶贫车间带动就业奖补",
    "公益性岗位补贴",
    "临时性公益岗位补贴",
    "短期技能培训以奖代补",
    "农村实用技术培训补助",
    "其他",
)
RECIPIENT_TYPES = ("个人", "企业", "扶贫车间")
DEMAND_LOCATIONS = ("区内", "区外")
TARGET_INDICATORS = (
    "贫困劳动力就业人数",
    "贫困劳动力就业率",
    "培训人次",
    "公益性岗位数",
    "扶贫车间吸纳贫困劳动力",
)
TOWNSHIP_TYPES = ("镇", "乡", "瑶族乡", "街道")

# A bare 区内 could mean the district or the autonomous region; the format asks for a
# clearer value instead of guessing.
_QUNEI = "“区内”有歧义（宜州区内还是广西区内？），请填写“乡镇内”“县内乡外”或“省内县外”"
AMBIGUOUS_VALUES = {"work_area": {"区内": _QUNEI, "区内务工": _QUNEI}}

TOWNSHIP = "township"
VILLAGE = "village"

# Values that cannot be right (a column pasted one place over is the usual cause).
MAX_MONTHLY_INCOME = 100_000  # yuan
MAX_HEADCOUNT = 100_000
MAX_PAYMENT = 10_000_000  # yuan, one payment
MONTH_NOTE = "可省略：标题行、工作表名或文件名写明月份时从中读取；填报日期不是统计时点"

# One vocabulary for the columns several sheets share: each canonical header's other
# spellings, accepted on every sheet that has a column of that header.
SHARED_ALIASES: dict[str, tuple[str, ...]] = {
    "乡镇": ("乡", "乡(镇)", "镇", "乡镇名称", "所在乡镇", "所属乡镇", "乡镇(街道)"),
    "村": ("行政村", "所在村", "所属村", "村(社区)", "村名", "村(居)"),
    "姓名": ("劳动力姓名", "成员姓名", "人员姓名"),
    "证件号码": ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "身份证", "劳动力身份证号码"),
    "是否建档立卡": ("是否贫困户", "人员类别", "户类型", "是否建档立卡户", "是否建档立卡贫困户", "是否贫困劳动力",
                "是否建档立卡贫困劳动力"),
}

# What the national system's exports write for 是否建档立卡, on every sheet that has it.
POOR_VALUES = {"贫困户": "是", "脱贫户": "是", "一般贫困户": "是", "低保贫困户": "是", "特困供养贫困户": "是", "一般农户": "否"}

# The column a totals row writes 合计 into, when it is not the first text cell.
NAME_COLUMNS = {
    "townships": "name", "labor": "name", "workshops": "name", "posts": "name", "training": "name",
    "subsidies": "recipient", "demand": "enterprise", "transport": "batch", "targets": "township",
}


def _township(required: bool = True, aliases: tuple[str, ...] = ()) -> Column:
    return Column(TOWNSHIP, "乡镇", "township", required, aliases)


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "townships",
        "行政区划",
        (),
        "none",
        None,
        (
            Column("code", "区划代码", "text", False, ("代码",)),
            Column("name", "乡镇", "text", True, ("乡镇名称", "名称")),
            Column("type", "类型", "enum", False, values=TOWNSHIP_TYPES),
            Column("aliases", "别名", "text", False, note="多个别名用“、”或“,”分隔"),
            Column("parent", "上级", "text", False, ("县区", "所属县区")),
        ),
        unique=("name",),
    ),
    Sheet(
        "labor",
        "劳动力就业台账",
        ("劳动力", "就业台账", "贫困劳动力就业台账"),
        "month",
        "month",
        (
            Column("month", "统计时点", "month", True, ("统计月份", "年月", "数据日期", "统计年月"), note=MONTH_NOTE),
            _township(True, ("乡", "乡(镇)", "镇", "所属乡镇", "乡镇名称")),
            Column(VILLAGE, "村", "text", True, ("行政村", "村(社区)", "所属村")),
            Column("name", "姓名", "text", True, ("劳动力姓名", "成员姓名")),
            Column("id_number", "证件号码", "id", True, ("身份证号", "身份证号码", "公民身份号码")),
            Column(
                "is_poor",
                "是否建档立卡",
                "yesno",
                True,
                ("是否贫困户", "人员类别", "户类型"),
                value_aliases=POOR_VALUES,
            ),
            Column(
                "employed",
                "就业状态",
                "enum",
                True,
                ("务工状态", "就业失业状态", "就业情况", "是否就业", "是否务工"),
                ("已就业", "未就业"),
                {
                    # a 是否就业 / 是否务工 column answers 是 or 否
                    "是": "已就业",
                    "否": "未就业",
                    "务工": "已就业",
                    "已务工": "已就业",
                    "就业": "已就业",
                    "失业": "未就业",
                    "未务工": "未就业",
                    "返乡未就业": "未就业",
                    "待业": "未就业",
                },
            ),
            Column(
                "mode",
                "就业方式",
                "enum",
                False,
                ("就业渠道", "就业类型", "就业去向"),
                LABOR_MODES,
                {
                    "企业就业": "外出务工",
                    "帮扶车间": "扶贫车间",
                    "就业扶贫车间": "扶贫车间",
                    "公益岗位": "公益性岗位",
                },
                note="已就业时必填",
            ),
            Column(
                "work_area",
                "务工区域",
                "enum",
                False,
                ("务工地域", "务工情况", "就业地域"),
                WORK_AREAS,
                {
                    "乡(镇)内务工": "乡镇内",
                    "乡镇内务工": "乡镇内",
                    "乡(镇)外县内务工": "县内乡外",
                    "乡外县内务工": "县内乡外",
                    "县外省内务工": "省内县外",
                    "区内县外务工": "省内县外",
                    "省外务工": "省外",
                    "区外务工": "省外",
                    "区外": "省外",
                },
            ),
            Column("work_place", "务工所在地", "text", False, ("务工地点", "就业地址")),
            Column("employer", "务工单位", "text", False, ("务工企业名称", "就业单位名称", "用工单位")),
            Column("work_months", "务工时间（月）", "int", False, ("务工月数", "务工时间"), minimum=0, maximum=12),
            Column("monthly_income", "月收入（元）", "money", False, ("月工资", "务工月收入", "月均收入"), minimum=0, maximum=MAX_MONTHLY_INCOME),
            Column("household_size", "家庭人口数", "int", False, ("家庭人口", "人数"), minimum=1, maximum=20),
            Column("household_id", "户编号", "text", False, ("户号",)),
            Column("sex", "性别", "enum", False, values=("男", "女"), note="缺省时按证件号码推算"),
            Column("education", "文化程度", "enum", False, ("学历",), EDUCATION),
            Column("skill", "劳动技能", "enum", False, ("劳动能力",), SKILLS),
            Column("wants_work", "就业意愿", "yesno", False, ("转移就业意愿", "就业意向"), ("有", "无")),
            Column("wants_business", "创业意愿", "yesno", False, values=("有", "无")),
            Column("wants_training", "培训意愿", "yesno", False, values=("有", "无")),
            Column("phone", "联系电话", "phone", False, ("手机号码", "成员联系电话")),
            Column("remark", "备注", "text", False),
        ),
        unique=("id_number",),
    ),
    Sheet(
        "workshops",
        "扶贫车间台账",
        ("扶贫车间", "就业扶贫车间", "帮扶车间"),
        "month",
        "month",
        (
            Column("month", "统计时点", "month", True, ("统计月份",), note=MONTH_NOTE),
            Column("name", "车间名称", "text", True, ("扶贫车间名称", "帮扶车间名称")),
            _township(True, ("所在乡镇",)),
            Column(VILLAGE, "村", "text", False, ("所在村",)),
            Column("industry", "产业类型", "text", False, ("行业", "主营产品")),
            Column("resumed_on", "复工日期", "date", False, ("复工时间",), note="空白表示尚未复工"),
            Column("on_duty", "在岗人数", "int", True, ("吸纳就业人数", "用工人数", "在岗人员"), minimum=0, maximum=MAX_HEADCOUNT),
            Column(
                "poor_on_duty",
                "其中贫困劳动力",
                "int",
                True,
                ("吸纳贫困劳动力", "吸纳建档立卡贫困劳动力人数"),
                minimum=0,
                maximum=MAX_HEADCOUNT,
                note="不超过在岗人数",
            ),
        ),
        unique=("name",),
    ),
    Sheet(
        "posts",
        "公益性岗位台账",
        ("公益性岗位", "公益岗位"),
        "event",
        "started_on",
        (
            Column("category", "岗位类别", "enum", True, ("公益性岗位类型", "岗位性质"), POST_CATEGORIES),
            Column("post", "岗位名称", "text", True, ("岗位", "工作内容")),
            _township(True),
            Column(VILLAGE, "村", "text", True),
            Column("name", "姓名", "text", True),
            Column("id_number", "证件号码", "id", True),
            Column("started_on", "上岗日期", "date", True, ("聘用开始时间",)),
            Column("ended_on", "离岗日期", "date", False, ("聘用结束时间",)),
            Column("reason", "安置原因", "enum", False, ("就业困难类型",), PLACEMENT_REASONS),
        ),
    ),
    Sheet(
        "training",
        "技能培训台账",
        ("技能培训", "培训台账"),
        "event",
        "started_on",
        (
            Column("class_id", "培训期次", "text", True, ("班期", "期数", "班次")),
            Column("training_type", "培训类型", "enum", True, ("培训项目",), TRAINING_TYPES),
            Column("organiser", "主办部门", "enum", False, ("组织单位",), ORGANISERS),
            Column("trade", "培训工种", "text", False, ("工种", "培训专业")),
            Column("started_on", "开班日期", "date", True, ("培训起始日期",)),
            Column("ended_on", "结业日期", "date", False, ("培训终止日期",)),
            _township(True),
            Column(VILLAGE, "村", "text", False),
            Column("name", "姓名", "text", True, ("劳动力姓名",)),
            Column("id_number", "证件号码", "id", True, ("劳动力身份证号码",)),
            Column("is_poor", "是否建档立卡", "yesno", False, value_aliases=POOR_VALUES, note="空白时按劳动力台账查找"),
        ),
    ),
    Sheet(
        "subsidies",
        "补贴发放台账",
        ("补贴发放", "资金发放"),
        "event",
        "paid_on",
        (
            Column("paid_on", "发放日期", "date", True, ("审核日期", "发放时间")),
            Column(
                "subsidy_type",
                "补贴类型",
                "enum",
                True,
                ("补贴项目", "资金类别"),
                SUBSIDY_TYPES,
                {"稳岗就业补贴": "稳岗补贴", "扶贫公益性岗位补贴": "公益性岗位补贴"},
            ),
            Column("recipient_type", "对象类型", "enum", True, values=RECIPIENT_TYPES),
            Column("recipient", "对象名称", "text", True, ("姓名", "单位名称")),
            Column("id_number", "证件号码", "id", False, note="对象类型为个人时必填"),
            _township(True),
            Column(VILLAGE, "村", "text", False),
            Column("amount", "金额（元）", "money", True, ("补贴金额", "发放金额", "金额（万元）", "金额"), minimum=0, maximum=MAX_PAYMENT),
        ),
    ),
    Sheet(
        "demand",
        "用工需求台账",
        ("用工需求", "岗位信息"),
        "event",
        "published_on",
        (
            Column("enterprise", "企业名称", "text", True, ("用工单位",)),
            Column("location", "企业所在地", "enum", True, ("所在地",), DEMAND_LOCATIONS, note="区内指宜州区内"),
            Column("job_type", "工种", "text", True, ("岗位名称",)),
            Column("postings", "岗位数", "int", True, ("招聘人数", "需求人数"), minimum=1, maximum=MAX_HEADCOUNT),
            Column("published_on", "发布日期", "date", True),
            Column("channel", "发布渠道", "text", False, ("发布平台",)),
        ),
    ),
    Sheet(
        "transport",
        "返岗输送台账",
        ("返岗输送", "点对点输送"),
        "event",
        "departed_on",
        (
            Column("batch", "批次", "text", True, ("批次号",)),
            Column("departed_on", "出发日期", "date", True),
            Column("destination", "目的地", "text", True),
            _township(False, ("出发乡镇",)),
            Column("people", "人数", "int", True, ("输送人数",), minimum=1, maximum=MAX_HEADCOUNT),
            Column("poor", "其中建档立卡", "int", True, ("其中贫困劳动力",), minimum=0, maximum=MAX_HEADCOUNT, note="不超过人数"),
        ),
        unique=("batch",),
    ),
    Sheet(
        "targets",
        "目标任务",
        ("目标", "年度目标"),
        "year",
        "year",
        (
            Column("year", "年度", "year", True),
            _township(True),
            Column("indicator", "指标", "enum", True, values=TARGET_INDICATORS),
            Column("value", "目标值", "number", True, minimum=0, maximum=MAX_HEADCOUNT, note="比率填百分数，如 90 表示 90%"),
        ),
        unique=("township", "indicator"),
    ),
)

SHEETS_BY_KEY: dict[str, Sheet] = {s.key: s for s in SHEETS}

# Pairs (smaller, larger) that must hold row by row: the part never exceeds its total.
PART_OF_TOTAL = {"workshops": ("poor_on_duty", "on_duty"), "transport": ("poor", "people")}
