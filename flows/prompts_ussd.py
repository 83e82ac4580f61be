"""USSD screens: the same prompt keys as SMS, written for a menu of at most 182 GSM-7 characters.

Every screen that waits for input ends with how to go back (0) or to the main menu (00).
"""

NAV = {"vi": "0 Quay lai 00 Menu", "en": "0 Back 00 Menu"}

PROMPTS: dict[str, dict[str, str]] = {
    "ask_menu": {
        "vi": "Tinbao: bao tin an danh cho Cong an xa\n1 Bao tin\n2 Kiem tra tin bao\n"
        "3 Ngon ngu/Language",
        "en": "Tinbao: anonymous tips to commune police\n1 Report a tip\n2 Check a tip\n"
        "3 Ngon ngu/Language",
    },
    "bad_choice": {
        "vi": "Chua ro, hay chon mot so trong danh sach.",
        "en": "Not understood: choose a number from the list.",
    },
    "ask_language": {
        "vi": "Ngon ngu/Language:\n1 Tieng Viet\n2 English\n" + NAV["vi"],
        "en": "Ngon ngu/Language:\n1 Tieng Viet\n2 English\n" + NAV["en"],
    },
    "ask_category": {
        "vi": "Loai tin bao:\n1 Ma tuy\n2 Trom cap\n3 Danh bac\n4 Cuop/bao luc\n5 Nguoi la mat\n"
        "6 Hang cam\n7 Khac\n" + NAV["vi"],
        "en": "What is it about?\n1 Drugs\n2 Theft\n3 Gambling\n4 Robbery/violence\n5 Stranger\n"
        "6 Contraband\n7 Other\n" + NAV["en"],
    },
    "bad_category": {
        "vi": "Chua ro, hay chon mot so tu 1 den 7.",
        "en": "Not understood: choose a number from 1 to 7.",
    },
    "ask_commune": {
        "vi": "Nhap ma xa 5 so (tren ap phich) hoac ten xa.\n9 Khong biet / gui Cong an tinh\n"
        + NAV["vi"],
        "en": "Enter the 5-digit commune code (on the poster) or the commune name.\n"
        "9 Do not know / provincial police\n" + NAV["en"],
    },
    "choose_commune": {
        "vi": "Chon xa:\n{choices}\n" + NAV["vi"],
        "en": "Choose:\n{choices}\n" + NAV["en"],
    },
    "ask_details": {
        "vi": "Mo ta su viec: chuyen gi, o dau, khi nao. Khong can ghi ten ban.\n" + NAV["vi"],
        "en": "Describe what happened: what, where, when. Do not write your name.\n" + NAV["en"],
    },
    "empty": {
        "vi": "Chua co noi dung.",
        "en": "Nothing written yet.",
    },
    "receipt": {
        "vi": "Da nhan tin bao {ref}, PIN {pin}. Tin da chuyen {place}. Hay ghi lai ma va PIN "
        "de theo doi. Cam on ban!",
        "en": "Tip {ref} received, PIN {pin}. Sent to {place}. Write down the number and PIN "
        "to follow up. Thank you!",
    },
    "ask_status_ref": {
        "vi": "Nhap ma tin bao (6 so):\n" + NAV["vi"],
        "en": "Enter the tip number (6 digits):\n" + NAV["en"],
    },
    "bad_reference": {
        "vi": "Ma tin bao gom 6 so.",
        "en": "A tip number has 6 digits.",
    },
    "ask_status_pin": {
        "vi": "Nhap ma PIN (4 so) cua tin bao:\n" + NAV["vi"],
        "en": "Enter the PIN (4 digits) of the tip:\n" + NAV["en"],
    },
    "bad_pin": {
        "vi": "Ma PIN gom 4 so.",
        "en": "A PIN has 4 digits.",
    },
}
