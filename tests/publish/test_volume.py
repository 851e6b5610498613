"""The most a request may ask for (500 items) renders, in every format (#14)."""

from __future__ import annotations

import pytest
from lxml import etree

from publish.build import CHANNEL, FORMATS, ORIGINS, entries, load_json
from tidings.parser import parse_feed
from tidings.publish import Format, render


@pytest.mark.parametrize("fmt", FORMATS)
def test_500_items_render(fmt: Format) -> None:
    sent = entries(500)
    body = render(CHANNEL, sent, ORIGINS, fmt)
    if fmt == "json":
        assert len(load_json(body)["items"]) == 500
    else:
        assert (
            len(etree.fromstring(body).xpath("//*[local-name()='item' or local-name()='entry']"))
            == 500
        )
    ids = [e.id for e in parse_feed(body, url=CHANNEL.self_url, max_entries=1000).entries]
    assert ids == [e.guid for e in sent]
