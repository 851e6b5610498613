"""Settings: one table, loaded once, passed explicitly.

Sources in precedence order: explicit overrides (CLI flags), environment
variables ``TIDINGS_<NAME>``, then a TOML file (``TIDINGS_CONFIG`` or
``<data dir>/tidings.toml``), then the defaults below.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from tidings.core.urls import parse_allow_entry
from tidings.errors import SettingsError
from tidings.logs import FORMATS, LEVELS

__all__ = ["SETTINGS", "Setting", "Settings", "default_data_dir", "load_settings"]


def default_data_dir() -> Path:
    """The user data dir: ``$XDG_DATA_HOME/tidings`` or ``~/.local/share/tidings``."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return Path(base) / "tidings"


def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        v = value.strip().lower()
        if v not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return v

    return parse


def _list(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


def _count(value: str) -> int:
    """A whole number, 0 or more."""
    number = int(value)
    if number < 0:
        raise ValueError(f"{value!r} is below 0")
    return number


_LOCALHOST = ("127.0.0.0/8", "::1")


def _allowlist(value: str) -> tuple[str, ...]:
    """``allow_private_networks``: each entry checked now, so that a typo is an error
    at start, not a feed refused later; ``localhost`` means 127.0.0.0/8 and ::1."""
    entries: list[str] = []
    for entry in _list(value):
        name, colon, port = entry.lower().partition(":")
        if name == "localhost":
            entries += _LOCALHOST if not colon else (f"127.0.0.1:{port}", f"[::1]:{port}")
        else:
            entries.append(entry)
    for entry in entries:
        try:
            parse_allow_entry(entry)
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an address, a network or a host name: expected entries "
                "such as 127.0.0.0/8, 10.0.0.5:3000, [fd00::1]:80, localhost or rss-bridge:3000"
            ) from None
    return tuple(entries)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db",
        "",
        str,
        "Database URL: sqlite:///path or postgresql://user@host:port/db; default a SQLite "
        "file in the data dir.",
    ),
    Setting("data_dir", "", str, "Directory of the default SQLite database and of tidings.toml."),
    Setting(
        "user_agent",
        "Tidings/0.1 (+https://github.com/tidings-reader/tidings; feed reader)",
        str,
        "User-Agent sent with every request.",
    ),
    Setting("fetch_timeout", 30.0, float, "Total deadline in seconds for one fetch."),
    Setting("connect_timeout", 10.0, float, "Connect timeout in seconds."),
    Setting("max_body_bytes", 16 * 1024 * 1024, int, "Response size cap, after decompression."),
    Setting("max_redirects", 5, int, "Redirect hops followed per fetch."),
    Setting("concurrency", 64, int, "Fetches in flight at once."),
    Setting("per_host_concurrency", 4, int, "Fetches in flight at once to one host."),
    Setting("min_interval", 600, int, "Shortest time between two checks of a feed (s)."),
    Setting("max_interval", 86400, int, "Longest time between two checks of a feed (s)."),
    Setting("max_entries_per_fetch", 2000, int, "Entries read from one document (B5)."),
    Setting(
        "max_subscriptions_per_user",
        10000,
        int,
        "Feeds one user may follow; subscribing past it fails, an OPML import stops there.",
    ),
    Setting(
        "allow_private_networks",
        (),
        _allowlist,
        "Comma-separated CIDRs, addresses or host names, each with an optional :port, that "
        "outbound requests may reach although private (e.g. 127.0.0.0/8 or localhost "
        "for RSS-Bridge).",
    ),
    Setting("parse_workers", 0, int, "Processes for parsing during refresh (0: one per core)."),
    Setting("refresh_every", 60, int, "Seconds between scheduler passes in serve/worker."),
    Setting(
        "base_url",
        "",
        str,
        "Public base URL of the web app (generated links; the WebSub callback: without "
        "it, hubs are not asked to push).",
    ),
    Setting(
        "publish_hub",
        "",
        str,
        "WebSub hub told (hub.mode=publish) when a public publication has new items, and "
        "named as rel=hub in its feeds; needs base_url.",
    ),
    Setting(
        "trusted_proxies",
        (),
        _list,
        "Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For "
        "names the client (login throttling); empty: the connecting address is the client.",
    ),
    Setting(
        "full_text_default",
        "auto",
        _one_of("auto", "always", "never"),
        "Full-text mode of a feed subscribed to for the first time (auto, always, never).",
    ),
    Setting(
        "media_proxy",
        "http-only",
        _one_of("none", "http-only", "all"),
        "Story images through Tidings' media proxy (#15): http-only (plain http images, "
        "so a page has no mixed content), all (no image is loaded from its source) or none.",
    ),
    Setting(
        "media_proxy_max_bytes",
        10 * 1024 * 1024,
        int,
        "Largest image the media proxy passes on (bytes).",
    ),
    Setting("background_refresh", True, _bool, "Refresh due feeds in the background of serve."),
    Setting(
        "retention_read_days",
        60,
        _count,
        "Days an entry every subscriber has read is kept after it was stored (0: for ever); "
        "starred and tagged entries are always kept.",
    ),
    Setting(
        "retention_unread_days",
        180,
        _count,
        "Days an entry someone has not read is kept after it was stored (0: for ever).",
    ),
    Setting(
        "retention_keep_per_feed",
        50,
        _count,
        "Newest entries of each feed kept whatever their age (0: none).",
    ),
    Setting(
        "cleanup_every",
        86400,
        _count,
        "Seconds between two cleanups of old entries by serve/worker, across all "
        "processes (0: only `tidings cleanup`).",
    ),
    Setting("log_format", "text", _one_of(*FORMATS), "Log lines on stderr: text or json."),
    Setting(
        "log_level",
        "info",
        _one_of(*LEVELS),
        "Least severe level logged: " + ", ".join(LEVELS) + ".",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    db: str
    data_dir: str
    user_agent: str
    fetch_timeout: float
    connect_timeout: float
    max_body_bytes: int
    max_redirects: int
    concurrency: int
    per_host_concurrency: int
    min_interval: int
    max_interval: int
    max_entries_per_fetch: int
    max_subscriptions_per_user: int
    allow_private_networks: tuple[str, ...]
    parse_workers: int
    refresh_every: int
    base_url: str
    publish_hub: str
    trusted_proxies: tuple[str, ...]
    full_text_default: str
    media_proxy: str
    media_proxy_max_bytes: int
    background_refresh: bool
    retention_read_days: int
    retention_unread_days: int
    retention_keep_per_feed: int
    cleanup_every: int
    log_format: str
    log_level: str

    @property
    def db_url(self) -> str:
        if self.db:
            return self.db
        return f"sqlite:///{Path(self.resolved_data_dir) / 'tidings.db'}"

    @property
    def resolved_data_dir(self) -> str:
        return self.data_dir or str(default_data_dir())


def _coerce(setting: Setting, value: Any) -> Any:
    try:
        if isinstance(value, str):
            return setting.parse(value)
        if isinstance(setting.default, tuple) and isinstance(value, list | tuple):
            return setting.parse(",".join(str(v) for v in value))
        return setting.parse(str(value)) if not isinstance(value, type(setting.default)) else value
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {setting.name}: {exc}") from exc


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: str | None = None,
) -> Settings:
    """Build the immutable settings from defaults, file, environment and overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    path = config_file or env.get("TIDINGS_CONFIG")
    if path is None:
        data_dir = env.get("TIDINGS_DATA_DIR") or str(default_data_dir())
        candidate = Path(data_dir) / "tidings.toml"
        path = str(candidate) if candidate.exists() else None
    if path:
        try:
            with open(path, "rb") as f:
                file_values = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"cannot read {path}: {exc}") from exc
        for key, value in file_values.items():
            if key not in _BY_NAME:
                raise SettingsError(f"unknown setting {key!r} in {path}")
            values[key] = _coerce(_BY_NAME[key], value)
    for s in SETTINGS:
        raw = env.get(f"TIDINGS_{s.name.upper()}")
        if raw is not None:
            values[s.name] = _coerce(s, raw)
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in _BY_NAME:
            raise SettingsError(f"unknown setting {key!r}")
        values[key] = _coerce(_BY_NAME[key], value)
    names = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in values.items() if k in names})
