"""The tip flow: category, commune and details, with one-shot tips and forgiving answers."""

import copy
import re

from flows import categories, keywords, messages, questions
from flows.categories import Category
from flows.directory import Commune
from flows.engine import (
    Channel,
    Context,
    FileTip,
    Input,
    InputKind,
    Prompt,
    SetLanguage,
    State,
    Step,
)
from flows.keywords import Command
from flows.text import clean, number, shorten, to_gsm7

_CODE = re.compile(r"^(\d{5})\b")
_LEADING_DIGITS = re.compile(r"^(\d{1,5})\b")
_PROVINCE = re.compile(r"^0(?:\s+|\s*[,.:;-]\s*)(?=\S)")  # "0 ..." where a commune code goes
MAX_DETAILS = 4000


def advance(state: State | None, event: Input, ctx: Context) -> Step:
    """Move a tip conversation one step: the whole behaviour of the tip line, on any channel."""
    if ctx.channel is not Channel.SMS:
        from flows import tip_menu  # USSD and voice wrap these same nodes in their menus

        return tip_menu.advance(state, event, ctx)
    state = copy.deepcopy(state)  # the caller's state is never changed in place
    if event.kind is InputKind.TIMEOUT:
        return _on_timeout(state, ctx)
    text = clean(event.text).strip()
    command, rest, phrase = keywords.parse(text, ctx.keywords)
    language = state.language if state else ctx.language
    if keywords.is_english(phrase, ctx.keywords):
        language = "en"
    effects = (SetLanguage(language),) if language != ctx.language else ()
    if command is Command.HELP:
        return Step(state, (Prompt("help"),), effects, _wait(state, ctx), language)
    if command is Command.CANCEL:  # with no conversation, a tip already sent is not undone
        key = "cancelled" if state is not None else "nothing_to_cancel"
        return Step(None, (Prompt(key),), effects, language=language)
    if command in (Command.ENGLISH, Command.VIETNAMESE):
        language = "en" if command is Command.ENGLISH else "vi"
        effects = (SetLanguage(language),)
        if state is None:
            return Step(None, (Prompt("language_set"),), effects, language=language)
        state.language = language
        return _ask(state, ctx, effects=effects)
    if command is Command.START:
        return _next(State("start", language, _parse_tip(rest, ctx)), ctx, effects)
    if state is None:
        if not text:
            return Step(None, (Prompt("empty"),), effects, language=language)
        if keywords.english_only(text):  # "thank you": answered in English, not kept for good
            language = "en"
        if keywords.is_thanks(text, ctx.keywords):  # "cam on a" after a receipt: no new tip
            return Step(None, (Prompt("thanks_reply"),), effects, language=language)
        return _next(State("start", language, _parse_tip(text, ctx)), ctx, effects)
    handler = _HANDLERS.get(state.node, _on_details)
    return handler(state, text, ctx)


def _parse_tip(text: str, ctx: Context) -> dict:
    """Answers found in a free-text message: a leading 5-digit commune code, category, details."""
    answers: dict = {}
    match = _CODE.match(text)
    if match and ctx.directory.get(int(match.group(1))):
        answers["commune"] = int(match.group(1))
        text = text[match.end() :].strip(" ,.:;-")
    elif province := _PROVINCE.match(text):  # "TIN 0 ...": past the commune, to the province
        answers["commune_skipped"] = True
        text = text[province.end() :].strip(" ,.:;-")
    elif named := ctx.directory.named(text, ctx.province_code):
        answers["commune"] = named.code  # "... o xa Hoang Hoa ...": the words stay in the tip
    if text and not keywords.says_nothing(text, ctx.keywords):  # "alo", "toi muon to giac"
        answers["details"] = text[:MAX_DETAILS]
        guessed = categories.guess(text)
        if guessed:
            answers["category"] = guessed.value
    return answers


def _next(state: State, ctx: Context, effects: tuple = ()) -> Step:
    """Ask for the first missing answer, or file the tip when enough is known."""
    a = state.answers
    has_place = a.get("commune") is not None or a.get("commune_skipped")
    told = a.get("details") or a.get("recording") or a.get("details_skipped")
    if ctx.channel is Channel.VOICE:  # a call's tip is recorded even when words came first
        told = a.get("recording") or a.get("details_skipped")
    if told and has_place and not _wants_summary(a, ctx):
        return _file(state, ctx, effects)
    if told and has_place:
        node = "summary"
    elif told:
        node = "commune"
    elif not a.get("category"):
        node = "category"
    elif not has_place:
        node = "commune"
    else:
        node = "details"
    state.node, state.retries = node, 0
    return _ask(state, ctx, effects=effects)


def _wants_summary(answers: dict, ctx: Context) -> bool:
    """A call with speech asks for a spoken one-sentence summary after the recording."""
    return bool(ctx.speech and ctx.channel is Channel.VOICE and answers.get("recording")
                and not answers.get("details") and not answers.get("summary_skipped"))


def _ask(state: State, ctx: Context, hint: Prompt | None = None, effects: tuple = ()) -> Step:
    """Re-render the question of the current node, optionally after a short hint."""
    return questions.ask(state, ctx, hint, effects)


def _retry(state: State, ctx: Context, hint: Prompt, give_up) -> Step:
    """Re-ask with a hint, or carry on without this answer after max_retries."""
    if state.retries >= ctx.max_retries:
        give_up()
        return _next(state, ctx)
    state.retries += 1
    return _ask(state, ctx, hint)


def _on_category(state: State, text: str, ctx: Context) -> Step:
    chosen = categories.from_menu(text)
    if chosen:
        state.answers["category"] = chosen.value
        return _next(state, ctx)
    guessed = categories.guess(text)
    if len(text.split()) >= 3 and not keywords.says_nothing(text, ctx.keywords):
        # they wrote the tip itself instead of choosing
        state.answers["details"] = text[:MAX_DETAILS]
        state.answers["category"] = (guessed or Category.OTHER).value
        return _next(state, ctx)
    if guessed:
        state.answers["category"] = guessed.value
        return _next(state, ctx)
    return _retry(state, ctx, Prompt("bad_category"),
                  lambda: state.answers.update(category=Category.OTHER.value))


def _on_commune(state: State, text: str, ctx: Context) -> Step:
    skip = lambda: state.answers.update(commune_skipped=True)  # noqa: E731
    if keywords.is_dont_know(text):
        skip()
        return _next(state, ctx)
    digits = _LEADING_DIGITS.match(text)
    if digits:
        commune = ctx.directory.get(int(digits.group(1)))
        if commune:
            return _choose(state, commune, ctx, typed=True)
        return _retry(state, ctx, _not_found(digits.group(1)), skip)
    found = ctx.directory.search(text, ctx.province_code)
    if len(found) == 1:
        return _choose(state, found[0], ctx)
    if found:
        state.node, state.retries = "commune_choice", 0
        state.answers["choices"] = [c.code for c in found]
        return _ask(state, ctx)
    if (not state.answers.get("details") and len(text.split()) >= 4
            and not keywords.says_nothing(text, ctx.keywords)):
        state.answers["details"] = text[:MAX_DETAILS]  # the tip itself, not a place
        return _ask(state, ctx)
    return _retry(state, ctx, _not_found(text), skip)


def _on_commune_choice(state: State, text: str, ctx: Context) -> Step:
    choices = state.answers.get("choices", [])
    key = number(text)
    if key is not None and 1 <= key <= len(choices):
        return _choose(state, ctx.directory.get(choices[key - 1]), ctx)
    state.node = "commune"
    return _on_commune(state, text, ctx)


def _choose(state: State, commune: Commune | None, ctx: Context, typed: bool = False) -> Step:
    state.answers.pop("choices", None)
    if commune is None:
        state.answers["commune_skipped"] = True
    else:
        state.answers["commune"] = commune.code
        if typed and ctx.channel is Channel.VOICE:  # keyed in blind: read it back first
            state.node, state.retries = "commune_confirm", 0
            return _ask(state, ctx)
    return _next(state, ctx)


def _on_details(state: State, text: str, ctx: Context) -> Step:
    if text and not keywords.says_nothing(text, ctx.keywords):
        state.answers["details"] = text[:MAX_DETAILS]
        return _file(state, ctx)
    skip = (lambda: None) if ctx.channel is Channel.SMS else (
        lambda: state.answers.update(details_skipped=True))
    return _retry(state, ctx, Prompt("no_details" if text else "empty"), skip)


_HANDLERS = {
    "category": _on_category,
    "commune": _on_commune,
    "commune_choice": _on_commune_choice,
    "details": _on_details,
}


def _on_timeout(state: State | None, ctx: Context) -> Step:
    """An abandoned conversation is still a tip when it has anything in it."""
    if state is None:
        return Step(None)
    if any(state.answers.get(k) for k in ("category", "commune", "details", "recording")):
        return _file(state, ctx)
    return Step(None)


def _file(state: State, ctx: Context, effects: tuple = ()) -> Step:
    a = state.answers
    category = Category(a.get("category") or Category.OTHER.value)
    details = a.get("details") or ""
    spoken = ctx.channel is Channel.VOICE and details  # a call's details are speech-to-text
    commune = ctx.directory.get(a.get("commune"))
    province = commune.province_code if commune else ctx.province_code
    tip = FileTip(
        category=category.value,
        commune_code=commune.code if commune else None,
        province_code=province,
        details=details,
        language=state.language,
        urgent=categories.is_urgent(category, details, ctx.urgent_categories),
        reference=ctx.reference,
        pin=ctx.pin,
        recording_url=a.get("recording"),
        transcript=details if spoken else None,
    )
    where = messages.place(ctx.directory, tip.commune_code, tip.province_code)
    receipt = (Prompt("receipt", {"ref": ctx.reference, "pin": ctx.pin, "place": where}),)
    advice = _advice(category, tip.urgent)
    if advice:
        receipt = (advice,) + receipt
    return Step(None, receipt, effects + (tip,), language=state.language)


def _advice(category: Category, urgent: bool) -> Prompt | None:
    """A tip line is not an emergency line: say so while it may still help. A fire is told
    the fire service's number (114), any other urgent tip the police's (113)."""
    if category is Category.FIRE:
        return Prompt("fire_advice")
    return Prompt("urgent_advice") if urgent else None


def _not_found(query: str) -> Prompt:
    return Prompt("commune_not_found", {"query": shorten(to_gsm7(query), 20)})


def _wait(state: State | None, ctx: Context):
    return questions.wait_for(state.node if state else None, ctx)
