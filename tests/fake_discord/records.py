"""What the fake remembers about each REST request, for tests to assert on."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecordedFile:
    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request. ``path`` is relative to the API base (``/channels/1/messages``);
    ``route`` is its template (``POST /channels/{channel_id}/messages``), empty when unknown;
    ``json`` is the JSON body or a multipart body's ``payload_json``."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: list[RecordedFile] = field(default_factory=list)
    route: str = ""
    status: int = 0
    response: Any = None

    def summary(self, width: int = 160) -> str:
        body = "" if self.json is None else " " + json.dumps(self.json, ensure_ascii=False)
        files = f" files={[f.filename for f in self.files]}" if self.files else ""
        line = f"{self.method} {self.path} -> {self.status}{files}{body}"
        return line if len(line) <= width else line[: width - 1] + "…"
