"""The marketer account record, stored as one JSON string."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Self

# What each role may do; shortener/dashboard/roles.py enforces it.
# admin: everything, users and API keys included; editor: campaigns, links,
# advocates, conversions; viewer: figures only, advocates by id (no names or
# contact details), no forms.
ROLES = ("admin", "editor", "viewer")


@dataclass(frozen=True)
class User:
    email: str
    password_hash: str
    created_at: float = 0.0
    # Accounts made before roles existed could do everything: they read as admin.
    role: str = "admin"
    # Set by a password reset: the next sign-in must choose a new password first.
    must_change_password: bool = False

    @classmethod
    def from_json(cls, text: str) -> Self:
        data = json.loads(text)
        return cls(email=data["email"], password_hash=data["password_hash"],
                   created_at=float(data.get("created_at", 0.0)),
                   role=data.get("role", "admin"),
                   must_change_password=bool(data.get("must_change_password", False)))

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    def to_dict(self) -> dict[str, object]:
        """The account without its password hash."""
        return {"email": self.email, "created_at": self.created_at, "role": self.role,
                "must_change_password": self.must_change_password}
