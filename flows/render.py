"""Turning prompts into the words of one channel mode and language."""

from collections.abc import Iterable

from flows import prompts
from flows.engine import Prompt


def render(prompt: Prompt, language: str, mode: str) -> str:
    """One prompt as text; parameters that are prompts themselves are rendered first."""
    params = {
        name: render(value, language, mode) if isinstance(value, Prompt) else value
        for name, value in prompt.params.items()
    }
    return prompts.text(prompt.key, language, mode, params)


def render_all(items: Iterable[Prompt], language: str, mode: str, sep: str = " ") -> str:
    """Several prompts joined into one message or screen."""
    return sep.join(render(p, language, mode) for p in items)
