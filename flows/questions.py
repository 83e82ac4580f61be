"""What each node of the tip flow asks, and what answer it waits for, in every channel mode."""

from flows import categories
from flows.engine import Channel, Context, Prompt, State, Step, Wait, WaitKind
from flows.render import render
from flows.text import SMS_SINGLE_GSM7, USSD_SCREEN_MAX, gsm7_length, to_gsm7

WAITS = {
    # the SMS nodes
    "category": Wait(WaitKind.CHOICE, len(categories.MENU)),
    "commune": Wait(WaitKind.DIGITS),
    "commune_choice": Wait(WaitKind.CHOICE, 3),
    "details": Wait(WaitKind.TEXT),
    # USSD menus
    "menu": Wait(WaitKind.CHOICE, 3),
    "language": Wait(WaitKind.CHOICE, 2),
    "status_ref": Wait(WaitKind.DIGITS, 6),
    "status_pin": Wait(WaitKind.DIGITS, 4),
    # voice-only steps
    "greeting": Wait(WaitKind.CHOICE, 2),
    "commune_confirm": Wait(WaitKind.CHOICE, 2),
    "summary": Wait(WaitKind.SPEECH),
}
# Nodes only some modes have (the SMS flow never enters them).
USSD_NODES = ("menu", "language", "status_ref", "status_pin")
VOICE_NODES = ("greeting", "commune_confirm", "summary")


def wait_for(node: str | None, ctx: Context) -> Wait | None:
    """The answer a node waits for; on a call the details are a recording."""
    if node == "details" and ctx.channel is Channel.VOICE:
        return Wait(WaitKind.RECORDING)
    if node in ("greeting", "language"):
        return Wait(WaitKind.CHOICE, len(ctx.languages))
    return WAITS.get(node) if node else None


def ask(state: State, ctx: Context, hint: Prompt | None = None, effects: tuple = ()) -> Step:
    """Re-render the question of the current node, optionally after a short hint."""
    prompts = ((hint,) if hint else ()) + _questions(state, ctx)
    return Step(state, prompts, effects, wait_for(state.node, ctx), state.language)


def _questions(state: State, ctx: Context) -> tuple[Prompt, ...]:
    node = state.node
    if node == "commune_choice":
        return (Prompt("choose_commune", {"choices": choices(state, ctx)}),)
    if node == "commune_confirm":
        commune = ctx.directory.get(state.answers.get("commune"))
        code = f"{commune.code:05d}" if commune else ""
        return (Prompt("confirm_commune", {"code": code, "name": commune.name if commune else ""}),)
    if node == "greeting":
        return (Prompt("greeting"),) + tuple(
            Prompt("press_language", {"digit": str(key)}, language)
            for key, language in enumerate(ctx.languages, 1))
    return (Prompt("ask_" + node),)


def choices(state: State, ctx: Context) -> str:
    """'1 Xa A (Tinh X) 2 ...', dropping provinces, then choices, until it fits SMS or screen."""
    mode = ctx.channel.value
    communes = [c for c in map(ctx.directory.get, state.answers.get("choices", [])) if c]
    limit = USSD_SCREEN_MAX if ctx.channel is Channel.USSD else SMS_SINGLE_GSM7
    sep = {Channel.USSD: "\n", Channel.VOICE: ". "}.get(ctx.channel, " ")
    spoken = ctx.channel is Channel.VOICE  # text-to-speech reads names better with diacritics
    for count, with_province in ((3, True), (3, False), (2, False), (1, False)):
        parts = []
        for number, commune in enumerate(communes[:count], start=1):
            name, province = commune.name, commune.province_name
            if not spoken:
                name, province = to_gsm7(name), to_gsm7(province).replace("Thanh pho ", "TP ")
            parts.append(f"{number} {name}" + (f" ({province})" if with_province else ""))
        text = sep.join(parts)
        prompt = Prompt("choose_commune", {"choices": text})
        if spoken or gsm7_length(render(prompt, state.language, mode)) <= limit:
            break
    state.answers["choices"] = [c.code for c in communes[:count]]
    return text
