"""Texts the workers send (officer dispatches, reporter notices), one GSM-7 segment each."""

from flows import categories
from flows.directory import Directory
from flows.engine import Prompt
from flows.render import render
from flows.text import SMS_SINGLE_GSM7, gsm7_length, shorten, to_gsm7


def dispatch(reference: str, category: str, place: str, details: str, urgent: bool,
             channel: str = "sms", link: str = "") -> str:
    """The SMS an officer gets: reference, urgency, category, place, start of the tip, reply.

    A phone tip says so; `link` (to listen to its recording) comes before the reply hint.
    """
    head = f"TIN BAO {reference}{' KHAN' if urgent else ''}: {categories.label(category, 'vi')}"
    kind = " (Tin goi dien)" if channel == "voice" else ""
    tail = (f" Nghe: {link}" if link else "") + f" Tra loi: OK {reference}"
    where = to_gsm7(place)
    spare = SMS_SINGLE_GSM7 - gsm7_length(head + "." + kind + tail) - 2
    if where and gsm7_length(where) > spare:  # only a long link leaves too little room
        where = shorten(where, spare) if spare >= 8 else ""
    head += (f", {where}." if where else ".") + kind
    room = SMS_SINGLE_GSM7 - gsm7_length(head) - gsm7_length(tail) - 3
    text = to_gsm7(details)
    body = f' "{shorten(text, room)}"' if text and room > 10 else ""
    return head + body + tail


def notify_dispatched(reference: str, place: Prompt, language: str) -> str:
    """Tells the reporter where their tip went."""
    return render(Prompt("notify_dispatched", {"ref": reference, "place": place}), language, "sms")


def place(directory: Directory, commune_code: int | None, province_code: int | None) -> Prompt:
    """Who receives a tip, as a prompt: the commune police or a duty desk."""
    commune = directory.get(commune_code)
    if commune:
        return Prompt("place_commune", {"name": to_gsm7(commune.name)})
    province = directory.province_name(province_code)
    if province:
        return Prompt("place_province", {"name": to_gsm7(province)})
    return Prompt("place_national")


def status(reference: str, state: str, place: Prompt, updated: str) -> Prompt:
    """A tip's status for its reporter (state: received/dispatched/...; updated: dd/mm)."""
    return Prompt("status", {"ref": reference, "state": Prompt(f"state_{state}"),
                             "place": place, "date": updated})


def status_report(reference: str, found: dict, directory: Directory) -> Prompt:
    """A looked-up tip's status (db.followup.found), or the one answer for any failure."""
    if not found.get("found"):
        return status_denied(reference)
    where = place(directory, found.get("commune_code"), found.get("province_code"))
    return status(reference, found["status"], where, found["updated"])


def status_denied(reference: str) -> Prompt:
    """The one answer for an unknown reference, a wrong PIN and a locked reference."""
    return Prompt("status_denied", {"ref": to_gsm7(reference)[:12]})


def text(key: str, language: str, **params) -> str:
    """One SMS text from the prompt catalog."""
    return render(Prompt(key, params), language, "sms")


def fitted(key: str, language: str, free: str, **params) -> str:
    """An SMS whose free-text part ({text}) is cut so the whole stays one GSM-7 segment."""
    base = text(key, language, **params, text="")
    room = SMS_SINGLE_GSM7 - gsm7_length(base)
    return text(key, language, **params, text=shorten(to_gsm7(free), max(room, 0)))


SPOKEN = {
    "ma_tuy": "ma túy", "trom_cap": "trộm cắp", "danh_bac": "đánh bạc", "cuop": "cướp, bạo lực",
    "nguoi_la": "người lạ mặt", "hang_cam": "hàng cấm", "cho_vay": "cho vay trái phép",
    "buon_nguoi": "buôn bán người", "vu_khi": "vũ khí, vật liệu nổ", "chay": "cháy nổ",
    "mau_thuan": "mâu thuẫn", "khac": "khác",
}


def dispatch_call(reference: str, category: str, place: str, details: str, urgent: bool) -> str:
    """What a call to an officer says when their dispatch SMS could not be delivered."""
    digits = " ".join(reference)
    head = "Tin báo khẩn" if urgent else "Tin báo mới"
    return (f"{head}, mã số {digits}. Loại: {SPOKEN.get(category, category)}. {place}. "
            f"Nội dung: {details[:300]}. Khi đã nhận, nhắn tin O K {digits}.")
