"""How a stored notice leaves the platform. A transport only carries; it decides nothing.

Delivery is at least once: a notice whose transaction fails after the transport wrote it is sent
again on the next run, so every message carries the notice id for the receiver to recognise it.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

DEFAULT_OUTBOX = Path("var/outbox")
TRANSPORTS = ("file", "console")


class Transport(Protocol):
    name: str

    def send(self, message: dict[str, Any]) -> None:
        """Deliver one message (see service.message_of); raise to report a failed attempt."""
        ...


@dataclass
class FileTransport:
    """JSON Lines, one file per local sending day: `<directory>/notices-YYYY-MM-DD.jsonl`."""

    directory: Path = DEFAULT_OUTBOX
    name: str = "file"

    def send(self, message: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        day = str(message["sent_at"])[:10]
        path = self.directory / f"notices-{day}.jsonl"
        line = json.dumps(message, ensure_ascii=False, sort_keys=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())  # on disk before the notice is marked sent


@dataclass
class ConsoleTransport:
    """One readable line per notice (demo, operators watching a terminal)."""

    stream: TextIO = field(default_factory=lambda: sys.stdout)
    name: str = "console"

    def send(self, message: dict[str, Any]) -> None:
        due = message.get("due")
        due_text = f" 期限 {due['date']}{'（暂定）' if due['provisional'] else ''}" if due else ""
        zh = (message.get("content") or {}).get("zh", "")
        print(
            f"[通知 #{message['id']}] {message['kind']} → {message['recipient']}"
            f" ({message['recipient_kind']}){due_text}: {zh}",
            file=self.stream,
            flush=True,
        )


def get_transport(name: str, *, directory: Path | None = None) -> Transport:
    """A transport by name; the file transport writes to `directory`, else $XINYONG_OUTBOX or var/outbox."""
    if name == "file":
        return FileTransport(directory or Path(os.environ.get("XINYONG_OUTBOX", str(DEFAULT_OUTBOX))))
    if name == "console":
        return ConsoleTransport()
    raise ValueError(f"unknown transport {name!r} (one of {', '.join(TRANSPORTS)})")
