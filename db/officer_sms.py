"""An officer's SMS: parse the command, check they may act on the tip, carry it out."""

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from db import actions, store
from db.models import Officer, Tip, TipStatus, Urgency
from db.turns import Env, Turn
from flows import Prompt, render
from flows.officer import OfficerCommand, parse
from flows.text import SMS_SINGLE_GSM7, gsm7_length, shorten, to_gsm7


def handle(session: Session, env: Env, officer: Officer, text: str, now: datetime) -> Turn:
    """Answer one officer SMS (the reply is one segment) and do what it asks."""
    command = parse(text)
    if command.command is OfficerCommand.LIST:
        return Turn(reply=open_list(session, officer))
    if (command.command is OfficerCommand.ACK and command.reference is None
            and not any(ch.isdigit() for ch in command.text)):  # "OK 4829": a mistyped ref
        return _acknowledge_the_only_one(session, env, officer, now)
    if command.command is OfficerCommand.HELP or command.reference is None:
        return Turn(reply=render(Prompt("officer_help"), "vi", "sms"))
    tip = store.by_reference(session, command.reference, lock=True)
    if tip is None or not actions.may_act(officer, tip):
        # The same answer whether the tip does not exist or belongs to someone else.
        return Turn(reply=render(Prompt("officer_denied", {"ref": command.reference}), "vi", "sms"))
    actor = actions.Actor.officer(officer)
    if command.command is OfficerCommand.ACK:
        return actions.acknowledge(session, env, tip, actor, now)
    if command.command is OfficerCommand.RESOLVE:
        return actions.resolve(session, env, tip, actor, now, command.decision, command.text)
    if command.command is OfficerCommand.ASK:
        return actions.ask(session, env, tip, actor, command.text, now)
    if command.command is OfficerCommand.LINK:
        return _link(session, env, officer, tip, command.other, now)
    code = command.commune_code
    if code is None and command.text:
        commune, could_be = env.directory.pick(command.text, tip.province_code)
        if commune is None:  # a typo or a shared name: the officer picks by code
            return Turn(reply=_choices(command.reference, command.text, could_be))
        code = commune.code
    return actions.transfer(session, env, tip, actor, code, now)


def _link(session: Session, env: Env, officer: Officer, tip: Tip, other_reference: str | None,
          now: datetime) -> Turn:
    """TRUNG <ref> <other ref>: both must be among the officer's tips."""
    if other_reference is None:
        return Turn(reply=render(Prompt("officer_link_usage"), "vi", "sms"))
    other = store.by_reference(session, other_reference, lock=True)
    case = store.case_of(session, other) if other is not None else None
    if case is None or not (actions.may_act(officer, other) or actions.may_act(officer, case)):
        return Turn(reply=render(Prompt("officer_denied", {"ref": other_reference}), "vi", "sms"))
    return actions.link(session, env, tip, actions.Actor.officer(officer), other, now)


def open_list(session: Session, officer: Officer) -> str:
    """'Tin dang mo (3): 482913 CHUA NHAN, 551204 DA NHAN ...' within one segment."""
    tips = actions.open_tips(session, officer)
    if not tips:
        return render(Prompt("officer_list_empty"), "vi", "sms")
    return _listed("officer_list", [f"{t.reference} {_state(t)}" for t in tips])


def _acknowledge_the_only_one(session: Session, env: Env, officer: Officer,
                              now: datetime) -> Turn:
    """'OK' without a reference, as a reply to the dispatch: the officer's one tip not yet
    taken up is taken; with several, which ones they are (a guess could take the wrong one)."""
    waiting = [t for t in actions.open_tips(session, officer)
               if t.status != TipStatus.ACKNOWLEDGED]
    if not waiting:
        return Turn(reply=open_list(session, officer))
    if len(waiting) > 1:
        return Turn(reply=_listed("officer_ack_which", [t.reference for t in waiting]))
    tip = session.execute(
        select(Tip).where(Tip.id == waiting[0].id).with_for_update()
    ).scalar_one()
    return actions.acknowledge(session, env, tip, actions.Actor.officer(officer), now)


def _choices(reference: str, typed: str, found: list) -> str:
    """Which communes a name typed after CHUYEN could be, with their codes (one segment)."""
    if not found:
        return render(Prompt("officer_commune_not_found", {
            "ref": reference, "name": shorten(to_gsm7(typed), 20)}), "vi", "sms")
    items = [f"{to_gsm7(c.name)} {c.code}" for c in found]
    return _listed("officer_commune_choices", items, ref=reference)


def _listed(key: str, items: list[str], **params) -> str:
    """The prompt with as many of the items as fit one segment, and how many more there are."""
    text = ""
    for shown in range(len(items), 0, -1):
        more = render(Prompt("list_more", {"count": len(items) - shown}), "vi", "sms")
        listed = {"count": len(items), "items": ", ".join(items[:shown]), **params}
        text = render(Prompt(key, listed), "vi", "sms") + (more if shown < len(items) else "")
        if gsm7_length(text) <= SMS_SINGLE_GSM7:
            return text
    return text


def _state(tip: Tip) -> str:
    if tip.status == TipStatus.ACKNOWLEDGED:
        return render(Prompt("list_taken"), "vi", "sms")
    key = "list_new_urgent" if tip.urgency == Urgency.URGENT else "list_new"
    return render(Prompt(key), "vi", "sms")
