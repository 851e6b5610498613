"""Outbound HTTP: the guarded aiohttp fetcher (``fetcher``), the SSRF policy
(``netguard``), bounded bodies and decompression (``body``), caching and
scheduling hints (``hints``)."""
