"""Password and approval-password hashing with argon2id and explicit parameters."""

from __future__ import annotations

from argon2 import PasswordHasher, Type, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
SERVING = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)
# For tests only: the cheapest parameters argon2-cffi offers.
CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)


class Hasher:
    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        self._dummy = hasher.hash("ti24-dummy-password")

    @property
    def parameters(self) -> tuple[int, int, int]:
        return self._hasher.time_cost, self._hasher.memory_cost, self._hasher.parallelism

    def hash(self, secret: str) -> str:
        return self._hasher.hash(secret)

    def verify(self, stored: str | None, secret: str) -> bool:
        """Constant work whether or not an account exists: a missing hash is checked
        against a dummy so timing does not reveal which IDs are registered."""
        try:
            return self._hasher.verify(stored or self._dummy, secret) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
