"""200 realistic tips as residents type them: half with diacritics, half without."""

from flows.text import unaccent

ACCENTED = (
    "Có người lạ mặt chở hàng cấm qua cầu thôn 3 lúc nửa đêm",
    "Nhà ông Tư ở xóm 2 tối nào cũng có đánh bạc, xóc đĩa đến sáng",
    "Thanh niên lạ hay tụ tập ở bãi sông, nghi mua bán ma túy",
    "Xe máy nhà tôi bị trộm đêm qua trước cửa chợ xã",
    "Có nhóm cho vay nặng lãi, đòi nợ bằng cách ném chất bẩn vào nhà",
    "Đang có đánh nhau ở quán nước đầu làng, có người bị chém",
    "Hai người lạ hỏi thăm đường vào bản, đi xe biển số tỉnh khác",
    "Có người giấu súng tự chế trong nhà kho cuối xóm",
    "Nghi có đường dây lừa con gái sang Trung Quốc bán",
    "Trộm bò ở chuồng nhà bà Năm, dấu chân dẫn ra phía rừng",
    "Ghi lô đề công khai ở quán tạp hóa gần trường học",
    "Người lạ bán thuốc lắc cho học sinh ở cổng trường",
    "Cháy nhà kho ở thôn Đông, có mùi xăng, nghi bị đốt",
    "Mâu thuẫn đất đai giữa hai nhà, đã có xô xát, sợ xảy ra án mạng",
    "Có người vận chuyển pháo nổ bằng xe tải nhỏ vào ban đêm",
    "Cướp giật điện thoại của phụ nữ đi chợ sáng nay",
    "Nhóm thanh niên đua xe, mang theo dao kiếm mỗi tối thứ bảy",
    "Có người tiêm chích ở nghĩa địa sau làng, vứt kim tiêm bừa bãi",
    "Thấy người nước ngoài ở nhờ nhà dân, không khai báo tạm trú",
    "Bị lừa chuyển tiền qua điện thoại, kẻ gian giả danh công an",
    "Quán karaoke cho khách dùng ma túy trong phòng",
    "Trộm cắp tài sản trong nhà thờ họ, mất chuông đồng",
    "Có sòng bạc di động, mỗi đêm chuyển một nhà trong xóm",
    "Đối tượng truy nã đang lẩn trốn ở lán rẫy trên đồi",
    "Khai thác gỗ trái phép ở rừng phòng hộ, xe chở gỗ đi đêm",
)


def tips() -> list[str]:
    """The corpus: each sentence four times, as typed with and without diacritics."""
    out = []
    for n, sentence in enumerate(ACCENTED * 8):
        out.append(sentence if n % 2 == 0 else unaccent(sentence).lower())
    return out
