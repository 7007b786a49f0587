"""The console sign-in throttle: an attempt is counted before its password is checked.

Three budgets, taken in order and only while the previous one has room, so an attempt refused by one is not
charged to the next:

1. the (account, address) pair: AUTH_RATE_LIMIT_MAX attempts per window;
2. the address, across accounts: AUTH_RATE_LIMIT_MAX per window (guessing one password on many accounts);
3. the account, from every address together: AUTH_ACCOUNT_RATE_LIMIT_MAX per window, a slower ceiling
   against a guesser spread over many addresses.

One address can thus spend at most AUTH_RATE_LIMIT_MAX of an account's ceiling per window, and a burst
from it does not lock the account's owner out at another address. A successful sign-in clears the pair and
the address budgets (an office behind one address signs in all morning); the account ceiling is kept.
"""

import math

from mnp_chatbot.core.errors import RateLimited
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.ratelimit import Limiter, Verdict, rate_key

log = get_logger(__name__)


def wait_in_words(seconds: int) -> str:
    """How long to wait, as an operator reads it: 「45秒」 under a minute, else whole minutes rounded up."""
    if seconds < 60:
        return f"{max(seconds, 1)}秒"
    return f"{math.ceil(seconds / 60)}分"


def refused(verdict: Verdict) -> RateLimited:
    wait = wait_in_words(verdict.retry_after)
    message = f"ログインの試行が多すぎます。{wait}ほど待ってから、もう一度お試しください。"
    return RateLimited(message, headers=verdict.headers())


class LoginThrottle:
    def __init__(self, per_address: Limiter, per_account: Limiter) -> None:
        self.per_address = per_address
        self.per_account = per_account

    @staticmethod
    def _keys(account: str, client: str) -> tuple[str, str, str]:
        address = rate_key(client)
        return f"pair:{account}|{address}", f"ip:{address}", f"account:{account}"

    async def attempt(self, account: str, client: str) -> None:
        """Count one attempt; RateLimited (429 with Retry-After) when a budget is used up."""
        pair, address, whole = self._keys(account, client)
        for limiter, key in (
            (self.per_address, pair),
            (self.per_address, address),
            (self.per_account, whole),
        ):
            verdict = await limiter.hit(key)
            if not verdict.allowed:
                log.warning("auth.login.throttled", key_kind=key.split(":", 1)[0])
                raise refused(verdict)

    async def succeeded(self, account: str, client: str) -> None:
        pair, address, _ = self._keys(account, client)
        await self.per_address.clear(pair)
        await self.per_address.clear(address)
