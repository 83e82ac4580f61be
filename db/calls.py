"""Call events besides the caller's answers: the call ended, its recording is ready."""

from datetime import datetime

from sqlmodel import Session

from db import conversations, store
from db.conversations import Env, Turn
from db.models import InboundMessage
from flows import State
from flows.tip_menu import remember_recording


def end_call(session: Session, env: Env, key: str, provider_id: str, now: datetime) -> Turn:
    """The call is over: file whatever its conversation holds, at once (the caller hung up)."""
    if store.inbound_reply(session, env.keyring, provider_id) is not None:
        return Turn()  # a repeated callback
    row = store.load_flow(session, key)
    turn = conversations.expire(session, env, row, now) if row is not None else Turn()
    _keep(session, provider_id, row.reporter_id if row else None, turn, now)
    return turn


def note_recording(session: Session, env: Env, key: str, provider_id: str, url: str,
                   now: datetime) -> Turn:
    """A call's recording is ready: keep it with the conversation, or with the call's tip."""
    if store.inbound_reply(session, env.keyring, provider_id) is not None:
        return Turn()
    row = store.load_flow(session, key)
    if row is not None:  # the call goes on; its <Record> action moves the conversation
        row.state = remember_recording(State.from_dict(row.state), url).to_dict()
        session.add(row)
        turn = Turn()
    else:
        turn = conversations.late_recording(session, env, key, url, now)
    _keep(session, provider_id, row.reporter_id if row else None, turn, now)
    return turn


def _keep(session: Session, provider_id: str, reporter_id: int | None, turn: Turn,
          now: datetime) -> None:
    """Record the callback itself, linked to any tip it filed (and deduplicated by its id)."""
    session.add(InboundMessage(channel="voice", provider_id=provider_id, reporter_id=reporter_id,
                               tip_id=turn.tips[-1].id if turn.tips else None, body="",
                               received_at=now))
