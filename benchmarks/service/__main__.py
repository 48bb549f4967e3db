"""``python -m benchmarks.service``: the service suite (:mod:`benchmarks.service`)."""

import sys

from benchmarks.service.suite import main

sys.exit(main())
