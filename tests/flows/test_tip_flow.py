"""The SMS tip flow, by golden transcripts and by the properties every reply must have."""

from pathlib import Path

import pytest
from vietnam_provinces import Ward

import flows
from flows import Channel, Context, Input, InputKind, State
from flows.text import segments
from tests.flows.transcript import NOW, one_segment, replay

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.txt"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript_replays_exactly_and_every_reply_fits_one_segment(path, directory):
    expected, actual, replies = replay(path, directory)
    assert actual == expected
    assert all(one_segment(r) for r in replies), [r for r in replies if not one_segment(r)]


def ctx(directory, **kw) -> Context:
    values = dict(now=NOW, channel=Channel.SMS, directory=directory, province_code=38,
                  reference="482913", pin="4721")
    return Context(**{**values, **kw})


def test_a_1600_character_tip_is_filed_whole_and_answered_in_one_segment(directory):
    body = "TIN 15865 " + ("co nguoi van chuyen hang cam qua song vao ban dem " * 40)[:1590]
    step = flows.advance(None, Input(text=body), ctx(directory))
    assert step.filed and step.filed.commune_code == 15865
    assert len(step.filed.details) > 1500
    assert one_segment(flows.render_all(step.prompts, "vi", "sms"))


@pytest.mark.parametrize("text", ["TIN15865 trom bo o thon 3", "TOGIAC 15865 trom bo o thon 3",
                                  "tốgiác15865 trộm bò ở thôn 3"])
def test_a_keyword_run_into_the_code_or_without_spaces_is_still_a_one_shot_tip(directory, text):
    step = flows.advance(None, Input(text=text), ctx(directory))
    assert step.filed and step.filed.commune_code == 15865
    assert flows.text.fold(step.filed.details) == "trom bo o thon 3"


@pytest.mark.parametrize("text", ["\x00\x01TIN\x07", "🙏🙏🙏", "\u202e\u200b", " \t\n "])
def test_control_characters_and_emoji_only_never_break_the_flow(directory, text):
    step = flows.advance(None, Input(text=text), ctx(directory))
    reply = flows.render_all(step.prompts, step.language, "sms")
    assert reply and one_segment(reply)


def test_advance_never_changes_the_state_it_was_given(directory):
    state = State("commune", "vi", {"category": "ma_tuy"})
    before = state.to_dict()
    flows.advance(state, Input(text="hoang hao"), ctx(directory))
    assert state.to_dict() == before


def test_a_state_survives_a_json_round_trip(directory):
    step = flows.advance(None, Input(text="TIN"), ctx(directory))
    again = State.from_dict(step.state.to_dict())
    assert again == step.state


def test_the_reference_and_pin_come_from_the_context(directory):
    step = flows.advance(None, Input(text="TIN 15865 trom bo"), ctx(directory, reference="777777",
                                                                     pin="0042"))
    assert (step.filed.reference, step.filed.pin) == ("777777", "0042")
    assert "777777" in flows.render_all(step.prompts, "vi", "sms")


def test_the_longest_commune_names_still_fit_the_receipt_and_the_choice_list(directory):
    longest = sorted((directory.get(c) for c in directory._by_code), key=lambda c: len(c.name))
    for commune in longest[-20:]:
        step = flows.advance(None, Input(text=f"TIN {commune.code:05d} trom"), ctx(directory))
        assert segments(flows.render_all(step.prompts, "vi", "sms")) == 1, commune.name
        step_en = flows.advance(None, Input(text=f"TIP {commune.code:05d} theft"),
                                ctx(directory))
        assert segments(flows.render_all(step_en.prompts, "en", "sms")) == 1, commune.name


def test_timeout_of_nothing_is_silent(directory):
    step = flows.advance(None, Input(InputKind.TIMEOUT), ctx(directory))
    assert step.state is None and not step.prompts and not step.effects


def test_digits_no_keypad_sends_are_a_wrong_choice_not_a_crash(directory):
    step = flows.advance(None, Input(text="TIN"), ctx(directory))
    step = flows.advance(step.state, Input(text="³"), ctx(directory))
    assert step.state.node == "category" and one_segment(flows.render_all(
        step.prompts, "vi", "sms"))


def test_an_urgent_tip_is_told_to_call_113_a_fire_114_and_the_longest_receipt_still_fits(
        directory):
    urgent = flows.advance(None, Input(text="TIN 15865 cuu, dang co cuop o cho"), ctx(directory))
    calm = flows.advance(None, Input(text="TIN 15865 trom bo dem qua"), ctx(directory))
    fire = flows.advance(None, Input(text="TIN 15865 chay nha o thon 3"), ctx(directory))
    assert urgent.filed.urgent and not calm.filed.urgent and not fire.filed.urgent
    assert flows.render_all(urgent.prompts, "vi", "sms").startswith("Nguy hiem: goi ngay 113. ")
    assert flows.render_all(fire.prompts, "vi", "sms").startswith("Dang chay? Goi ngay 114. ")
    assert "113" not in flows.render_all(calm.prompts, "vi", "sms")
    assert "114" not in flows.render_all(calm.prompts, "vi", "sms")
    for ward in Ward.iter_all():  # every commune's name in the receipt, in both languages
        for language in ("vi", "en"):
            for category, number in (("cuop", "113"), ("chay", "114")):
                state = State("details", language, {"category": category,
                                                    "commune": int(ward.code)})
                step = flows.advance(state, Input(text="dang xay ra"), ctx(directory))
                sms = flows.render_all(step.prompts, language, "sms")
                ussd = flows.render_all(step.prompts, language, "ussd", "\n")
                assert step.filed.urgent and one_segment(sms), sms
                assert number in ussd and len(ussd) <= 182, ussd


def test_the_urgent_categories_are_the_deployments(directory):
    """URGENT_CATEGORIES decides, and the receipt's advice follows the same decision."""
    fire_urgent = ctx(directory, urgent_categories=("cuop", "chay"))
    fire = flows.advance(None, Input(text="TIN 15865 chay nha o thon 3"), fire_urgent)
    assert fire.filed.urgent
    robbery_calm = ctx(directory, urgent_categories=("ma_tuy",))
    robbery = flows.advance(None, Input(text="TIN 15865 bi cuop xe hom qua"), robbery_calm)
    drugs = flows.advance(None, Input(text="TIN 15865 ban ma tuy o bai song"), robbery_calm)
    assert not robbery.filed.urgent and drugs.filed.urgent
    assert "113" not in flows.render_all(robbery.prompts, "vi", "sms")
    assert flows.render_all(drugs.prompts, "vi", "sms").startswith("Nguy hiem: goi ngay 113. ")
