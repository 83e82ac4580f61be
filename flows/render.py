"""Turning prompts into the words of one channel mode and language."""

from collections.abc import Iterable
from typing import Any

from flows import prompts
from flows.engine import Prompt


def render(prompt: Prompt, language: str, mode: str) -> str:
    """One prompt as text; parameters that are prompts themselves are rendered first."""
    language = prompt.language or language
    params = {
        name: render(value, language, mode) if isinstance(value, Prompt) else _value(value, mode)
        for name, value in prompt.params.items()
    }
    return prompts.text(prompt.key, language, mode, params)


def render_all(items: Iterable[Prompt], language: str, mode: str, sep: str = " ") -> str:
    """Several prompts joined into one message or screen."""
    return sep.join(render(p, language, mode) for p in items)


def _value(value: Any, mode: str) -> Any:
    """On a call, numbers (codes, references, PINs) are read digit by digit."""
    if mode == "voice" and isinstance(value, str) and len(value) > 1 and value.isdigit():
        return ", ".join(value)
    return value
