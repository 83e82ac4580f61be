"""What the voice hotline says: the same prompt keys, written to be heard (with diacritics).

Any of them may instead be a recording: see `VOICE_PROMPTS_DIR` in the README.
"""

PROMPTS: dict[str, dict[str, str]] = {
    "greeting": {
        "vi": "Xin chào. Đây là đường dây nóng tin báo ẩn danh cho Công an xã. Số điện thoại "
        "của bạn được giữ bí mật.",
        "en": "Hello. This is the anonymous tip line for your commune police. Your number is "
        "kept secret.",
    },
    "press_language": {
        "vi": "Tiếng Việt, bấm {digit}.",
        "en": "For English, press {digit}.",
    },
    "bad_choice": {
        "vi": "Xin bấm một trong các phím vừa nghe.",
        "en": "Please press one of the keys you heard.",
    },
    "no_input": {
        "vi": "Chúng tôi chưa nhận được câu trả lời của bạn.",
        "en": "We did not get your answer.",
    },
    "ask_category": {
        "vi": "Tin báo về việc gì? Ma túy, bấm 1. Trộm cắp, bấm 2. Đánh bạc, bấm 3. Cướp hoặc "
        "bạo lực, bấm 4. Người lạ mặt, bấm 5. Hàng cấm, bấm 6. Việc khác, bấm 7.",
        "en": "What is it about? Drugs, press 1. Theft, press 2. Gambling, press 3. Robbery or "
        "violence, press 4. A stranger, press 5. Contraband, press 6. Anything else, press 7.",
    },
    "bad_category": {
        "vi": "Xin bấm một số từ 1 đến 7.",
        "en": "Please press a number from 1 to 7.",
    },
    "ask_commune": {
        "vi": "Xin bấm mã xã gồm 5 số in trên áp phích, rồi bấm phím thăng. Nếu không biết mã, "
        "hoặc muốn báo thẳng công an tỉnh, bấm 0 rồi phím thăng.",
        "en": "Please key in the 5-digit commune code from the poster, then press hash. If you "
        "do not know it, or want the provincial police instead, press 0 then hash.",
    },
    "commune_not_found": {
        "vi": "Không tìm thấy xã có mã {query}.",
        "en": "There is no commune with code {query}.",
    },
    "choose_commune": {
        "vi": "Xin chọn xã: {choices}. Bấm số của xã, hoặc 0 nếu không có.",
        "en": "Choose the commune: {choices}. Press its number, or 0 if none.",
    },
    "confirm_commune": {
        "vi": "Bạn đã bấm mã {code}: {name}. Đúng, bấm 1. Sai, bấm 2.",
        "en": "You keyed in {code}: {name}. If right, press 1. If wrong, press 2.",
    },
    "ask_details": {
        "vi": "Sau tiếng bíp, xin nói rõ sự việc: chuyện gì, ở đâu, khi nào. Không cần nói tên. "
        "Nói xong, bấm phím thăng.",
        "en": "After the beep, tell us what happened, where and when. Do not say your name. "
        "Press hash when you are done.",
    },
    "ask_summary": {
        "vi": "Cảm ơn. Xin nói tóm tắt sự việc trong một câu ngắn.",
        "en": "Thank you. Now please sum it up in one short sentence.",
    },
    "urgent_advice": {
        "vi": "Nếu bạn đang gặp nguy hiểm, hãy gọi ngay một một ba.",
        "en": "If you are in danger now, call one one three.",
    },
    "fire_advice": {
        "vi": "Nếu đang có cháy, hãy gọi ngay cứu hỏa, số một một bốn.",
        "en": "If something is on fire now, call the fire service, one one four.",
    },
    "receipt": {
        "vi": "Tin báo của bạn đã được ghi nhận. Mã tin báo là {ref}. Mã PIN là {pin}. Xin nhắc "
        "lại: mã tin báo {ref}, mã PIN {pin}. Hãy ghi lại để theo dõi. Cảm ơn bạn, tạm biệt.",
        "en": "Your tip has been received. The tip number is {ref}. The PIN is {pin}. Once "
        "again: tip number {ref}, PIN {pin}. Write them down to follow up. Thank you, goodbye.",
    },
}
