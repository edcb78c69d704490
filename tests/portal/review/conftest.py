from tests.portal.matches.conftest import donor, make_need, make_offer  # noqa: F401  (shared fixtures)
