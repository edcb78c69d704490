from tests.portal.matches.conftest import donor  # noqa: F401  (shared fixture)
