"""The reader portal's words in Vietnamese (the default) and English."""

from __future__ import annotations

from datetime import date

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

TEXT: dict[str, tuple[str, str]] = {
    # key: (Vietnamese, English)
    "skip": ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    "tagline": ("Thư viện số: tra cứu và đọc tài liệu", "Digital library: find and read"),
    "search_label": ("Tìm tài liệu", "Search the collection"),
    "search_hint": ("Nhan đề, tác giả, chủ đề, mô tả hay nội dung; gõ có dấu hay không dấu "
                    "đều được; đặt cụm từ trong \"ngoặc kép\".",
                    "Title, author, subject, description or the text itself; with or without "
                    "Vietnamese diacritics; \"quotes\" for a phrase."),
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
    # full text
    "page_text_title": ("Văn bản trang {n}", "Text of page {n}"),
    "page_of": ("Trang {n} / {total}", "Page {n} of {total}"),
    "page_image": ("Xem ảnh trang", "See the page image"),
    "download_text": ("Tải toàn văn (.txt)", "Download the full text (.txt)"),
    "read_text": ("Đọc văn bản từng trang", "Read the text page by page"),
    "no_text": ("Trang này không có văn bản.", "This page has no text."),
    "pages_nav": ("Các trang", "Pages"),
    "prev_page": ("Trang trước", "Previous page"),
    "next_page": ("Trang sau", "Next page"),
    "text_refused_title": ("Văn bản không được công khai", "The text is not public"),
    "text_not_published": ("Văn bản của tài liệu này không được công bố trên mạng.",
                           "The text of this item is not published online."),
    "back_to_item": ("Trở lại tài liệu", "Back to the item"),
    "on_page": ("trang {n}", "page {n}"),
    "found_more": ("Tìm thấy hơn {total} tài liệu cho “{q}”.",
                   "More than {total} items found for “{q}”."),
    "years": ("Năm", "Years"),
    "year_from": ("Từ năm", "From year"),
    "year_to": ("Đến năm", "To year"),
    "filter": ("Lọc", "Filter"),
    # reader accounts
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "sign_in_title": ("Đăng nhập bạn đọc", "Reader sign-in"),
    "sign_in_intro": ("Đăng nhập bằng tài khoản bạn đọc do thư viện cấp để đọc các tài liệu "
                      "dành cho bạn đọc.",
                      "Sign in with the reader account the library gave you to read the items "
                      "kept for readers."),
    "sign_in_to_read": ("Đăng nhập để đọc", "Sign in to read"),
    "login_label": ("Tên đăng nhập", "Login"),
    "password_label": ("Mật khẩu", "Password"),
    "wrong_login": ("Tên đăng nhập hoặc mật khẩu không đúng.",
                    "The login or the password is not right."),
    "expired": ("Tài khoản của bạn đã hết hạn từ sau ngày {date}.",
                "Your account was valid until {date} and has expired."),
    "disabled": ("Tài khoản của bạn đã bị khoá.", "Your account has been disabled."),
    "ask": ("Để gia hạn hoặc mở lại tài khoản, hãy liên hệ: {contact}.",
            "To extend or reopen it, ask: {contact}."),
    "ask_default": ("Để gia hạn hoặc mở lại tài khoản, hãy hỏi thủ thư của thư viện.",
                    "To extend or reopen it, ask the library's staff."),
    "too_many_title": ("Tạm khoá đăng nhập", "Sign-in paused"),
    "too_many": ("Có quá nhiều lần đăng nhập sai. Hãy thử lại sau {minutes} phút.",
                 "There have been too many failed sign-ins. Try again in {minutes} minutes."),
    "signed_in_as": ("Bạn đọc: {login}", "Reader: {login}"),
    "account": ("Tài khoản", "Account"),
    "account_title": ("Tài khoản bạn đọc", "Your reader account"),
    "valid_until": ("Tài khoản có giá trị đến hết ngày {date}.",
                    "Your account is valid until the end of {date}."),
    "change_password": ("Đổi mật khẩu", "Change the password"),
    "current_password": ("Mật khẩu hiện tại", "Current password"),
    "new_password": ("Mật khẩu mới", "New password"),
    "repeat_password": ("Nhập lại mật khẩu mới", "New password again"),
    "password_changed": ("Đã đổi mật khẩu.", "Your password has been changed."),
    "password_mismatch": ("Hai lần nhập mật khẩu mới không giống nhau.",
                          "The two new passwords are not the same."),
    "password_length": ("Mật khẩu mới phải có từ {low} đến {high} ký tự.",
                        "The new password must have {low} to {high} characters."),
    "current_wrong": ("Mật khẩu hiện tại không đúng.", "The current password is not right."),
    "auth_window": ("Đăng nhập để đọc", "Sign in to read"),
    "auth_signed_in": ("Bạn đã đăng nhập. Cửa sổ này sẽ tự đóng; nếu không, hãy đóng nó và "
                       "quay lại trang tài liệu.",
                       "You are signed in. This window closes itself; if it does not, close "
                       "it and go back to the item."),
    "auth_not_signed_in": ("Bạn chưa đăng nhập.", "You are not signed in."),
    "auth_sign_out": ("Đăng xuất khỏi thư viện số?", "Sign out of the digital library?"),
    "auth_signed_out": ("Bạn đã đăng xuất. Cửa sổ này sẽ tự đóng.",
                        "You are signed out. This window closes itself."),
    "csrf_title": ("Biểu mẫu không còn hợp lệ", "This form is no longer valid"),
    "csrf_text": ("Biểu mẫu đã mở quá lâu, hoặc trình duyệt không gửi cookie của trang. Hãy "
                  "quay lại, tải lại trang rồi gửi lại.",
                  "The form was open too long, or the browser did not send the site's cookie. "
                  "Go back, reload the page and send it again."),
}


def translate(key: str, lang: str, **values: object) -> str:
    """The text of a key in a language, with {placeholders} filled in."""
    vi, en = TEXT[key]
    return (en if lang == "en" else vi).format(**values)


def format_date(day: date, lang: str) -> str:
    """A date as readers of the language write it: 30/06/2027 in Vietnamese, 30 June 2027."""
    return day.strftime("%d/%m/%Y") if lang != "en" else f"{day.day} {day:%B %Y}"
