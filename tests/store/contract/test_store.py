"""Store's own members: closing."""

from __future__ import annotations

from tidings.adapters.store import open_store
from tidings.ports import Store


def test_close_keeps_what_was_committed(store: Store, store_url: str) -> None:
    user = store.ensure_user("alice")
    store.close()
    store.close()  # twice is harmless
    again = open_store(store_url)
    try:
        assert again.get_user(user).name == "alice"
    finally:
        again.close()
