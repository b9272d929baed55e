"""``python -m sample_data OUT.xlsx`` writes the sample workbook (same as sample_data.generate)."""

from .generate import main

raise SystemExit(main())
