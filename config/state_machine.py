"""The one way a record with a status moves: only along its TRANSITIONS table."""


class StatusMachine:
    """A model mixin: `TRANSITIONS` maps each status to where it may go next, and
    `illegal_transition` is the exception any other move raises."""

    TRANSITIONS: dict[str, tuple[str, ...]]
    illegal_transition: type[Exception]

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    def transition_to(self, status: str) -> str:
        """Move to `status`, or raise `illegal_transition`. Returns the status it left."""
        if not self.can_move_to(status):
            raise self.illegal_transition(f"{self.status} → {status}")
        previous, self.status = self.status, status
        return previous
