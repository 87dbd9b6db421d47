"""Fixtures of the e2e tests: the headless browser of the console tests."""

from tests.e2e.console_browser import browser, page  # noqa: F401  (fixtures, found by name)
