"""The app's shared resources, built once in create_app() and reached through current_app."""

from dataclasses import dataclass

from flask import current_app

from db.resources import Resources
from db.settings import Settings
from workers.queues import Redis, connect


@dataclass
class Services(Resources):
    """Resources plus the Redis client the web app enqueues with."""

    redis: Redis

    @classmethod
    def build(cls, settings: Settings) -> "Services":
        """Everything for one app instance (connections are opened lazily)."""
        return cls(**cls.parts(settings), redis=connect(settings.redis_url))


def services() -> Services:
    """The Services of the current app."""
    return current_app.extensions["tinbao"]
