"""USSD and voice on the tip flow: golden transcripts, and a walk over every USSD screen."""

import json
from pathlib import Path

import pytest

import flows
from flows import Channel, Context, Input, InputKind, Prompt, State, prompts
from flows.questions import USSD_NODES, VOICE_NODES
from flows.text import USSD_SCREEN_MAX, gsm7_length, is_gsm7
from tests.flows.transcript import NOW, replay

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts_phone").glob("*.txt"))
# Answers a reporter might type on any screen: navigation, menu numbers, codes, names, text.
ANSWERS = ("", "0", "00", "1", "2", "3", "5", "7", "8", "9", "x", "15865", "99999", "vinh hung",
           "hoang hoa", "123456", "4721", "co nguoi la mat cho hang cam qua cau")
STATUSES = ("received", "dispatched", "acknowledged", "resolved", "closed")


def ctx(directory, channel: Channel = Channel.USSD, language: str = "vi", **kw) -> Context:
    return Context(now=NOW, channel=channel, directory=directory, language=language,
                   province_code=38, reference="482913", pin="4721", **kw)


def screen(step: flows.Step) -> str:
    return flows.render_all(step.prompts, step.language, "ussd", "\n")


def fits(text: str) -> bool:
    """A USSD screen: GSM-7 (plain ASCII, in fact) and at most 182 characters."""
    return is_gsm7(text) and text.isascii() and gsm7_length(text) <= USSD_SCREEN_MAX


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_phone_transcript_replays_exactly(path, directory):
    expected, actual, replies = replay(path, directory)
    assert actual == expected
    if path.stem.startswith("u"):
        assert all(fits(r) for r in replies), [r for r in replies if not fits(r)]


def _results(directory) -> list[dict]:
    """Every kind of lookup answer, with the longest place names there are."""
    longest = max((directory.get(c) for c in directory._by_code), key=lambda c: len(c.name))
    province = max(directory._provinces, key=lambda p: len(directory.province_name(p)))
    places = [(longest.code, longest.province_code), (None, province), (None, None)]
    return [{"found": False}] + [
        {"found": True, "status": status, "commune_code": commune, "province_code": prov,
         "updated": "31/12"} for status in STATUSES for commune, prov in places]


def _walk(directory, language: str, depth: int = 7):
    """Every screen reachable with ANSWERS from the main menu: (node or 'end', screen text)."""
    start = flows.advance(None, Input(InputKind.START), ctx(directory, language=language))
    found, seen, frontier = [("menu", screen(start))], set(), [start.state]
    for _ in range(depth):
        following = []
        for state in frontier:
            key = json.dumps(state.to_dict(), sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            for answer in ANSWERS:
                step = flows.advance(state, Input(text=answer), ctx(directory))
                steps = [step] if step.lookup is None else [
                    flows.advance(step.state, Input(InputKind.RESULT, data=r), ctx(directory))
                    for r in _results(directory)]
                for after in steps:
                    found.append((after.state.node if after.state else "end", screen(after)))
                    if after.state is not None:
                        following.append(after.state)
        frontier = following
    return found


@pytest.mark.parametrize("language", prompts.LANGUAGES)
def test_every_ussd_screen_in_every_state_fits_182_gsm7_characters(directory, language):
    screens = _walk(directory, language)
    too_long = {text for _, text in screens if not fits(text)}
    assert not too_long, too_long
    nodes = {node for node, _ in screens}
    assert nodes >= {"category", "commune", "commune_choice", "details", "end", *USSD_NODES}
    assert any("Tinbao: anonymous tips" in text for _, text in screens)  # both languages seen


@pytest.mark.parametrize("language", prompts.LANGUAGES)
def test_the_longest_commune_names_still_fit_a_screen(directory, language):
    communes = sorted((directory.get(c) for c in directory._by_code), key=lambda c: len(c.name))
    for commune in communes[-20:]:
        state = State("commune_choice", language, {"category": "khac",
                                                   "choices": [c.code for c in communes[-3:]]})
        choice = flows.advance(state, Input(text="x"), ctx(directory))
        details = State("details", language, {"category": "khac", "commune": commune.code})
        receipt = flows.advance(details, Input(text="trom"), ctx(directory))
        for step in (choice, receipt):
            assert fits(screen(step)), screen(step)


@pytest.mark.parametrize("channel, nodes", [(Channel.USSD, USSD_NODES),
                                            (Channel.VOICE, VOICE_NODES)])
def test_the_sms_flow_never_enters_a_phone_only_node(directory, channel, nodes):
    sms = ctx(directory, Channel.SMS)
    for path in sorted((Path(__file__).parent / "transcripts").glob("*.txt")):
        state = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(">"):
                state = flows.advance(state, Input(text=line[2:]), sms).state
                assert state is None or state.node not in nodes, (path.name, line)


def test_every_prompt_a_call_can_say_is_written_for_the_ear_in_every_language(directory):
    keys = {"greeting", "press_language", "bad_choice", "no_input", "ask_category",
            "bad_category", "ask_commune", "commune_not_found", "choose_commune",
            "confirm_commune", "ask_details", "ask_summary", "receipt"}
    for key in keys:
        for language in prompts.LANGUAGES:
            assert language in prompts.MODES["voice"][key], (key, language)
    ussd = {"ask_menu", "bad_choice", "ask_language", "ask_category", "bad_category",
            "ask_commune", "choose_commune", "ask_details", "empty", "receipt",
            "ask_status_ref", "bad_reference", "ask_status_pin", "bad_pin"}
    for key in ussd:
        assert set(prompts.MODES["ussd"][key]) == set(prompts.LANGUAGES), key


def test_on_a_call_numbers_are_read_digit_by_digit_but_not_by_sms(directory):
    prompt = Prompt("receipt", {"ref": "482913", "pin": "0042", "place": Prompt("place_national")})
    assert "4, 8, 2, 9, 1, 3" in flows.render(prompt, "vi", "voice")
    assert "0, 0, 4, 2" in flows.render(prompt, "vi", "voice")
    assert "482913, PIN 0042" in flows.render(prompt, "vi", "sms")


def test_a_prompt_may_carry_its_own_language(directory):
    step = flows.advance(None, Input(InputKind.START), ctx(directory, Channel.VOICE))
    assert flows.render_all(step.prompts, "vi", "voice").endswith(
        "Tiếng Việt, bấm 1. For English, press 2.")
