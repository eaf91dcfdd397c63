"""The generated test suite (a package, so tests import helpers from tests.conftest)."""
