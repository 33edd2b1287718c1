"""The fuzz tests change data as any caller may, an administrator's token included: they run after
every other test of the session, which share one local stack."""

from typing import Any


def pytest_collection_modifyitems(items: list[Any]) -> None:
    items.sort(key=lambda item: item.module.__name__.endswith(".test_fuzz"))
