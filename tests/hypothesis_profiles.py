"""Hypothesis profiles, loaded by tests/conftest.py.

- `ci` (when the CI variable is set; `.ci/run` exports CI=true): the same examples on every
  run (derandomize), no example database to read or write, a failing example printed as a
  reproduction blob, and no per-example deadline: CI runs on a loaded 2-core machine, where
  a database-backed example can take seconds.
- `dev` (otherwise): random examples, and the failures found are kept in the local example
  database under .hypothesis/ (ignored by git) and replayed first on the next run.

HYPOTHESIS_PROFILE=ci (or dev) chooses one explicitly. Tests that set their own
@settings(max_examples=..., deadline=...) keep those; the profile fills in the rest.
"""

import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

EXAMPLE_DATABASE = Path(__file__).resolve().parent.parent / ".hypothesis" / "examples"

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    database=DirectoryBasedExampleDatabase(EXAMPLE_DATABASE),
    deadline=2000,  # ms: generous for a database-backed example on a laptop
)


def load() -> str:
    name = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
    settings.load_profile(name)
    return name
