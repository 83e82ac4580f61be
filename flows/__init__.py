"""Channel-independent conversations: pure functions from (state, input, context) to a step."""

from flows.directory import Commune, Directory
from flows.engine import (
    AttachRecording,
    Channel,
    Context,
    Effect,
    FileTip,
    Input,
    InputKind,
    Keywords,
    Lookup,
    Prompt,
    SetLanguage,
    State,
    Step,
    Wait,
    WaitKind,
)
from flows.render import render, render_all
from flows.tip import advance

__all__ = [
    "AttachRecording",
    "Channel",
    "Commune",
    "Context",
    "Directory",
    "Effect",
    "FileTip",
    "Input",
    "InputKind",
    "Keywords",
    "Lookup",
    "Prompt",
    "SetLanguage",
    "State",
    "Step",
    "Wait",
    "WaitKind",
    "advance",
    "render",
    "render_all",
]
