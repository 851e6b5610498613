"""``tidings worker`` and the background of ``tidings serve``: refresh feeds as they come due."""

from tidings.worker.loop import run_worker

__all__ = ["run_worker"]
