"""Fictional sample ledger for 宜州区 (2020) that reproduces the seed report's figures.

``from sample_data import build_tables, write_workbook``; ``python -m sample_data OUT.xlsx``
(or ``python -m sample_data.generate OUT.xlsx``) writes the workbook. The names are
loaded lazily so that ``python -m sample_data.generate`` does not import the module twice.
"""

__all__ = ["SHEET_COLUMNS", "build_tables", "write_workbook"]


def __getattr__(name):
    if name in __all__:
        from . import generate

        return getattr(generate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
