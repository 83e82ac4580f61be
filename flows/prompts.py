"""Every prompt of every flow, per language and (where they differ) per channel mode.

A value is either one text for all modes or a dict {mode: text} with "default" as fallback.
SMS and USSD texts are unaccented so they stay GSM-7; voice texts may carry diacritics
because text-to-speech reads them better. The USSD and voice variants of these keys (and the
keys only those modes use) live in prompts_ussd.py and prompts_voice.py, looked up first.
"""

from typing import Any

from flows import prompts_ussd, prompts_voice
from flows.prompts_limits import LIMIT_PROMPTS
from flows.prompts_loop import LOOP_PROMPTS

Text = str | dict[str, str]

PROMPTS: dict[str, dict[str, Text]] = {
    "help": {
        "vi": "Tinbao: bao tin an danh cho Cong an xa. Soan TIN <ma xa> <noi dung>, hoac TIN "
        "de duoc hoi tung buoc. HUY de dung. So cua ban khong bao gio bi lo.",
        "en": "Tinbao: anonymous tips to your commune police. Text TIP <commune code> <what "
        "happened>, or TIP to be asked step by step. STOP to cancel. Your number is hidden.",
    },
    "empty": {
        "vi": "Tin nhan trong. Soan TIN <ma xa> <noi dung> de bao tin an danh. GIUP de xem "
        "huong dan.",
        "en": "Empty message. Text TIP <commune code> <what happened> to send an anonymous tip. "
        "HELP for help.",
    },
    "thanks_reply": {
        "vi": "Tinbao: khong can tra loi. Soan TIN <noi dung> de bao tin moi, TT <ma> <PIN> de "
        "xem tin da gui.",
        "en": "Tinbao: no reply needed. Text TIP <what happened> for a new tip, STATUS <ref> <PIN> "
        "for one you sent.",
    },
    "no_details": {
        "vi": "Chua co noi dung su viec.",
        "en": "Nothing about what happened yet.",
    },
    "ask_category": {
        "vi": "Bao tin an danh. Chon loai: 1 Ma tuy 2 Trom cap 3 Danh bac 4 Cuop/bao luc "
        "5 Nguoi la mat 6 Hang cam 7 Khac. HUY de dung",
        "en": "Anonymous tip. Choose: 1 Drugs 2 Theft 3 Gambling 4 Robbery/violence 5 Stranger "
        "6 Contraband 7 Other. STOP to cancel",
    },
    "bad_category": {
        "vi": "Chua ro. Tra loi mot so tu 1 den 7.",
        "en": "Not understood. Reply with a number from 1 to 7.",
    },
    "ask_commune": {
        "vi": "Xa/phuong nao? Gui ma xa tren ap phich (vd 15865) hoac ten xa. Gui 0 neu khong "
        "biet hoac muon gui Cong an tinh.",
        "en": "Which commune? Send the code on the poster (e.g. 15865) or its name. 0 if you "
        "do not know, or for the provincial police.",
    },
    "commune_not_found": {
        "vi": "Khong tim thay xa \"{query}\".",
        "en": "No commune found for \"{query}\".",
    },
    "choose_commune": {
        "vi": "Chon xa: {choices}. 0 neu khong co.",
        "en": "Choose: {choices}. 0 if none.",
    },
    "ask_details": {
        "vi": "Mo ta su viec: chuyen gi, o dau, khi nao. Khong can ghi ten ban.",
        "en": "Describe what happened: what, where, when. Do not write your name.",
    },
    "urgent_advice": {
        "vi": "Nguy hiem: goi ngay 113.",
        "en": "In danger: call 113 now.",
    },
    "fire_advice": {
        "vi": "Dang chay? Goi ngay 114.",
        "en": "Fire now? Call 114.",
    },
    "receipt": {
        "vi": "Da nhan tin bao {ref}, PIN {pin}. Tin da chuyen {place}. Giu ma va PIN de theo "
        "doi. Cam on ban!",
        "en": "Tip {ref} received, PIN {pin}. Sent to {place}. Keep the number and PIN to "
        "follow up. Thank you!",
    },
    "cancelled": {
        "vi": "Da huy, tin chua duoc gui. Soan TIN de bao tin moi.",
        "en": "Cancelled, nothing was sent. Text TIP to start a new tip.",
    },
    "nothing_to_cancel": {
        "vi": "Khong co tin dang soan de huy. Tin da gui van duoc chuyen cong an; bo sung: THEM "
        "<ma> <PIN> <noi dung>.",
        "en": "Nothing to cancel. A tip already sent stays with the police; to add to it: MORE "
        "<ref> <PIN> <text>.",
    },
    "language_set": {
        "vi": "Da chon tieng Viet. Soan TIN de bao tin, GIUP de xem huong dan.",
        "en": "English selected. Text TIP to send a tip, HELP for help.",
    },
    "notify_dispatched": {
        "vi": "Tin bao {ref} da duoc chuyen den {place}. Can bo se xu ly som. Cam on ban.",
        "en": "Tip {ref} has been passed to {place}. An officer will handle it soon. Thank you.",
    },
    "status": {
        "vi": "Tin bao {ref}: {state}. Noi nhan: {place}. Cap nhat {date}.",
        "en": "Tip {ref}: {state}. With: {place}. Updated {date}.",
    },
    "status_denied": {
        "vi": "Khong xem duoc tin bao {ref}: sai ma hoac PIN. Sai 5 lan thi khoa 1 gio.",
        "en": "Cannot show tip {ref}: wrong number or PIN. 5 wrong tries lock it for 1 hour.",
    },
    "state_received": {"vi": "da nhan, dang chuyen can bo", "en": "received, being passed on"},
    "state_dispatched": {"vi": "da chuyen can bo", "en": "passed to an officer"},
    "state_acknowledged": {"vi": "can bo da tiep nhan", "en": "taken up by an officer"},
    "state_resolved": {"vi": "da xu ly xong", "en": "dealt with"},
    "state_closed": {"vi": "da dong", "en": "closed"},
    "no_input": {  # calls have their own (spoken) text; this is for any other channel
        "vi": "Chua nhan duoc tra loi cua ban.",
        "en": "We did not get your answer.",
    },
    "place_commune": {"vi": "Cong an {name}", "en": "the police of {name}"},
    "place_province": {"vi": "truc ban Cong an {name}", "en": "the {name} police duty desk"},
    "place_national": {"vi": "truc ban Cong an", "en": "the police duty desk"},
}

PROMPTS.update(LOOP_PROMPTS)
PROMPTS.update(LIMIT_PROMPTS)
LANGUAGES = ("vi", "en")
MODES: dict[str, dict[str, dict[str, str]]] = {
    "ussd": prompts_ussd.PROMPTS,
    "voice": prompts_voice.PROMPTS,
}


def text(key: str, language: str, mode: str, params: dict[str, Any] | None = None) -> str:
    """One prompt rendered in a language and mode, Vietnamese when a language lacks it."""
    return _template(key, language, mode).format(**(params or {}))


def _template(key: str, language: str, mode: str) -> str:
    """The mode's own variant first, then the catalog's, in the language and then in Vietnamese."""
    own = MODES.get(mode, {}).get(key, {})
    shared = PROMPTS.get(key, {})
    for lang in (language, "vi"):
        if lang in own:
            return own[lang]
        if lang in shared:
            value = shared[lang]
            return value.get(mode, value["default"]) if isinstance(value, dict) else value
    raise KeyError(key)
