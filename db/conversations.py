"""Running the flows against stored state: one turn per inbound message, or an expiry."""

import functools
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

import flows
from db import followup, limits, recordings, store
from db.models import FlowSession, Reporter, Tip
from db.outbox import queue_for_reporter
from db.privacy import new_pin, new_reference
from db.settings import AUDIO_SUFFIXES
from db.turns import Env, Turn
from flows import AttachRecording, Channel, FileTip, Input, InputKind, SetLanguage, State, Step


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
    event: Input | None = None,
    cumulative: bool = False,
    receipt_by_sms: bool = False,
) -> Turn:
    """Advance the reporter's conversation with one message (or `event`) and store the outcome.

    `cumulative`: `text` holds every answer so far, joined by '*' (Africa's Talking USSD).
    `receipt_by_sms`: a tip filed now is also confirmed by SMS (USSD screens vanish).
    SMS follow-ups (TT, THEM, answers to an officer's question) are handled before the flow.
    """
    relay_key = followup.relay_key(reporter)
    rows = store.load_flows(session, [key, relay_key] if channel is Channel.SMS else [key])
    if channel is Channel.SMS and event is None:
        answered = followup.intercept(session, env, reporter, text, now, rows.get(relay_key))
        if answered is not None:
            return answered
    row = rows.get(key)
    limit = env.settings.session_max_steps
    if row is not None and limit and row.turns >= limit and row.expires_at > now:
        return limits.ended(channel, reporter.language, expire(session, env, row, now, reporter))
    turn = Turn()
    if row is not None and row.expires_at <= now:
        _merge(turn, expire(session, env, row, now, reporter))
        row = None
    consumed = None
    if cumulative:
        event, consumed = new_answer(text, row)
    state = State.from_dict(row.state) if row else None
    province = row.province_code if row and row.province_code else province_code
    event = event or Input(InputKind.TEXT, text)
    turn.answer = event.text
    step, tips = _carry_out(session, env, state, event, channel, reporter, reporter.language,
                            province, now, key)
    turn.step = step
    turn.tips += tips
    if receipt_by_sms:
        turn.outbound_ids += _sms_receipt(session, env, step, reporter, turn.tips, now)
    store.save_flow(session, row, key, channel.value, reporter.id, step.state, now,
                    env.timeout(channel), province, consumed)
    turn.reply = flows.render_all(step.prompts, step.language, channel.value)
    return turn


def new_answer(text: str, row: FlowSession | None) -> tuple[Input, int]:
    """The new answer in a cumulative USSD input ('1*2*trom xe'), and how much is consumed now.

    An empty input, or one for a session we no longer hold (filed after its timeout), starts
    over at the main menu: replaying old answers could file the same tip twice.
    """
    if not text or row is None:
        return Input(InputKind.START), len(text)
    done = row.consumed
    if done == 0:
        return Input(InputKind.TEXT, text), len(text)
    if len(text) > done and text[done] == "*":
        return Input(InputKind.TEXT, text[done + 1 :]), len(text)
    return Input(InputKind.TEXT, text.rsplit("*", 1)[-1]), len(text)  # history rewritten


def expire(
    session: Session, env: Env, row: FlowSession, now: datetime, reporter: Reporter | None = None
) -> Turn:
    """File an abandoned conversation (if it holds anything) and tell the reporter by SMS."""
    if row.state.get("flow") == "relay":  # an officer's question nobody answered
        store.delete_flow(session, row.key)
        return Turn()
    if reporter is None and row.reporter_id:
        reporter = session.get(Reporter, row.reporter_id)
    channel = Channel(row.channel)
    state = State.from_dict(row.state)
    step, tips = _carry_out(session, env, state, Input(InputKind.TIMEOUT), channel, reporter,
                            reporter.language if reporter else state.language,
                            row.province_code, now, row.key)
    turn = Turn(step=step, tips=tips)
    store.delete_flow(session, row.key)
    turn.outbound_ids += _sms_receipt(session, env, step, reporter, turn.tips, now)
    return turn


def late_recording(session: Session, env: Env, key: str, url: str, now: datetime) -> Turn:
    """A recording for a call whose conversation is over: onto the call's tip, or a tip alone."""
    event = Input(InputKind.RECORDING, data={"url": url})
    step, tips = _carry_out(session, env, None, event, Channel.VOICE, None, "vi", None, now, key)
    return Turn(step=step, tips=tips)


def _sms_receipt(session: Session, env: Env, step: Step, reporter: Reporter | None,
                 tips: list[Tip], now: datetime) -> list[int]:
    """Queue the receipt of a just-filed tip as an SMS (PIN sealed), when the reporter has a
    reply address; returns the outbox ids to send."""
    filed = step.filed
    if not (filed and reporter is not None and tips):
        return []
    body = flows.render_all(step.prompts, step.language, Channel.SMS.value)
    message = queue_for_reporter(session, reporter, body, "receipt", f"receipt-{tips[0].id}", now,
                                 env.keyring, secret=filed.pin, tip_id=tips[0].id)
    return [message.id] if message is not None else []


def _resolve(session: Session, env: Env, step: Step, channel: Channel, language: str,
             province: int | None, now: datetime) -> Step:
    """Carry out a Lookup: open the tip with its PIN and advance again with what was found."""
    lookup = step.lookup
    if lookup is None:
        return step
    tip = followup.open_tip(session, env.keyring, lookup.reference, lookup.pin, now)
    result = Input(InputKind.RESULT, data=followup.found(tip and store.case_of(session, tip)))
    after = _advance(env, step.state, result, channel, language, province, now)
    others = tuple(e for e in step.effects if e is not lookup)
    return Step(after.state, step.prompts + after.prompts, others + after.effects, after.wait,
                after.language)


def _carry_out(session: Session, env: Env, state: State | None, event: Input, channel: Channel,
               reporter, language: str, province: int | None, now: datetime,
               key: str) -> tuple[Step, list]:
    """Advance the flow and carry out the step; if the reference drawn for a new tip is
    already in use (the insert says so), draw again and redo the step."""
    for _ in range(8):
        step = _advance(env, state, event, channel, language, province, now)
        step = _resolve(session, env, step, channel, language, province, now)
        try:
            return step, _apply(session, env, step, reporter, channel, now, key)
        except store.ReferenceTaken:
            continue
    raise RuntimeError("no free tip reference after 8 draws")


def _advance(env: Env, state: State | None, event: Input, channel: Channel, language: str,
             province: int | None, now: datetime) -> Step:
    """flows.advance with a freshly drawn reference and PIN."""
    settings = env.settings
    languages = voice_menu(tuple(settings.voice_languages), settings.voice_prompts_dir) \
        if channel is Channel.VOICE else ("vi", "en")
    ctx = flows.Context(now=now, channel=channel, directory=env.directory, language=language,
                        province_code=province, reference=new_reference(), pin=new_pin(),
                        keywords=settings.keywords, speech=settings.voice_speech,
                        languages=languages, urgent_categories=settings.urgent_categories)
    return flows.advance(state, event, ctx)


@functools.cache
def voice_menu(languages: tuple[str, ...], prompts_dir: str) -> tuple[str, ...]:
    """The hotline's language menu: vi and en, then every other VOICE_LANGUAGES entry whose
    choice is recorded (<prompts>/<language>/press_language.mp3 or .wav), e.g. H'Mong or Ede:
    its callers hear its recordings, and Vietnamese speech where a recording is missing."""
    folder = Path(prompts_dir) if prompts_dir else None
    recorded = tuple(
        language for language in languages if language not in ("vi", "en") and folder and any(
            (folder / language / f"press_language{suffix}").is_file() for suffix in AUDIO_SUFFIXES))
    return ("vi", "en") + recorded


def _apply(
    session: Session,
    env: Env,
    step: Step,
    reporter: Reporter | None,
    channel: Channel,
    now: datetime,
    key: str = "",
) -> list[Tip]:
    """Carry out a step's effects in this transaction; returns the tips it filed."""
    tips = []
    for effect in step.effects:
        if isinstance(effect, AttachRecording) and recordings.attach(session, key, effect.url, now):
            continue
        if isinstance(effect, SetLanguage) and reporter is not None:
            store.set_language(session, reporter.id, effect.language)
        elif isinstance(effect, FileTip | AttachRecording):
            filed = effect if isinstance(effect, FileTip) else effect.fallback
            tips.append(store.file_tip(session, env.keyring, env.settings, filed, channel.value,
                                       reporter.id if reporter else None, now,
                                       actor=f"reporter:{channel.value}"))
    return tips


def _merge(turn: Turn, other: Turn) -> None:
    turn.tips += other.tips
    turn.outbound_ids += other.outbound_ids
