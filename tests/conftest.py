"""Test settings: in CI, property tests draw the same examples on every run, so that a
result does not depend on the draw (a failure found by a random draw locally is kept in
``.hypothesis`` and replayed there)."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")
