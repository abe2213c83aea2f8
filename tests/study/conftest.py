"""Fixtures of the study tests; the finished studies are run once per session and store backend."""

from tests.study.trials_fixture import dashboard, finished

__all__ = ["dashboard", "finished"]
