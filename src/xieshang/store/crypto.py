"""Encryption at rest of personal fields: a key derived from a passphrase (scrypt), AES-GCM.

* The key is derived with scrypt (``n = 2**15, r = 8, p = 1``, 32 bytes) from the passphrase
  and a random 16-byte salt. The salt, the parameters and a *verifier* (a known text sealed
  with the key) are kept in the ``settings`` table under ``crypto``; the passphrase and the
  key never are.
* Each value is sealed with AES-256-GCM under a fresh 12-byte nonce; the table and column
  name are the associated data, so a token cannot be moved to another field unnoticed. A
  token is ``enc1:`` + URL-safe base64 of ``nonce || ciphertext || tag``.
* A wrong passphrase is detected by the verifier failing to open, before any field is read.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any, Final

from xieshang.engine.errors import N_, InputError

__all__ = ["MIN_PASSPHRASE", "TOKEN_PREFIX", "KdfParams", "Vault", "new_vault", "unlock"]

TOKEN_PREFIX: Final = "enc1:"
MIN_PASSPHRASE: Final = 8
_VERIFIER_TEXT: Final = "xieshang verifier v1"
_VERIFIER_CONTEXT: Final = "settings.crypto"


@dataclass(frozen=True, slots=True)
class KdfParams:
    """scrypt parameters, kept beside the data so they can change later.

    Attributes:
        salt: random bytes, 16 of them.
        n: CPU/memory cost (a power of 2).
        r: block size.
        p: parallelism.
    """

    salt: bytes
    n: int = 2**15
    r: int = 8
    p: int = 1

    def to_json(self) -> dict[str, Any]:
        """Plain values for the settings table."""
        return {"kdf": "scrypt", "salt": _b64(self.salt), "n": self.n, "r": self.r, "p": self.p}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KdfParams:
        """The parameters read back from the settings table."""
        if data.get("kdf") != "scrypt":
            raise InputError("passphrase", N_("unknown key derivation '{kdf}'"),
                             kdf=str(data.get("kdf")))
        return cls(salt=_unb64(str(data["salt"])), n=int(data["n"]), r=int(data["r"]),
                   p=int(data["p"]))


class Vault:
    """Seals and opens personal values with one key."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(key)

    @classmethod
    def derive(cls, passphrase: str, params: KdfParams) -> Vault:
        """The vault for a passphrase (scrypt; about 0.1 s and 32 MB on purpose)."""
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        kdf = Scrypt(salt=params.salt, length=32, n=params.n, r=params.r, p=params.p)
        return cls(kdf.derive(passphrase.encode("utf-8")))

    def seal(self, text: str, context: str) -> str:
        """An ``enc1:`` token for ``text``, bound to ``context`` (``table.column``)."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, text.encode("utf-8"), context.encode("utf-8"))
        return TOKEN_PREFIX + _b64(nonce + sealed)

    def open(self, token: str, context: str) -> str:
        """The text inside a token; :class:`InputError` when the key or context is wrong."""
        from cryptography.exceptions import InvalidTag

        if not token.startswith(TOKEN_PREFIX):
            raise InputError("passphrase", N_("a stored value is not an encrypted token"))
        raw = _unb64(token[len(TOKEN_PREFIX):])
        try:
            plain = self._aead.decrypt(raw[:12], raw[12:], context.encode("utf-8"))
        except InvalidTag:
            raise InputError("passphrase", N_("the passphrase does not open this data")) from None
        return plain.decode("utf-8")


def new_vault(passphrase: str) -> tuple[Vault, str]:
    """A vault for a new passphrase and the ``crypto`` setting to store (JSON text)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise InputError("passphrase", N_("must be at least {minimum} characters"),
                         minimum=MIN_PASSPHRASE)
    params = KdfParams(salt=os.urandom(16))
    vault = Vault.derive(passphrase, params)
    setting = {**params.to_json(), "verifier": vault.seal(_VERIFIER_TEXT, _VERIFIER_CONTEXT)}
    return vault, json.dumps(setting, sort_keys=True)


def unlock(passphrase: str, setting: str) -> Vault:
    """The vault for ``passphrase``, checked against the stored verifier.

    Raises:
        InputError: ``passphrase`` — the passphrase is wrong.
    """
    data = json.loads(setting)
    vault = Vault.derive(passphrase, KdfParams.from_json(data))
    try:
        text = vault.open(str(data["verifier"]), _VERIFIER_CONTEXT)
    except InputError:
        raise InputError("passphrase", N_("wrong passphrase")) from None
    if text != _VERIFIER_TEXT:  # pragma: no cover - GCM already refuses a wrong key
        raise InputError("passphrase", N_("wrong passphrase"))
    return vault


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise InputError("passphrase", N_("a stored value is not an encrypted token")) from None
