"""``python -m benchmarks SUITE [options]``: see :mod:`benchmarks.cli`."""

import sys

from benchmarks.cli import main

sys.exit(main())
