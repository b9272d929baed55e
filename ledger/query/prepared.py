"""What the first views after the ledger changed (an import, a restore) would compute
on the detail, computed while the 数据管理员 waits anyway: the 13 quality checks (half
a minute at a province's scale) and the district's year-to-date distinct counts
(people trained, posts held: 2.6 s at 85 districts), whose memos then serve every
account and every process."""

from __future__ import annotations

import pandas as pd

from ledger.query import quality, statements
from ledger.query.statements import ALL


def after_change(engine) -> pd.DataFrame:
    """Run the checks and the district's figures at the default date, for all
    labourers and for 建档立卡 ones (the sidebar's two choices), keeping what they
    keep; returns the checks' overview (one row per check)."""
    found = quality.overview(quality.summary(engine))
    as_of = statements.default_as_of(engine)
    if as_of is not None:
        for poor_only in (False, True):
            statements.figures(engine, as_of, scope=ALL, poor_only=poor_only)
    return found
