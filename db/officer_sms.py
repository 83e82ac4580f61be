"""An officer's SMS: parse the command, check they may act on the tip, carry it out."""

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from db import actions
from db.models import Officer, Tip, TipStatus
from db.turns import Env, Turn
from flows import Prompt, render
from flows.officer import OfficerCommand, parse
from flows.text import SMS_SINGLE_GSM7, gsm7_length


def handle(session: Session, env: Env, officer: Officer, text: str, now: datetime) -> Turn:
    """Answer one officer SMS (the reply is one segment) and do what it asks."""
    command = parse(text)
    if command.command is OfficerCommand.LIST:
        return Turn(reply=open_list(session, officer))
    if command.command is OfficerCommand.HELP or command.reference is None:
        return Turn(reply=render(Prompt("officer_help"), "vi", "sms"))
    tip = session.execute(
        select(Tip).where(Tip.reference == command.reference).with_for_update()
    ).scalar_one_or_none()
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
    return actions.transfer(session, env, tip, actor, command.commune_code, now)


def open_list(session: Session, officer: Officer) -> str:
    """'Tin dang mo (3): 482913 CHUA NHAN, 551204 DA NHAN ...' within one segment."""
    tips = actions.open_tips(session, officer)
    if not tips:
        return render(Prompt("officer_list_empty"), "vi", "sms")
    items: list[str] = []
    for shown in range(len(tips), 0, -1):
        items = [f"{t.reference} {_state(t)}" for t in tips[:shown]]
        more = render(Prompt("list_more", {"count": len(tips) - shown}), "vi", "sms")
        text = render(Prompt("officer_list", {"count": len(tips), "items": ", ".join(items)}),
                      "vi", "sms") + (more if shown < len(tips) else "")
        if gsm7_length(text) <= SMS_SINGLE_GSM7:
            return text
    return text


def _state(tip: Tip) -> str:
    key = "list_taken" if tip.status == TipStatus.ACKNOWLEDGED else "list_new"
    return render(Prompt(key), "vi", "sms")
