"""The marketer account record, stored as one JSON string."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Self


@dataclass(frozen=True)
class User:
    email: str
    password_hash: str
    created_at: float = 0.0

    @classmethod
    def from_json(cls, text: str) -> Self:
        data = json.loads(text)
        return cls(email=data["email"], password_hash=data["password_hash"],
                   created_at=float(data.get("created_at", 0.0)))

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    def to_dict(self) -> dict[str, object]:
        """The account without its password hash."""
        return {"email": self.email, "created_at": self.created_at}
