"""Per-process resources of a worker: settings, engine, Redis, keys, providers."""

import os
from dataclasses import dataclass, field

from db.resources import Resources
from db.session import Engine, redoable_engine
from db.settings import Settings
from workers.providers import Provider, build_provider
from workers.providers.registry import Providers
from workers.queues import Redis, connect


@dataclass
class Runtime(Resources):
    """Everything a job needs, built once per process by the entry point."""

    redis: Redis
    provider: Provider
    providers: Providers
    redoable: Engine  # dispatch and send bookkeeping: see db.session.redoable_engine
    pid: int = field(default_factory=os.getpid)
    # Seconds this process has set a deadline wake-up for, oldest first (workers.handoff)
    wakeups: dict[int, None] = field(default_factory=dict)

    def close(self) -> None:
        """Close this process's database connections."""
        self.engine.dispose()
        if self.redoable is not self.engine:
            self.redoable.dispose()


_current: Runtime | None = None


def init(settings: Settings, provider: Provider | None = None) -> Runtime:
    """Build this process's runtime (the worker entry point and tests call this)."""
    global _current
    default = provider or build_provider(settings)
    parts = Runtime.parts(settings)
    _current = Runtime(**parts, redis=connect(settings.redis_url), provider=default,
                       providers=Providers(settings, default),
                       redoable=redoable_engine(parts["engine"]))
    return _current


def get() -> Runtime:
    """The runtime of this process; a forked work horse gets fresh database connections."""
    global _current
    if _current is None:
        return init(Settings.from_env())
    if _current.pid != os.getpid():
        _current.engine.dispose(close=False)
        _current.redoable.dispose(close=False)
        _current.pid = os.getpid()
    return _current
