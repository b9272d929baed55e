from decimal import Decimal

import pytest

from ledger.present.narrative import overview_sentence


@pytest.mark.parametrize(
    "values, expected",
    [
        (
            {"labor.total": 30000, "labor.employed": 26552, "labor.employment_rate": Decimal("88.51"), "subsidy.total": Decimal("28900")},
            "截至2020年9月，宜州区共有劳动力30,000人，已就业26,552人，就业率88.51%；今年累计发放各类补贴2.89万元。",
        ),
        ({"labor.total": 0, "subsidy.total": Decimal(0)}, "截至2020年9月，宜州区台账中没有数据。"),
        (
            {"labor.unemployed": 12, "labor.unemployed_wanting_work": 0, "training.person_times": 5},
            "截至2020年9月，宜州区尚未就业12人；开展技能培训5人次。",
        ),
    ],
)
def test_sentence_states_figures_and_drops_missing_ones(values, expected):
    assert overview_sentence(values, place="宜州区", month_label="2020年9月") == expected
