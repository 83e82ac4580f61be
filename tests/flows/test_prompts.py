"""Every SMS prompt, in every language, is GSM-7 and one segment with its longest values."""

import string

import pytest

from flows import Prompt, render
from flows.prompts import LANGUAGES, PROMPTS
from flows.text import SMS_SINGLE_GSM7, gsm7_length, is_gsm7

LONGEST_NAME = "Phuong Nam Dong Phu Quy Nhon"


class Longest(dict):
    """Worst-case values for any parameter a prompt may use."""

    def __missing__(self, key):
        return ""


VALUES = Longest(
    ref="999999", pin="9999", count=999, code="99999", date="22/11", query="x" * 23,
    place=Prompt("place_province", {"name": "Thanh pho Ho Chi Minh"}), name=LONGEST_NAME,
    decision=Prompt("decision_not_prosecute"), state=Prompt("state_received"),
)
FREE = {"choices", "items", "text"}  # filled by code that cuts them to fit


def params_of(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


CASES = [(key, lang) for key in PROMPTS for lang in LANGUAGES]


@pytest.mark.parametrize("key, language", CASES, ids=[f"{k}-{lang}" for k, lang in CASES])
def test_every_sms_prompt_fits_one_gsm7_segment(key, language):
    variants = PROMPTS[key][language]
    template = variants if isinstance(variants, str) else variants.get("sms",
                                                                          variants["default"])
    params = {name: VALUES[name] for name in params_of(template)}
    text = render(Prompt(key, params), language, "sms")
    assert is_gsm7(text), text
    room = len(params_of(template) & FREE) * 20  # free text gets at least 20 characters
    assert gsm7_length(text) + room <= SMS_SINGLE_GSM7, (key, text)
