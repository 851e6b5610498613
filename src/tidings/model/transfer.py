"""What ``tidings copy-db`` reports (#13): per table, rows and checksums on both sides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CopyOutcome", "CopyReport", "TableCheck"]

#: copied (and verified); already copied (the target held the same rows);
#: verified (``--verify``: compared only); mismatch (a copy that did not verify
#: was rolled back, or ``--verify`` found a difference)
CopyOutcome = Literal["copied", "already copied", "verified", "mismatch"]


@dataclass(frozen=True, slots=True)
class TableCheck:
    """One table on both sides: its row count and its checksum (hex)."""

    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


@dataclass(frozen=True, slots=True)
class CopyReport:
    outcome: CopyOutcome
    tables: tuple[TableCheck, ...]
    seconds: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome != "mismatch" and all(t.ok for t in self.tables)

    @property
    def rows(self) -> int:
        return sum(t.source_rows for t in self.tables)
