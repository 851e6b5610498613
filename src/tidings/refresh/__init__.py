"""The refresh: fetch, process, enrich and record feeds.

- ``pipeline``: one feed's refresh, a straight line (``refresh_feed``);
- ``batch``: many feeds at once under work and write slots (``refresh_feeds``);
- ``process``: the pure CPU step run inline or in a worker (``process_document``);
- ``pool``: the worker processes (``Processors``), their owner watch, a dead worker's rebuild;
- ``enrich``: the article pages new teasers want.
"""
