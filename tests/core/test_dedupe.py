"""Properties of the dedupe plan."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tidings.core.dedupe import DELETED, content_hash, plan
from tidings.model import EntryData

ids = st.text(alphabet="abcdef", min_size=1, max_size=3)
entries = st.lists(
    st.builds(EntryData, id=ids, title=st.one_of(st.none(), st.text(max_size=20))),
    max_size=30,
    unique_by=lambda e: e.id,
)


@given(entries, st.randoms())
def test_plan_is_stable_under_reordering(items: list[EntryData], rnd: object) -> None:
    known = {e.id: content_hash(e) for e in items[::2]}
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a, b = plan(known, items), plan(known, shuffled)
    assert {u.data.id for u in a.new} == {u.data.id for u in b.new}
    assert {u.data.id for u in a.changed} == {u.data.id for u in b.changed}
    assert a.unchanged == b.unchanged


@given(entries)
def test_second_plan_with_stored_hashes_finds_nothing(items: list[EntryData]) -> None:
    first = plan({}, items)
    assert len(first.new) == len(items)
    stored = {u.data.id: u.content_hash for u in first.updates}
    again = plan(stored, items)
    assert again.new == () and again.changed == () and again.unchanged == len(items)


def test_changed_content_is_changed() -> None:
    a = EntryData(id="x", title="one")
    b = EntryData(id="x", title="two")
    result = plan({"x": content_hash(a)}, [b])
    assert [u.data.title for u in result.changed] == ["two"]
    assert not result.changed[0].is_new


def test_a_deleted_guid_stays_deleted_and_is_forgotten_once_the_document_drops_it() -> None:
    kept, gone, dropped = (EntryData(id=i, title=i) for i in ("kept", "gone", "dropped"))
    known = {"kept": content_hash(kept), "gone": DELETED, "dropped": DELETED}
    result = plan(known, [kept, EntryData(id="gone", title="edited since"), EntryData(id="new")])
    assert [u.data.id for u in result.new] == ["new"]
    assert result.changed == () and result.unchanged == 2
    assert result.forgotten == ("dropped",)
    assert plan(known, [kept, gone]).forgotten == ("dropped",)
    assert plan(known, [kept, gone, dropped]).forgotten == ()
