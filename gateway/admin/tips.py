"""The tip list (filters, search, pages), one tip's whole story, and what may be done to it."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from db import actions, recordings, remedies, store, timeline, tiplist
from db.models import Officer, OutboundMessage, Role, Tip
from db.session import Session, reading, transaction, utcnow
from db.turns import Turn
from flows.categories import Category
from flows.officer import Decision
from flows.text import number
from gateway.admin.access import log, log_now, page_number, protect, roles
from gateway.admin.period import day_arg, int_arg, local_day_start
from gateway.inbound import jobs_for
from gateway.services import services
from workers.queues import enqueue_quietly

bp = Blueprint("admin_tips", __name__, url_prefix="/admin/tips")
bp.before_request(protect)
ACTIONS = ("acknowledge", "resolve", "valuable", "not_valuable", "spam", "transfer", "reassign",
           "link", "note", "ask", "retry", "block", "unblock")
REMEDIES_BY = (Role.SUPERVISOR, Role.ADMIN)  # blocking a sender is a supervisor's decision


def tip_filter() -> tiplist.TipFilter:
    """The list's filters from the query string."""
    args = request.args
    last = day_arg("to")
    first = day_arg("from")
    return tiplist.TipFilter(
        status=args.get("status", ""), commune_code=int_arg("commune"),
        province_code=int_arg("province"), category=args.get("category", ""),
        channel=args.get("channel", ""),
        start=local_day_start(first) if first else None,
        end=local_day_start(last + timedelta(days=1)) if last else None,
        valuable=args.get("valuable", ""), overdue=args.get("overdue") == "1",
        q=args.get("q", "")[:100])


@bp.get("")
@roles()
def listing():
    """Tips in scope, newest first, 50 a page."""
    svc = services()
    with reading(svc.engine) as session:
        found = tiplist.page(session, current_user.scope.tips(), tip_filter(), utcnow(),
                             page_number())
    return render_template("admin/tips.html", page=found, categories=list(Category),
                           args=request.args.to_dict())


def in_scope(session: Session, tip_id: int, lock: bool = False) -> Tip:
    """The tip, or 404 when it does not exist or is outside the user's scope."""
    tip = tiplist.find(session, tip_id, lock)
    if tip is None or not current_user.scope.allows(tip):
        abort(404)
    return tip


@bp.get("/<int:tip_id>")
@roles()
def detail(tip_id: int):
    """Timeline, outbound messages and their delivery, the anonymous thread, the actions."""
    svc = services()
    with reading(svc.engine) as session:
        tip = in_scope(session, tip_id)
        story = timeline.story(session, svc.keyring, tip)
        officers = tiplist.assignable(session, tip, current_user.scope.officers())
        case = store.case_of(session, tip) if tip.duplicate_of_id else None
        joined = store.joined(session, tip)
    log_now("view_tip", f"tip:{tip.id}")
    commune = svc.env.directory.get(tip.commune_code)
    scope = current_user.scope
    return render_template("admin/tip.html", tip=tip, story=story, officers=officers,
                           decisions=list(Decision), commune=commune, case=case,
                           case_visible=case is not None and scope.allows(case),
                           joined=[(t, scope.allows(t)) for t in joined])


@bp.get("/<int:tip_id>/recording")
@roles()
def recording(tip_id: int):
    """The voice recording of a tip (audited), for the player on the detail page."""
    with reading(services().engine) as session:
        tip = in_scope(session, tip_id)
    if not tip.recording_url or not tip.recording_url.startswith(("https://", "http://")):
        abort(404)
    log_now("listen", f"tip:{tip.id}")
    # Through the gateway's signed, short-lived link: it fetches from Twilio with the account's
    # credentials, which the browser does not have.
    return redirect(recordings.link(services().settings, tip.reference, utcnow()))


@bp.post("/<int:tip_id>/<action>")
@roles()
def act(tip_id: int, action: str):
    """Do one action; the same db.actions functions as officers' SMS commands."""
    if action not in ACTIONS:
        abort(404)
    svc, now = services(), utcnow()
    with transaction(svc.engine) as session:
        tip = in_scope(session, tip_id, lock=True)
        before = tiplist.event_count(session, tip.id)
        turn = _apply(session, svc, tip, action, now)
        done = tiplist.event_count(session, tip.id) > before
        if done:
            log(session, f"tip_{action}", f"tip:{tip.id}", now)
    enqueue_quietly(svc.redis, jobs_for(turn))
    if done:
        flash(_("Done."), "ok")
    else:
        flash(turn.reply or _("Nothing was changed."), "error")
    return redirect(url_for("admin_tips.detail", tip_id=tip_id))


def _apply(session: Session, svc, tip: Tip, action: str, now):
    form, actor, env = request.form, current_user.actor, svc.env
    if action == "acknowledge":
        return actions.acknowledge(session, env, tip, actor, now)
    if action == "resolve":
        decision = form.get("decision", "")
        chosen = Decision(decision) if decision in {d.value for d in Decision} else None
        return actions.resolve(session, env, tip, actor, now, chosen, form.get("note", ""))
    if action in ("valuable", "not_valuable"):
        return actions.assess(session, tip, actor, action == "valuable", now)
    if action == "spam":
        return actions.spam(session, tip, actor, now)
    if action == "transfer":
        typed = form.get("commune", "").strip()[:60]
        code = number(typed)
        if code is None and typed:
            commune, could_be = env.directory.pick(typed, tip.province_code, limit=6)
            if commune is None:
                return Turn(reply=_which_commune(typed, could_be))
            code = commune.code
        return actions.transfer(session, env, tip, actor, code, now)
    if action == "link":
        typed = "".join(form.get("reference", "").split())[:12]
        other = store.by_reference(session, typed, lock=True)
        if other is None or not current_user.scope.allows(store.case_of(session, other)):
            return Turn(reply=_("No tip %(ref)s among those you may see.", ref=typed or "-"))
        return actions.link(session, env, tip, actor, other, now)
    if action == "reassign":
        officer = session.get(Officer, form.get("officer", 0, type=int))
        if officer is None or not current_user.scope.allows_officer(officer):
            abort(404)
        return actions.reassign(session, env, tip, actor, officer, now)
    if action == "note":
        return actions.note(session, tip, actor, form.get("text", ""), now)
    if action == "retry":
        message = session.get(OutboundMessage, form.get("outbound", 0, type=int))
        if message is None or message.tip_id != tip.id:
            abort(404)
        return remedies.retry_outbound(session, message.id, actor, now)
    if action in ("block", "unblock"):
        if current_user.role not in REMEDIES_BY:
            abort(403)
        return remedies.block_reporter(session, tip, actor, now, blocked=action == "block")
    return actions.ask(session, env, tip, actor, form.get("text", ""), now)


def _which_commune(typed: str, could_be: list) -> str:
    """What to say when a typed commune name is not one commune: the ones it could be, with
    the codes that choose them, or that none has it."""
    if not could_be:
        return _('No commune is called "%(name)s". Enter its code or its whole name.', name=typed)
    choices = "; ".join(f"{c.name}, {c.province_name} ({c.code})" for c in could_be)
    return _("Which commune? %(choices)s. Enter its code.", choices=choices)
