"""Prompts of the inbound limits: a flood, a busy line, a blocked sender, a session too long.

One short, polite text each (SMS and USSD unaccented; voice with diacritics for speech).
"""

LIMIT_PROMPTS: dict[str, dict[str, str | dict[str, str]]] = {
    "limit_flood": {
        "vi": {"default": "Ban da gui qua nhieu tin nhan. Tin da duoc luu. Vui long doi "
               "{minutes} phut roi gui tiep.",
               "voice": "Bạn đã gọi quá nhiều lần. Vui lòng đợi {minutes} phút rồi gọi lại."},
        "en": "You sent too many messages. They are kept. Please wait {minutes} minutes before "
        "writing again.",
    },
    "limit_busy": {
        "vi": {"default": "Duong day dang qua tai. Vui long gui lai sau it phut. Xin loi!",
               "voice": "Đường dây đang quá tải. Vui lòng gọi lại sau ít phút. Xin lỗi!"},
        "en": "The line is overloaded. Please send again in a few minutes. Sorry!",
    },
    "limit_unavailable": {
        "vi": {"default": "Dich vu hien khong kha dung.",
               "voice": "Dịch vụ hiện không khả dụng."},
        "en": "The service is not available.",
    },
    "limit_too_long": {
        "vi": {"default": "Cuoc trao doi qua dai nen da ket thuc. Noi dung da duoc luu; ma so "
               "tin bao (neu co) se gui qua SMS.",
               "voice": "Cuộc gọi quá dài nên đã kết thúc. Nội dung đã được lưu."},
        "en": "This conversation was too long and has ended. What you sent is kept; a tip "
        "reference, if any, follows by SMS.",
    },
}
