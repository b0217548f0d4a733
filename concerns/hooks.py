"""What other apps do when a case moves on. They register here; concerns never imports them.

referrals registers "end every open referral" for closing, so a closed case
leaves no agency reading it, without concerns knowing that referrals exist.
"""

from collections.abc import Callable

_ON_CLOSE: list[Callable] = []


def on_close(function: Callable) -> Callable:
    """Register `function(*, concern, actor)` to run inside the closing transaction."""
    _ON_CLOSE.append(function)
    return function


def run_close_hooks(*, concern, actor) -> None:
    for function in _ON_CLOSE:
        function(concern=concern, actor=actor)
