"""The writes a page may start, in one place: a return's preview and load, and the office's
review actions. Each is the very function the command line calls, so a page and `python -m etl`
can never disagree; pages reach the write path only through here."""

from __future__ import annotations

from dashboard.queries.db import snapshot_id
from etl.core.store import WriterBusy
from etl.returns.bounded import bounded_load
from etl.returns.load import preview_file, submit_file
from etl.returns.safety import staged_upload, upload_limit_bytes, upload_limit_mb
from etl.workflow.approval import approve, mark_checked, unlock, withdraw
from etl.workflow.users import ROLE_OFFICE, ROLE_UNIT

# What an action reports back to the person who started it: refusals of the workflow (and
# unknown units) are ValueErrors; a busy writer means someone else is loading right now.
ACTION_ERRORS: tuple[type[Exception], ...] = (ValueError, WriterBusy)

__all__ = [
    "ACTION_ERRORS",
    "ROLE_OFFICE",
    "ROLE_UNIT",
    "WriterBusy",
    "approve",
    "bounded_load",
    "mark_checked",
    "preview_file",
    "snapshot_id",
    "staged_upload",
    "submit_file",
    "unlock",
    "upload_limit_bytes",
    "upload_limit_mb",
    "withdraw",
]
