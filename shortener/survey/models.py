"""SurveyAnswer: one customer's answer, as stored in the campaign's answers hash (JSON)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import asdict, dataclass
from typing import Any, Self


@dataclass(frozen=True)
class SurveyAnswer:
    """What a customer said about one order.

    ``advocate`` is set when what they typed was an advocate's referral code
    of the campaign; ``text`` is what they typed otherwise (personal data:
    dropped after the retention window and by erasure). ``attributed`` says
    that this answer's code booked the order for that advocate, as no
    conversion had been reported for it yet. Fields added later get a
    default, so records written before still load.
    """

    order_id: str
    campaign_id: str
    heard_via: str
    source: str
    ts: float
    advocate: str | None = None
    text: str | None = None
    attributed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Self:
        names = {field.name for field in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in json.loads(text).items() if name in names})
