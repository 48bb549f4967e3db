"""``python -m api.service.jobs``: a worker, as ``cosource worker`` starts it."""

from __future__ import annotations

import sys

from api.service.commands import worker_main

if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
