"""The Reward record and the status moves it allows."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Self

STATUSES = ("pending", "approved", "paid", "rejected")
# Where each status may go next; paid and rejected are final.
MOVES = {
    "pending": ("approved", "rejected"),
    "approved": ("paid", "rejected"),
    "paid": (),
    "rejected": (),
}


@dataclass(frozen=True)
class Reward:
    id: str
    campaign: str
    advocate: str
    reward: str
    conversions: int
    status: str = "pending"
    created_at: float = 0.0
    updated_at: float | None = None
    updated_by: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, text: str) -> Self:
        return cls(**json.loads(text))

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def approved(self) -> dict[str, Any] | None:
        """The history entry of its approval, if any."""
        return next((step for step in self.history if step["status"] == "approved"), None)
