"""The hand-off sweep, run every HANDOFF_SWEEP_INTERVAL_SECONDS on each replica (its moves are conditional
UPDATEs, so replicas running it at once never move a hand-off twice)."""

from mnp_chatbot.core.periodic import Periodic
from mnp_chatbot.handoff.service import HandoffService


class SweepSchedule(Periodic):
    def __init__(self, handoffs: HandoffService, *, interval: float) -> None:
        super().__init__("handoff.sweep", handoffs.sweep, interval=interval)
        self.handoffs = handoffs
