"""What every process of a deployment holds: settings, engine, keys and the commune index."""

from dataclasses import dataclass, field

import flows
from db.directory import build_index
from db.limits import Gate
from db.privacy import Keyring
from db.session import Engine, make_engine
from db.settings import Settings
from db.turns import Env


@dataclass
class Resources:
    """Built once per process (app factory or worker entry point)."""

    settings: Settings
    engine: Engine
    keyring: Keyring
    _directory: flows.Directory | None = field(default=None, repr=False, kw_only=True)
    _gate: Gate = field(default_factory=Gate, repr=False, kw_only=True)

    @classmethod
    def parts(cls, settings: Settings) -> dict:
        """The constructor arguments every subclass shares."""
        return {
            "settings": settings,
            "engine": make_engine(settings.database_url),
            "keyring": Keyring(settings.pseudonym_key, settings.reply_address_keys),
        }

    @property
    def directory(self) -> flows.Directory:
        """The commune index, loaded once per process on first use."""
        if self._directory is None:
            self._directory = build_index(self.engine)
        return self._directory

    @property
    def env(self) -> Env:
        """What conversations need."""
        return Env(self.keyring, self.directory, self.settings, self._gate)
