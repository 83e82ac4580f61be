"""Hypothesis drives the tip flow (SMS, USSD and voice) with any input in any order: any
Unicode, control characters, empty and very long texts, keys, silence, recordings, timeouts.

Invariants after every step: `advance` returns; its state survives a JSON round trip; every
prompt renders in the channel's mode (SMS and USSD in GSM-7 after the gateway's folding); a
filed tip has a known category, the context's reference and PIN, and a commune of the
directory or none; a finished conversation files at most one tip.
"""

import json
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import flows
from flows import Channel, Input, InputKind
from flows.categories import Category
from flows.text import is_gsm7, to_gsm7
from tests.flows.conftest import directory  # noqa: F401  (the fixture)
from tests.summary import record

EXAMPLES = 700  # state machines, each up to STEPS inputs: about 8,000 flow steps
STEPS = 14
CATEGORIES = {c.value for c in Category}
TEXTS = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.sampled_from(["", " ", "TIN", "tin 15865 trom xe", "GIUP", "HUY", "STOP", "ENGLISH",
                     "tieng viet", "0", "00", "1", "2", "7", "9", "15865", "hoang hoa", "*",
                     "1*2*15865", "TT 123456 0000", "\x00\x07\x1b", "\u202e\u200b", "🚨" * 30,
                     "Trộm cắp ở thôn 3 khẩn cấp", "x" * 5000, "99999#", "#"]),
)
SETTINGS = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
                    derandomize=True, database=None, phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class TipFlow(RuleBasedStateMachine):
    """One conversation on one channel, fed whatever a phone network could deliver."""

    directory: flows.Directory

    def __init__(self):
        super().__init__()
        self.state: flows.State | None = None
        self.channel = Channel.SMS
        self.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
        self.filed: list[flows.FileTip] = []
        self.counter = 0
        record("fuzz_examples")  # one per state machine Hypothesis runs

    @initialize(channel=st.sampled_from(list(Channel)), start=st.booleans())
    def pick_channel(self, channel, start):
        self.channel = channel
        if start and channel is not Channel.SMS:
            self._advance(Input(InputKind.START))

    @rule(text=TEXTS)
    def text(self, text):
        self._advance(Input(InputKind.TEXT, text))

    @rule(kind=st.sampled_from([InputKind.NO_INPUT, InputKind.TIMEOUT, InputKind.START]))
    def event(self, kind):
        self._advance(Input(kind))

    @rule(url=st.one_of(st.just("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"),
                        st.text(max_size=30)), seconds=st.integers(-5, 10_000))
    def recording(self, url, seconds):
        self._advance(Input(InputKind.RECORDING, data={"url": url, "seconds": seconds}))

    @rule(found=st.booleans(), status=st.sampled_from(["received", "dispatched", "resolved"]))
    def lookup_result(self, found, status):
        data = {"found": found, "status": status, "commune_code": 15865, "province_code": 38,
                "updated": "24/11"} if found else {"found": False}
        self._advance(Input(InputKind.RESULT, data=data))

    def _advance(self, event: Input) -> None:
        self.counter += 1
        self.now += timedelta(seconds=7)
        ctx = flows.Context(now=self.now, channel=self.channel, directory=self.directory,
                            province_code=38, reference=f"{100000 + self.counter}",
                            pin=f"{self.counter % 10_000:04d}")
        step = flows.advance(self.state, event, ctx)
        record("fuzz_steps")
        self._check(step, ctx)
        self.state = step.state

    def _check(self, step: flows.Step, ctx: flows.Context) -> None:
        if step.state is not None:
            data = json.loads(json.dumps(step.state.to_dict()))
            assert flows.State.from_dict(data) == step.state
        mode = self.channel.value
        text = flows.render_all(step.prompts, step.language, mode)
        if self.channel is not Channel.VOICE:
            assert is_gsm7(to_gsm7(text))
        for effect in step.effects:
            if isinstance(effect, flows.FileTip | flows.AttachRecording):
                tip = effect if isinstance(effect, flows.FileTip) else effect.fallback
                assert tip.category in CATEGORIES
                assert (tip.reference, tip.pin) == (ctx.reference, ctx.pin)
                assert tip.commune_code is None or self.directory.get(tip.commune_code)
                assert isinstance(tip.details, str) and tip.language in ("vi", "en")
                self.filed.append(tip)

    @invariant()
    def one_tip_per_conversation(self):
        references = [t.reference for t in self.filed]
        assert len(references) == len(set(references))


def test_the_tip_flow_takes_any_input_on_every_channel(directory):  # noqa: F811
    TipFlow.directory = directory
    machine = TipFlow.TestCase
    machine.settings = SETTINGS
    machine().runTest()
