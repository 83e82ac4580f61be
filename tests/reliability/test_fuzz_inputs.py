"""Hypothesis, one example per input: a conversation brought to some point by a few ordinary
messages on any channel, then fed one arbitrary input. Over 10,000 examples in a few seconds;
the same invariants as the state machines of test_fuzz_flows (which explore longer sequences).
"""

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from flows import Channel, Input, InputKind
from tests.flows.conftest import directory  # noqa: F401  (the fixture)
from tests.reliability.test_fuzz_flows import TEXTS, TipFlow

EXAMPLES = 10_000
ORDINARY = st.sampled_from(["TIN", "tin 15865 trom xe", "1", "2", "7", "0", "15865", "hoang hoa",
                            "trom bo o thon 3", "ENGLISH", "TT 123456 0000", "HUY", "GIUP"])
EVENTS = st.sampled_from([InputKind.NO_INPUT, InputKind.TIMEOUT, InputKind.START])
LAST = st.one_of(TEXTS.map(lambda text: Input(InputKind.TEXT, text)), EVENTS.map(Input))


def test_any_input_at_any_point_of_a_conversation(directory):  # noqa: F811
    TipFlow.directory = directory
    ran = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=(Phase.explicit, Phase.generate),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(channel=st.sampled_from(list(Channel)), before=st.lists(ORDINARY, max_size=4),
           last=LAST)
    def one_input(channel, before, last):
        machine = TipFlow()  # counts one fuzz example; every input below counts as a step
        machine.channel = channel
        if channel is not Channel.SMS:
            machine._advance(Input(InputKind.START))
        for text in before:
            machine._advance(Input(InputKind.TEXT, text))
        machine._advance(last)  # raises on a broken invariant, as in the state machines
        machine.one_tip_per_conversation()
        ran.append(1)

    one_input()
    assert len(ran) >= EXAMPLES
