"""The participant's "next thing to do", as the apps above mobility report it to the portal's /me/ page.

Each of passport, outcomes, participant_reports and certificates exposes, in its ``selectors`` module,
``next_steps(*, participant, mobilities) -> dict[int, list[NextStep]]`` (keyed by mobility id); the portal
merges them and shows each mobility's steps in ``order``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class NextStep:
    label: str  # translated, imperative: "Rate your key competences before you leave"
    url: str  # where the participant does it
    order: int  # lower first: 10 passport, 20 assessment before, 30 assessment after, 40 report, 50 certificate
    due: datetime.date | None = None
    overdue: bool = False
