"""The dispatch pane's three lists: waiting to be dispatched (待派遣), to be verified on site
(待核查) and to be followed up with the reporter (待回访)."""

from __future__ import annotations

from enum import StrEnum

from gridconsole.domain.enums import (
    DISPATCH_WAITING_STATES,
    FOLLOW_UP_WAITING_STATES,
    VERIFY_WAITING_STATES,
    CaseState,
)


class DispatchList(StrEnum):
    waiting = "waiting"  # 待派遣
    verify = "verify"  # 待核查
    follow_up = "follow_up"  # 待回访

    @property
    def states(self) -> tuple[CaseState, ...]:
        return LIST_STATES[self]

    @property
    def label_key(self) -> str:
        return f"dispatch.list_{self.value}"

    def following(self) -> DispatchList:
        """The next list in the tab strip (after the last: the first)."""
        order = list(DispatchList)
        return order[(order.index(self) + 1) % len(order)]


LIST_STATES: dict[DispatchList, tuple[CaseState, ...]] = {
    DispatchList.waiting: DISPATCH_WAITING_STATES,
    DispatchList.verify: VERIFY_WAITING_STATES,
    DispatchList.follow_up: FOLLOW_UP_WAITING_STATES,
}
