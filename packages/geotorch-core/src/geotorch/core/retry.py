"""How often, and after how long a wait, a download is tried again after a transient failure."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

#: Statuses of a server that may answer otherwise a moment later (curl's ``--retry`` takes the same ones).
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Retry:
    """When to give up on a download, and how long to wait between its attempts.

    An attempt that brings bytes beyond any earlier one is progress, and the count of failures starts
    again after it: a large file on a link cut every few hundred megabytes still arrives, while a server
    that always cuts the body at the same place is given up on after ``attempts`` more tries.

    Attributes:
        attempts: How many more times to try after a failure, counted since the last attempt that made
            progress; 0 tries once.
        first_delay_s: The wait before the first retry, in seconds; each further one doubles it.
        most_delay_s: The longest wait between two attempts, in seconds, a ``Retry-After`` included.
        timeout_s: How long to wait for the server to connect or send more bytes, in seconds; a longer
            stall counts as a cut connection.
        sleep: How to wait (``time.sleep``; a test passes a function that records the delays instead).
    """

    attempts: int = 5
    first_delay_s: float = 1.0
    most_delay_s: float = 60.0
    timeout_s: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 0 or not self.timeout_s > 0 or not 0 <= self.first_delay_s <= self.most_delay_s:
            raise ValueError(
                f"Retry: attempts ({self.attempts}) must be 0 or more, timeout_s ({self.timeout_s}) positive and "
                f"0 <= first_delay_s ({self.first_delay_s}) <= most_delay_s ({self.most_delay_s})"
            )

    def delay(self, failures: int, retry_after: str | None = None) -> float:
        """How long to wait before the next attempt, in seconds.

        Args:
            failures: Failed attempts since the last one that made progress (at least 1).
            retry_after: The server's ``Retry-After`` header (seconds or an HTTP date), if it sent one;
                it is waited out when longer than the backoff, up to ``most_delay_s``.
        """
        backoff = self.first_delay_s * 2.0 ** max(failures - 1, 0)
        return min(max(backoff, _seconds(retry_after)), self.most_delay_s)

    def wait(self, failures: int, retry_after: str | None = None) -> None:
        """Wait :meth:`delay` seconds before the next attempt (same arguments)."""
        self.sleep(self.delay(failures, retry_after))


def _seconds(retry_after: str | None) -> float:
    """The wait a ``Retry-After`` value asks for, in seconds; 0 when missing or unreadable."""
    if retry_after is None:
        return 0.0
    value = retry_after.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
