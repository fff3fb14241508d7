"""Settings shared by every test folder."""

import os

from hypothesis import HealthCheck, settings

# CPU here (and on CI) is slow and shared: no per-example deadline, and no failure just
# because data generation was slow. Pick another profile with HYPOTHESIS_PROFILE if wanted.
settings.register_profile(
    "playground",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "playground"))


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last: fast feedback first, and the Playwright event loop
    (session-scoped) never overlaps other tests."""
    items.sort(key=lambda item: "tests/e2e/" in item.nodeid.replace("\\", "/"))
