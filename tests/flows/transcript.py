"""Golden transcripts: '> input', '< reply', '= tip ...' (what was filed), '! timeout'.

A transcript is replayed from its inputs and re-written; the result must equal the file.
"""

from datetime import datetime
from pathlib import Path

import flows
from flows import Channel, Context, Input, InputKind
from flows.text import segments

NOW = datetime(2026, 11, 22, 8, 0)


def describe(effect: flows.FileTip) -> str:
    """One line summarising a filed tip."""
    urgency = "urgent" if effect.urgent else "normal"
    return (f"tip {effect.category} {effect.commune_code} {effect.province_code} {urgency} "
            f'{effect.language} "{effect.details}"')


def replay(path: Path, directory: flows.Directory, channel: Channel = Channel.SMS):
    """(expected text, actual text, every reply) for a transcript file."""
    expected = path.read_text(encoding="utf-8")
    out, replies = [], []
    state, language = None, "vi"
    for raw in expected.splitlines():
        if raw.startswith("#"):
            out.append(raw)
        if not raw.startswith((">", "!")):
            continue
        timeout = raw.startswith("!")
        out.append("! timeout" if timeout else f"> {raw[2:]}")
        event = Input(InputKind.TIMEOUT) if timeout else Input(text=raw[2:])
        ctx = Context(now=NOW, channel=channel, directory=directory, language=language,
                      province_code=38, reference="482913", pin="4721")
        step = flows.advance(state, event, ctx)
        state = step.state
        for effect in step.effects:
            if isinstance(effect, flows.SetLanguage):
                language = effect.language
        reply = flows.render_all(step.prompts, step.language, channel.value)
        if reply:
            out.append(f"< {reply}")
            replies.append(reply)
        if step.filed:
            out.append(f"= {describe(step.filed)}")
    return expected, "\n".join(out) + "\n", replies


def one_segment(reply: str) -> bool:
    """A reply costs one SMS and is plain GSM-7."""
    return segments(reply) == 1 and reply.isascii()
