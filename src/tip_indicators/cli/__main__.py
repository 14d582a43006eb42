"""``python -m tip_indicators.cli``: the command line, as the ``tip-indicators`` program runs it
but in the process's own settings."""

import sys

from tip_indicators.cli import main

sys.exit(main())
