"""USSD menus and the voice greeting around the tip flow's own nodes: same questions, same filing.

A USSD session starts at a main menu (report, check a tip, language) and may go back (0) or
home (00); a call starts with a greeting and a language choice, reads a keyed-in commune code
back for confirmation, records the tip and, where speech is on, asks for a spoken summary.
Category, commune and details are answered by the very handlers the SMS line uses.
"""

import copy
from collections.abc import Callable

from flows import messages, tip
from flows.categories import Category
from flows.engine import (
    AttachRecording,
    Channel,
    Context,
    Input,
    InputKind,
    Lookup,
    Prompt,
    SetLanguage,
    State,
    Step,
)
from flows.questions import ask
from flows.text import clean, fold

TRAIL = "_trail"  # USSD: the screens behind this one, so that "0" can go back
BACK, HOME = "0", "00"
DONT_KNOW = "9"  # the USSD commune screen's "do not know" ("0" is back there)


def advance(state: State | None, event: Input, ctx: Context) -> Step:
    """One step of a USSD session or a call."""
    state = copy.deepcopy(state)  # the caller's state is never changed in place
    if event.kind is InputKind.TIMEOUT:
        return tip._on_timeout(state, ctx)
    if event.kind is InputKind.RECORDING and state is None:
        return _late_recording(event, ctx)
    if event.kind is InputKind.START or state is None:
        node = "greeting" if ctx.channel is Channel.VOICE else "menu"
        return ask(State(node, ctx.language), ctx)
    if event.kind is InputKind.RESULT:
        return _on_result(state, event, ctx)
    if event.kind is InputKind.RECORDING:
        return _on_recording(state, event, ctx)
    if event.kind is InputKind.NO_INPUT:
        return _on_no_input(state, ctx)
    text = clean(event.text).strip()
    if ctx.channel is not Channel.USSD:
        return _on_text(state, text, ctx)
    if text == HOME:
        return ask(State("menu", state.language), ctx)
    if text == BACK:
        return _back(state, ctx)
    return _remember(state, text, ctx)


def _on_text(state: State, text: str, ctx: Context) -> Step:
    own = _HANDLERS.get(state.node)
    if own:
        return own(state, text, ctx)
    if ctx.channel is Channel.USSD and state.node == "commune" and text == DONT_KNOW:
        state.answers["commune_skipped"] = True
        return tip._next(state, ctx)
    return tip._HANDLERS.get(state.node, tip._on_details)(state, text, ctx)


def _remember(state: State, text: str, ctx: Context) -> Step:
    """Handle a USSD answer; when it moves to another screen, remember where it came from."""
    trail = state.answers.pop(TRAIL, [])
    before = {"node": state.node, "answers": copy.deepcopy(state.answers)}
    step = _on_text(state, text, ctx)
    after = step.state
    if after is not None:
        moved = after.node != before["node"]
        after.answers[TRAIL] = [] if after.node == "menu" else trail + [before] if moved else trail
    return step


def _back(state: State, ctx: Context) -> Step:
    """'0': the previous screen as it was before it was answered (the menu when none)."""
    trail = state.answers.get(TRAIL, [])
    if not trail:
        return ask(State("menu", state.language), ctx)
    last = trail[-1]
    return ask(State(last["node"], state.language, {**last["answers"], TRAIL: trail[:-1]}), ctx)


def _goto(state: State, node: str, ctx: Context, effects: tuple = ()) -> Step:
    state.node, state.retries = node, 0
    return ask(state, ctx, effects=effects)


def _on_menu(state: State, text: str, ctx: Context) -> Step:
    if text == "1":
        return tip._next(state, ctx)
    if text == "2":
        return _goto(state, "status_ref", ctx)
    if text == "3":
        return _goto(state, "language", ctx)
    return ask(state, ctx, Prompt("bad_choice"))


def _chosen(text: str, ctx: Context) -> str | None:
    """The language keyed in: 1 Vietnamese, 2 English, then the deployment's recorded ones."""
    keys = {str(key): language for key, language in enumerate(ctx.languages, 1)}
    return keys.get(text.strip())


def _on_language(state: State, text: str, ctx: Context) -> Step:
    language = _chosen(text, ctx)
    if language is None:
        return ask(state, ctx, Prompt("bad_choice"))
    state.language = language
    return _goto(state, "menu", ctx, (SetLanguage(language),))


def _on_greeting(state: State, text: str, ctx: Context) -> Step:
    spoken = fold(text)  # "tieng viet" / "english" when speech is on
    language = _chosen(text, ctx) or ("en" if "english" in spoken else
                                           "vi" if "viet" in spoken else None)
    if language is None:
        return tip._retry(state, ctx, Prompt("bad_choice"), lambda: None)
    state.language = language
    return tip._next(state, ctx, (SetLanguage(language),))


def _on_status_ref(state: State, text: str, ctx: Context) -> Step:
    if not (text.isascii() and text.isdigit() and len(text) == 6):
        return ask(state, ctx, Prompt("bad_reference"))
    state.answers["status_ref"] = text
    return _goto(state, "status_pin", ctx)


def _on_status_pin(state: State, text: str, ctx: Context) -> Step:
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        return ask(state, ctx, Prompt("bad_pin"))
    state.node = "status_lookup"  # the PIN itself is never kept in the state
    return Step(state, (), (Lookup(state.answers["status_ref"], text),), None, state.language)


def _on_result(state: State, event: Input, ctx: Context) -> Step:
    """The caller looked the tip up: show its status, or the one answer for any failure."""
    reference = state.answers.get("status_ref", "")
    prompt = messages.status_report(reference, event.data, ctx.directory)
    return Step(None, (prompt,), language=state.language)


def _on_confirm(state: State, text: str, ctx: Context) -> Step:
    if text == "1":
        return tip._next(state, ctx)
    if text == "2":
        state.answers.pop("commune", None)
        return _goto(state, "commune", ctx)
    return tip._retry(state, ctx, Prompt("bad_choice"), lambda: None)


def _on_summary(state: State, text: str, ctx: Context) -> Step:
    if not text:
        return _on_no_input(state, ctx)
    state.answers["details"] = text[: tip.MAX_DETAILS]
    return tip._next(state, ctx)


def _on_recording(state: State, event: Input, ctx: Context) -> Step:
    """The caller's recording: the tip itself when the call was at the details node."""
    url = event.data.get("url")
    if not url:
        return _on_no_input(state, ctx)
    state.answers.setdefault("recording", url)
    if state.node == "details":
        return tip._next(state, ctx)
    return ask(state, ctx)


def _late_recording(event: Input, ctx: Context) -> Step:
    """A recording for a call whose conversation is over: it joins the tip the call filed."""
    url = event.data.get("url")
    if not url:
        return Step(None)
    alone = tip._file(State("details", ctx.language, {"recording": url}), ctx).filed
    return Step(None, (), (AttachRecording(url, alone),), language=ctx.language)


def remember_recording(state: State, url: str) -> State:
    """Keep a call's recording in its conversation without moving on (the status callback)."""
    state = copy.deepcopy(state)
    state.answers.setdefault("recording", url)
    return state


def _on_no_input(state: State, ctx: Context) -> Step:
    """Silence: ask again (at most ctx.max_retries times), then carry on without the answer."""
    give_up = _GIVE_UP.get(state.node)
    if give_up is None:
        return ask(state, ctx)
    return tip._retry(state, ctx, Prompt("no_input"), lambda: give_up(state.answers))


_HANDLERS: dict[str, Callable[[State, str, Context], Step]] = {
    "menu": _on_menu,
    "language": _on_language,
    "status_ref": _on_status_ref,
    "status_pin": _on_status_pin,
    "status_lookup": lambda state, text, ctx: _goto(state, "status_ref", ctx),
    "greeting": _on_greeting,
    "commune_confirm": _on_confirm,
    "summary": _on_summary,
}
_GIVE_UP: dict[str, Callable[[dict], object]] = {
    "greeting": lambda a: None,
    "category": lambda a: a.update(category=Category.OTHER.value),
    "commune": lambda a: a.update(commune_skipped=True),
    "commune_choice": lambda a: (a.pop("choices", None), a.update(commune_skipped=True)),
    "commune_confirm": lambda a: None,
    "details": lambda a: a.update(details_skipped=True),
    "summary": lambda a: a.update(summary_skipped=True),
}
