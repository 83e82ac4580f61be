"""Running the flows against stored state: one turn per inbound message, or an expiry."""

from datetime import datetime

from sqlmodel import Session

import flows
from db import followup, store
from db.models import FlowSession, Reporter, Tip
from db.outbox import queue_for_reporter
from db.privacy import new_pin, new_reference
from db.turns import Env, Turn
from flows import Channel, FileTip, Input, InputKind, SetLanguage, State, Step


def take_turn(
    session: Session,
    env: Env,
    *,
    channel: Channel,
    key: str,
    reporter: Reporter,
    text: str,
    now: datetime,
    province_code: int | None,
) -> Turn:
    """Advance the reporter's conversation with one message and store the outcome."""
    if channel is Channel.SMS:
        answered = followup.intercept(session, env, reporter, text, now)
        if answered is not None:
            return answered
    row = store.load_flow(session, key)
    turn = Turn()
    if row is not None and row.expires_at <= now:
        _merge(turn, expire(session, env, row, now, reporter))
        row = None
    state = State.from_dict(row.state) if row else None
    province = row.province_code if row and row.province_code else province_code
    step = _advance(session, env, state, Input(InputKind.TEXT, text), channel, reporter.language,
                    province, now)
    turn.step = step
    turn.tips += _apply(session, env, step, reporter, channel, now)
    store.save_flow(session, row, key, channel.value, reporter.id, step.state, now,
                    env.timeout(channel), province)
    turn.reply = flows.render_all(step.prompts, step.language, channel.value)
    return turn


def expire(
    session: Session, env: Env, row: FlowSession, now: datetime, reporter: Reporter | None = None
) -> Turn:
    """File an abandoned conversation (if it holds anything) and tell the reporter by SMS."""
    if row.state.get("flow") == "relay":  # an officer's question nobody answered
        session.delete(row)
        return Turn()
    if reporter is None and row.reporter_id:
        reporter = session.get(Reporter, row.reporter_id)
    channel = Channel(row.channel)
    state = State.from_dict(row.state)
    step = _advance(session, env, state, Input(InputKind.TIMEOUT), channel,
                    reporter.language if reporter else state.language, row.province_code, now)
    turn = Turn(step=step, tips=_apply(session, env, step, reporter, channel, now))
    session.delete(row)
    filed = step.filed
    if filed and reporter is not None and turn.tips:
        body = flows.render_all(step.prompts, step.language, Channel.SMS.value)
        message = queue_for_reporter(session, reporter, body, "receipt",
                                     f"receipt-{turn.tips[0].id}", now, env.keyring,
                                     secret=filed.pin, tip_id=turn.tips[0].id)
        if message is not None:
            turn.outbound_ids.append(message.id)
    return turn


def _advance(
    session: Session,
    env: Env,
    state: State | None,
    event: Input,
    channel: Channel,
    language: str,
    province: int | None,
    now: datetime,
) -> Step:
    """flows.advance with a fresh reference and PIN, redrawn if the reference is taken."""
    for _ in range(8):
        ctx = flows.Context(now=now, channel=channel, directory=env.directory, language=language,
                            province_code=province, reference=new_reference(), pin=new_pin(),
                            keywords=env.settings.keywords)
        step = flows.advance(state, event, ctx)
        filed = step.filed
        if filed is None or not store.reference_taken(session, filed.reference):
            return step
    raise RuntimeError("no free tip reference after 8 draws")


def _apply(
    session: Session,
    env: Env,
    step: Step,
    reporter: Reporter | None,
    channel: Channel,
    now: datetime,
) -> list[Tip]:
    """Carry out a step's effects in this transaction."""
    tips = []
    for effect in step.effects:
        if isinstance(effect, SetLanguage) and reporter is not None:
            reporter.language = effect.language
        elif isinstance(effect, FileTip):
            tips.append(store.file_tip(session, env.keyring, env.settings, effect, channel.value,
                                       reporter.id if reporter else None, now,
                                       actor=f"reporter:{channel.value}"))
    return tips


def _merge(turn: Turn, other: Turn) -> None:
    turn.tips += other.tips
    turn.outbound_ids += other.outbound_ids
    turn.cancel += other.cancel
