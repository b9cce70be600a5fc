"""The reader portal's words in Vietnamese (the default) and English."""

from __future__ import annotations

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

TEXT: dict[str, tuple[str, str]] = {
    # key: (Vietnamese, English)
    "skip": ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    "tagline": ("Thư viện số: tra cứu và đọc tài liệu", "Digital library: find and read"),
    "search_label": ("Tìm tài liệu", "Search the collection"),
    "search_hint": ("Nhan đề, tác giả hoặc chủ đề; gõ có dấu hay không dấu đều được.",
                    "Title, author or subject; with or without Vietnamese diacritics."),
    "search_button": ("Tìm", "Search"),
    "browse": ("Duyệt theo bộ sưu tập", "Browse by collection"),
    "no_sets": ("Chưa có bộ sưu tập nào.", "There are no collections yet."),
    "items_count": ("{n} tài liệu", "{n} items"),
    "results": ("Kết quả tìm kiếm", "Search results"),
    "found": ("Tìm thấy {total} tài liệu cho “{q}”.", "{total} items found for “{q}”."),
    "found_set": ("Bộ sưu tập “{name}”: {total} tài liệu.", "Collection “{name}”: {total} items."),
    "showing": ("Hiển thị {first}–{last}.", "Showing {first}–{last}."),
    "nothing": ("Không tìm thấy tài liệu nào. Hãy thử từ khoá khác.",
                "Nothing found. Try other words."),
    "empty_query": ("Hãy nhập một từ khoá để tìm.", "Type a word to search for."),
    "next": ("Trang sau", "Next page"),
    "prev": ("Trang trước", "Previous page"),
    "pages": ("{n} trang", "{n} pages"),
    "page_one": ("1 trang", "1 page"),
    "no_images": ("Không có ảnh", "No images"),
    "restricted": ("Dành cho bạn đọc", "For registered readers"),
    "rights_statement": ("Quyền sử dụng", "Rights statement"),
    "restricted_note": ("Ảnh của tài liệu này chỉ dành cho bạn đọc đã đăng nhập.",
                        "The images of this item are for signed-in readers only."),
    "metadata": ("Thông tin mô tả", "Description"),
    "viewer": ("Trình xem IIIF (Mirador)", "IIIF viewer (Mirador)"),
    "viewer_noscript": ("Cần bật JavaScript để xem ảnh.", "JavaScript is needed to view images."),
    "manifest": ("Manifest IIIF", "IIIF manifest"),
    "manifest_drag": ("Kéo biểu tượng IIIF vào một trình xem IIIF khác để mở tài liệu ở đó.",
                      "Drag the IIIF icon into another IIIF viewer to open the item there."),
    "records": ("Bản ghi OAI-PMH", "OAI-PMH records"),
    "collections": ("Bộ sưu tập", "Collections"),
    "links": ("Liên kết", "Links"),
    "not_found": ("Không tìm thấy tài liệu", "Item not found"),
    "not_found_text": ("Không có tài liệu nào mang mã này.", "There is no item with this id."),
    "gone": ("Tài liệu đã bị xoá", "Item deleted"),
    "gone_text": ("Tài liệu này đã bị xoá khỏi thư viện.",
                  "This item has been removed from the library."),
    "bad_request": ("Yêu cầu không hợp lệ", "Bad request"),
    "home": ("Trang chủ", "Home"),
    "language": ("Ngôn ngữ", "Language"),
}


def translate(key: str, lang: str, **values: object) -> str:
    """The text of a key in a language, with {placeholders} filled in."""
    vi, en = TEXT[key]
    return (en if lang == "en" else vi).format(**values)
