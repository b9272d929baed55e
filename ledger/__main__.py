"""The command line's door: ``python -m ledger --help``."""

import sys

from .cli import main

sys.exit(main())
