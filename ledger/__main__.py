"""The command line's door: ``python -m ledger --help``."""

import sys

from ledger.cli import main

sys.exit(main())
