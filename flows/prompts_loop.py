"""Prompts of the officer loop: officer command replies, reporter notices, relayed messages.

Officers get Vietnamese (their phones and training are Vietnamese); English is kept for
every key so deployments elsewhere can switch. All texts are unaccented and one segment.
"""

LOOP_PROMPTS: dict[str, dict[str, str]] = {
    "officer_help": {
        "vi": "Lenh: OK <ma> (nhan tin); XONG <ma> [KT/KKT/TDC] [ghi chu]; HOI <ma> <cau hoi>; "
        "CHUYEN <ma> <ma xa>; TRUNG <ma> <ma tin cung vu>; DS (tin dang mo).",
        "en": "Commands: OK <ref> (take); XONG <ref> [KT/KKT/TDC] [note]; HOI <ref> <question>; "
        "CHUYEN <ref> <commune code>; TRUNG <ref> <ref same case>; DS (open tips).",
    },
    "officer_denied": {
        "vi": "Khong co tin bao {ref} trong cac tin ban phu trach.",
        "en": "No tip {ref} among the tips you handle.",
    },
    "officer_ack": {
        "vi": "Da ghi nhan: ban tiep nhan tin bao {ref}. Xu ly xong soan XONG {ref} [KT/KKT/TDC].",
        "en": "Noted: you took tip {ref}. When done, send XONG {ref} [KT/KKT/TDC].",
    },
    "officer_ack_again": {
        "vi": "Tin bao {ref} da duoc tiep nhan truoc do.",
        "en": "Tip {ref} was already taken.",
    },
    "officer_resolved": {
        "vi": "Da ghi nhan tin bao {ref} xu ly xong{decision}. Cam on.",
        "en": "Tip {ref} recorded as dealt with{decision}. Thank you.",
    },
    "decision_prosecute": {"vi": " (khoi to)", "en": " (prosecute)"},
    "decision_not_prosecute": {"vi": " (khong khoi to)", "en": " (no prosecution)"},
    "decision_suspend": {"vi": " (tam dinh chi)", "en": " (suspended)"},
    "decision_none": {"vi": "", "en": ""},
    "officer_closed": {
        "vi": "Tin bao {ref} da xu ly xong, khong the thay doi bang SMS.",
        "en": "Tip {ref} is already closed and cannot be changed by SMS.",
    },
    "officer_asked": {
        "vi": "Da gui cau hoi ve tin bao {ref} cho nguoi bao (an danh). Tra loi se chuyen cho ban.",
        "en": "Question about tip {ref} sent to the reporter (anonymously). Replies come to you.",
    },
    "officer_ask_empty": {
        "vi": "Soan HOI {ref} <cau hoi> de hoi nguoi bao tin.",
        "en": "Send HOI {ref} <question> to ask the reporter.",
    },
    "officer_unreachable": {
        "vi": "Khong lien lac duoc nguoi bao tin {ref}: ho khong de lai cach tra loi.",
        "en": "The reporter of tip {ref} cannot be reached: no reply address was kept.",
    },
    "officer_transferred": {
        "vi": "Da chuyen tin bao {ref} sang {place}.",
        "en": "Tip {ref} transferred to {place}.",
    },
    "officer_bad_commune": {
        "vi": "Khong co xa/phuong ma {code}. Soan CHUYEN {ref} <ma xa>.",
        "en": "No commune with code {code}. Send CHUYEN {ref} <commune code>.",
    },
    "officer_commune_not_found": {
        "vi": "Khong tim thay xa \"{name}\". Soan CHUYEN {ref} <ma xa>.",
        "en": "No commune found for \"{name}\". Send CHUYEN {ref} <commune code>.",
    },
    "officer_commune_choices": {
        "vi": "Soan CHUYEN {ref} <ma xa>, ma xa: {items}",
        "en": "Send CHUYEN {ref} <commune code>, codes: {items}",
    },
    "officer_ack_which": {
        "vi": "Co {count} tin chua nhan, soan OK <ma> cho tung tin: {items}",
        "en": "{count} tips not yet taken, send OK <ref> for each: {items}",
    },
    "officer_list": {"vi": "Tin dang mo ({count}): {items}", "en": "Open tips ({count}): {items}"},
    "officer_list_empty": {"vi": "Khong co tin bao nao dang mo.", "en": "No open tips."},
    "list_new": {"vi": "CHUA NHAN", "en": "NEW"},
    "list_new_urgent": {"vi": "KHAN CHUA NHAN", "en": "URGENT NEW"},
    "list_taken": {"vi": "DA NHAN", "en": "TAKEN"},
    "list_more": {"vi": " +{count} tin khac", "en": " +{count} more"},
    "forward_reply": {
        "vi": "TB {ref} nguoi bao tra loi: \"{text}\"",
        "en": "Tip {ref}, reporter answers: \"{text}\"",
    },
    "forward_details": {
        "vi": "TB {ref} nguoi bao bo sung: \"{text}\"",
        "en": "Tip {ref}, reporter adds: \"{text}\"",
    },
    "question_to_reporter": {
        "vi": "Can bo hoi ve tin bao {ref}: \"{text}\" Tra loi tin nay (an danh).",
        "en": "An officer asks about tip {ref}: \"{text}\" Reply to this (anonymous).",
    },
    "notify_acknowledged": {
        "vi": "Tin bao {ref} da duoc can bo tiep nhan. Cam on ban.",
        "en": "Tip {ref} has been taken up by an officer. Thank you.",
    },
    "officer_linked": {
        "vi": "Da gop tin bao {ref} vao vu viec cua tin {case}. Nguoi bao tin {ref} se nhan ket "
        "qua cung tin {case}.",
        "en": "Tip {ref} joined to the case of tip {case}. Its reporter will hear that case's "
        "outcome.",
    },
    "officer_joined": {
        "vi": "Tin bao {ref} da gop vao vu viec cua tin {case}: xu ly tin {case}.",
        "en": "Tip {ref} was joined to the case of tip {case}: act on tip {case}.",
    },
    "officer_link_self": {
        "vi": "Tin bao {ref} da thuoc vu viec do. Soan TRUNG <ma> <ma tin cung vu>.",
        "en": "Tip {ref} is that case already. Send TRUNG <ref> <ref of the same case>.",
    },
    "officer_link_usage": {
        "vi": "Soan TRUNG <ma> <ma tin cung vu>: tin <ma> dong lai, nhap vao vu viec kia.",
        "en": "Send TRUNG <ref> <ref of the same case>: the first is closed into the second.",
    },
    "notify_linked": {
        "vi": "Tin bao {ref} ve mot vu viec cong an dang xu ly. Ban se nhan ket qua. Cam on ban.",
        "en": "Tip {ref} is about a case the police are already handling. You will hear the "
        "outcome. Thank you.",
    },
    "notify_linked_settled": {
        "vi": "Tin bao {ref} ve mot vu viec cong an da xu ly xong. Cam on ban.",
        "en": "Tip {ref} is about a case the police have already dealt with. Thank you.",
    },
    "notify_resolved": {
        "vi": "Tin bao {ref} da duoc xu ly xong. Cam on ban da giup giu binh yen thon xom.",
        "en": "Tip {ref} has been dealt with. Thank you for helping keep your area safe.",
    },
    "relayed": {
        "vi": "Da chuyen tra loi cua ban cho can bo (tin bao {ref}). Cam on ban.",
        "en": "Your answer was passed to the officer (tip {ref}). Thank you.",
    },
    "followup_needs_pin": {
        "vi": "Can ca ma va PIN: TT <ma> <PIN> de xem, THEM <ma> <PIN> <noi dung> de bo sung. "
        "PIN co trong tin xac nhan.",
        "en": "Send the reference and the PIN: STATUS <ref> <PIN>, or MORE <ref> <PIN> <text>. "
        "The PIN is in your receipt.",
    },
    "details_added": {
        "vi": "Da bo sung vao tin bao {ref} va bao cho can bo. Cam on ban.",
        "en": "Added to tip {ref} and passed to the officer. Thank you.",
    },
}
