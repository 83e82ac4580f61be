"""Golden transcripts: '> input', '< reply', '= tip ...' (what was filed), '! timeout'.

A transcript is replayed from its inputs and re-written; the result must equal the file.
USSD and voice transcripts start with '# mode: ussd' or '# mode: voice [speech]' and may use
'! start', '! noinput', '! recording <url>' and '! result <json>'; after each reply a line
'~ <wait>' says what the step waits for ('~ end' when the session or call is over), and a
USSD screen's line breaks are written ' | '.
"""

import json
from datetime import datetime
from pathlib import Path

import flows
from flows import Channel, Context, Input, InputKind
from flows.text import segments

NOW = datetime(2026, 11, 22, 8, 0)


def describe(effect: flows.FileTip) -> str:
    """One line summarising a filed tip."""
    urgency = "urgent" if effect.urgent else "normal"
    line = (f"tip {effect.category} {effect.commune_code} {effect.province_code} {urgency} "
            f'{effect.language} "{effect.details}"')
    return line + (f" recording {effect.recording_url}" if effect.recording_url else "")


def _event(raw: str) -> Input:
    if raw.startswith(">"):
        return Input(text=raw[2:])
    word, _, rest = raw[2:].partition(" ")
    if word == "recording":
        return Input(InputKind.RECORDING, data={"url": rest})
    if word == "result":
        return Input(InputKind.RESULT, data=json.loads(rest))
    return Input({"timeout": InputKind.TIMEOUT, "start": InputKind.START,
                  "noinput": InputKind.NO_INPUT}[word])


def _effects(step: flows.Step) -> list[str]:
    lines = []
    for effect in step.effects:
        if isinstance(effect, flows.FileTip):
            lines.append(f"= {describe(effect)}")
        elif isinstance(effect, flows.Lookup):
            lines.append(f"= lookup {effect.reference} {effect.pin}")
        elif isinstance(effect, flows.AttachRecording):
            lines.append(f"= attach {effect.url} or {describe(effect.fallback)}")
    return lines


def replay(path: Path, directory: flows.Directory, channel: Channel = Channel.SMS):
    """(expected text, actual text, every reply) for a transcript file."""
    expected = path.read_text(encoding="utf-8")
    mode = expected.split("\n", 1)[0].removeprefix("# mode: ").split()
    speech = expected.startswith("# mode: ") and "speech" in mode
    channel = Channel(mode[0]) if expected.startswith("# mode: ") else channel
    out, replies = [], []
    state, language = None, "vi"
    for raw in expected.splitlines():
        if raw.startswith("#"):
            out.append(raw)
        if not raw.startswith((">", "!")):
            continue
        out.append(raw if raw.startswith("!") else f"> {raw[2:]}")
        ctx = Context(now=NOW, channel=channel, directory=directory, language=language,
                      province_code=38, reference="482913", pin="4721", speech=speech)
        step = flows.advance(state, _event(raw), ctx)
        state = step.state
        for effect in step.effects:
            if isinstance(effect, flows.SetLanguage):
                language = effect.language
        sep = "\n" if channel is Channel.USSD else " "
        reply = flows.render_all(step.prompts, step.language, channel.value, sep)
        if reply:
            out.append("< " + reply.replace("\n", " | "))
            replies.append(reply)
        if channel is not Channel.SMS:
            wait = step.wait
            out.append("~ " + (f"{wait.kind.value} {wait.count or ''}".strip() if wait else
                               "end" if state is None else "caller"))
        out += _effects(step)
    return expected, "\n".join(out) + "\n", replies


def one_segment(reply: str) -> bool:
    """A reply costs one SMS and is plain GSM-7."""
    return segments(reply) == 1 and reply.isascii()
