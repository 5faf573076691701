"""Login throttling that strangers cannot turn against staff (OWASP's device-cookie pattern).

A successful login gives the browser a signed *device cookie* naming the account. A later login
that presents it is from a *known device*: it counts against that device alone (5 failures in 15
minutes lock that device, not the account), so no failures elsewhere keep its owner out. Every
other attempt is from an *unknown device*: those are limited per account (5) and per client
address (30) in a sliding 15-minute window; a correct password from a known device still passes.

Each attempt is counted *before* the password is checked, under a lock (SQLite's BEGIN IMMEDIATE,
a PostgreSQL advisory lock, or one Lua script in Redis), so that parallel guesses cannot slip
past the limit; a success takes its own attempt back and clears the account's count.

Rows live in `login_attempt` (the account's e-mail, or `device:<id>` for a known device), or in
Redis when `ASSESS_REDIS_URL` is set, with the database taking over if Redis is unreachable.

The same stores limit public forms (`take`): each use counts against named keys
(`limit:<name>`, with no client address on the row, so that it never counts as a failed login).
"""

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

import redis
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from redis.exceptions import RedisError
from sqlalchemy import delete, func, select, text

from ..database import write_transaction
from ..extensions import db
from ..models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 30
MAX_FAILURES_PER_DEVICE = 5
DEVICE_LIFETIME = timedelta(days=365)
DEVICE_PREFIX = "device:"  # an e-mail always has an @, a device key never does


@dataclass
class Reservation:
    """One attempt, counted before the password was checked."""

    email: str
    address: str
    device: str | None
    ids: list[int] = field(default_factory=list)  # database rows
    member: str = ""  # Redis sorted-set member


class Throttle(Protocol):
    def reserve(self, email: str, address: str, device: str | None) -> Reservation | None: ...
    def release(self, reservation: Reservation) -> None: ...
    def take(self, limits: list[tuple[str, int]]) -> bool: ...


LIMIT_PREFIX = "limit:"  # like a device key, never an e-mail


# --- device cookies -----------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt="assess-login-device")


def _account_hash(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def issue_device(email: str) -> str:
    """A new device cookie for this account: signed, naming a random device id."""
    return _serializer().dumps({"a": _account_hash(email), "d": secrets.token_hex(16)})


def known_device(token: str | None, email: str) -> str | None:
    """The device id when `token` is a device cookie this site issued for `email`."""
    if not token:
        return None
    try:
        value = _serializer().loads(token, max_age=int(DEVICE_LIFETIME.total_seconds()))
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(value, dict) or value.get("a") != _account_hash(email):
        return None
    device = value.get("d")
    return device if isinstance(device, str) and device.isalnum() and len(device) <= 64 else None


# --- the database store -------------------------------------------------------------------


def _lock(session, keys: list[str]) -> None:
    """Serialise attempts on the same keys: SQLite's BEGIN IMMEDIATE already serialises every
    write; PostgreSQL takes a transaction-scoped advisory lock per key, in a fixed order."""
    if db.engine.dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 7))"), {"k": key})


def _count(session, *conditions) -> int:
    since = datetime.now(UTC) - WINDOW
    return session.scalar(select(func.count()).where(LoginAttempt.at > since, *conditions))


class DatabaseThrottle:
    def reserve(self, email: str, address: str, device: str | None) -> Reservation | None:
        with write_transaction() as session:
            if device:
                key = DEVICE_PREFIX + device
                _lock(session, [key])
                if _count(session, LoginAttempt.email == key) >= MAX_FAILURES_PER_DEVICE:
                    return None
                row = LoginAttempt(email=key, address=address[:64])
            else:
                _lock(session, [email, "address:" + address])
                if (
                    _count(session, LoginAttempt.email == email) >= MAX_FAILURES_PER_ACCOUNT
                    or _count(session, LoginAttempt.address == address) >= MAX_FAILURES_PER_ADDRESS
                ):
                    return None
                row = LoginAttempt(email=email[:254], address=address[:64])
            session.add(row)
            session.flush()
            # Keep the table small: rows older than the window no longer count.
            session.execute(
                delete(LoginAttempt).where(LoginAttempt.at < datetime.now(UTC) - 2 * WINDOW)
            )
            return Reservation(email, address, device, ids=[row.id])

    def take(self, limits: list[tuple[str, int]]) -> bool:
        """Count one use against each (key, limit) within `WINDOW`, unless a key has reached
        its limit already: whether the use is allowed."""
        keys = [(LIMIT_PREFIX + key)[:254] for key, _ in limits]
        with write_transaction() as session:
            _lock(session, keys)
            for key, (_, limit) in zip(keys, limits, strict=True):
                if _count(session, LoginAttempt.email == key) >= limit:
                    return False
            session.add_all([LoginAttempt(email=key, address="") for key in keys])
            session.execute(
                delete(LoginAttempt).where(LoginAttempt.at < datetime.now(UTC) - 2 * WINDOW)
            )
            return True

    def release(self, reservation: Reservation) -> None:
        """A success: called inside the login's own write transaction."""
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(reservation.ids)))
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == reservation.email))
        if reservation.device:
            key = DEVICE_PREFIX + reservation.device
            db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == key))


# --- the Redis store ------------------------------------------------------------------------

# KEYS: the sorted sets to check and add to; ARGV: now, window, member, then one limit per key.
_RESERVE = """
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
  if redis.call('ZCARD', key) >= tonumber(ARGV[3 + i]) then return 0 end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[1], ARGV[3])
  redis.call('EXPIRE', key, ARGV[2])
end
return 1
"""


class RedisThrottle:
    """If Redis cannot be reached the database takes over, so that logins neither fail nor go
    unthrottled while it is down."""

    def __init__(self, client, prefix: str = "assess:login:") -> None:
        self.client = client
        self.prefix = prefix
        self.fallback = DatabaseThrottle()
        self.script = client.register_script(_RESERVE)

    def _account_key(self, email: str) -> str:
        # Hashed so that no e-mail address is stored in Redis in clear.
        return f"{self.prefix}account:{hashlib.sha256(email.encode()).hexdigest()}"

    def _keys(self, email: str, address: str, device: str | None) -> list[tuple[str, int]]:
        if device:
            return [(f"{self.prefix}device:{device}", MAX_FAILURES_PER_DEVICE)]
        return [
            (self._account_key(email), MAX_FAILURES_PER_ACCOUNT),
            (f"{self.prefix}address:{address}", MAX_FAILURES_PER_ADDRESS),
        ]

    def reserve(self, email: str, address: str, device: str | None) -> Reservation | None:
        keys = self._keys(email, address, device)
        member = uuid.uuid4().hex
        window = int(WINDOW.total_seconds())
        try:
            allowed = self.script(
                keys=[k for k, _ in keys], args=[time.time(), window, member, *[n for _, n in keys]]
            )
        except RedisError:
            _log_unavailable()
            return self.fallback.reserve(email, address, device)
        return Reservation(email, address, device, member=member) if allowed else None

    def take(self, limits: list[tuple[str, int]]) -> bool:
        keys = [f"{self.prefix}{LIMIT_PREFIX}{key}" for key, _ in limits]
        window = int(WINDOW.total_seconds())
        try:
            allowed = self.script(
                keys=keys, args=[time.time(), window, uuid.uuid4().hex, *[n for _, n in limits]]
            )
        except RedisError:
            _log_unavailable()
            return self.fallback.take(limits)
        return bool(allowed)

    def release(self, reservation: Reservation) -> None:
        if reservation.ids:  # reserved in the database while Redis was down
            self.fallback.release(reservation)
            return
        keys = self._keys(reservation.email, reservation.address, reservation.device)
        try:
            pipe = self.client.pipeline()
            for key, _ in keys:
                pipe.zrem(key, reservation.member)
            pipe.delete(self._account_key(reservation.email))
            if reservation.device:
                pipe.delete(keys[0][0])
            pipe.execute()
        except RedisError:
            _log_unavailable()
        self.fallback.release(reservation)


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
