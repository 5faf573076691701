"""Login throttling shared by every worker and host: in the database, or in Redis when configured.

Failures are counted in a sliding window per account (e-mail) and per client address. A success
clears the account's count, not the address's: one address guessing at many accounts stays slowed.
`ASSESS_REDIS_URL` selects Redis; otherwise the `login_attempt` table serves, which needs nothing
more than the database every worker already shares.
"""

import hashlib
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Protocol

import redis
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import delete, func, select

from ..database import write_transaction
from ..extensions import db
from ..models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 30


class Throttle(Protocol):
    def blocked(self, email: str, address: str) -> bool: ...
    def record_failure(self, email: str, address: str) -> None: ...
    def clear_account(self, email: str) -> None: ...


class DatabaseThrottle:
    """Failed attempts as rows of `login_attempt`."""

    def blocked(self, email: str, address: str) -> bool:
        since = datetime.now(UTC) - WINDOW
        by_account = db.session.scalar(
            select(func.count()).where(LoginAttempt.email == email, LoginAttempt.at > since)
        )
        by_address = db.session.scalar(
            select(func.count()).where(LoginAttempt.address == address, LoginAttempt.at > since)
        )
        return (by_account or 0) >= MAX_FAILURES_PER_ACCOUNT or (
            by_address or 0
        ) >= MAX_FAILURES_PER_ADDRESS

    def record_failure(self, email: str, address: str) -> None:
        with write_transaction() as session:
            session.add(LoginAttempt(email=email[:254], address=address[:64]))
            # Keep the table small: rows older than the window no longer count.
            session.execute(
                delete(LoginAttempt).where(LoginAttempt.at < datetime.now(UTC) - 2 * WINDOW)
            )

    def clear_account(self, email: str) -> None:
        # Called inside the login's own write transaction.
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))


class RedisThrottle:
    """A sorted set of failure times per account and per address, expiring with the window.

    If Redis cannot be reached the database takes over, so that logins neither fail nor go
    unthrottled while it is down.
    """

    def __init__(self, client, prefix: str = "assess:login:") -> None:
        self.client = client
        self.prefix = prefix
        self.fallback = DatabaseThrottle()

    def _keys(self, email: str, address: str) -> tuple[str, str]:
        # Hashed so that no e-mail address is stored in Redis in clear.
        account = hashlib.sha256(email.encode()).hexdigest()
        return f"{self.prefix}account:{account}", f"{self.prefix}address:{address}"

    def blocked(self, email: str, address: str) -> bool:
        try:
            return self._blocked(email, address)
        except RedisError:
            _log_unavailable()
            return self.fallback.blocked(email, address)

    def record_failure(self, email: str, address: str) -> None:
        try:
            self._record_failure(email, address)
        except RedisError:
            _log_unavailable()
            self.fallback.record_failure(email, address)

    def clear_account(self, email: str) -> None:
        try:
            self.client.delete(self._keys(email, "")[0])
        except RedisError:
            _log_unavailable()
        self.fallback.clear_account(email)

    def _blocked(self, email: str, address: str) -> bool:
        since = time.time() - WINDOW.total_seconds()
        account_key, address_key = self._keys(email, address)
        pipe = self.client.pipeline()
        pipe.zcount(account_key, since, "+inf")
        pipe.zcount(address_key, since, "+inf")
        by_account, by_address = pipe.execute()
        return (by_account or 0) >= MAX_FAILURES_PER_ACCOUNT or (
            by_address or 0
        ) >= MAX_FAILURES_PER_ADDRESS

    def _record_failure(self, email: str, address: str) -> None:
        now = time.time()
        window = int(WINDOW.total_seconds())
        pipe = self.client.pipeline()
        for key in self._keys(email, address):
            pipe.zadd(key, {uuid.uuid4().hex: now})
            pipe.zremrangebyscore(key, "-inf", now - window)
            pipe.expire(key, window)
        pipe.execute()


def _log_unavailable() -> None:
    current_app.logger.warning("Redis unavailable: login throttling falls back to the database")


def current() -> Throttle:
    """The throttle this app is configured with (one Redis client per app, made on first use)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return DatabaseThrottle()
    throttle = current_app.extensions.get("assess_throttle")
    if throttle is None:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        prefix = current_app.config.get("REDIS_KEY_PREFIX", "assess:") + "login:"
        throttle = current_app.extensions["assess_throttle"] = RedisThrottle(client, prefix)
    return throttle
