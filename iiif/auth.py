"""IIIF Authorization: the service blocks of a non-open image or text and the Auth 2.0 probe
result.

Two versions side by side, pointing at the same sign-in window (`Links.auth_sign_in`):
Auth 1.0 (login, token and logout services), which Mirador 4 runs, and Authorization Flow 2.0
(probe, active access, token and logout services) for current clients. The blocks depend on
the base URL and the image only, never on who asks, so manifests stay one public document.
"""

from __future__ import annotations

from typing import Any

from iiif.contexts import AUTH2_CONTEXT
from iiif.manifest import Services
from store.links import Links
from store.records import ItemRecord, PageImage, PageRecord

AUTH1_CONTEXT = "http://iiif.io/api/auth/1/context.json"
LOGIN1 = "http://iiif.io/api/auth/1/login"
TOKEN1 = "http://iiif.io/api/auth/1/token"
LOGOUT1 = "http://iiif.io/api/auth/1/logout"
Blocks = list[dict[str, Any]]

# (Vietnamese, English): Auth 1.0 strings are plain text, so both are shown, Vietnamese first
TEXT: dict[str, tuple[str, str]] = {
    "label": ("Đăng nhập bạn đọc", "Reader sign-in"),
    "header": ("Đăng nhập để đọc", "Sign in to read"),
    "description": ("Ảnh của tài liệu này chỉ dành cho bạn đọc đã đăng nhập bằng tài khoản "
                    "do thư viện cấp.",
                    "The images of this item are for readers signed in with the account the "
                    "library gave them."),
    "confirm": ("Đăng nhập", "Sign in"),
    "failure_header": ("Chưa đăng nhập được", "Not signed in"),
    "failure_description": ("Tài khoản chưa được chấp nhận, hoặc đã hết hạn. Hãy thử lại hoặc "
                            "hỏi thủ thư.",
                            "The account was not accepted, or has expired. Try again or ask "
                            "the library's staff."),
    "logout": ("Đăng xuất", "Sign out"),
    "restricted_heading": ("Không xem được trên mạng", "Not available online"),
    "restricted_note": ("Ảnh của tài liệu này chỉ xem được tại thư viện.",
                        "The images of this item can be seen at the library only."),
    "text_description": ("Văn bản của tài liệu này chỉ dành cho bạn đọc đã đăng nhập bằng tài "
                         "khoản do thư viện cấp.",
                         "The text of this item is for readers signed in with the account the "
                         "library gave them."),
    "text_restricted_note": ("Văn bản của tài liệu này chỉ đọc được tại thư viện.",
                             "The text of this item can be read at the library only."),
}


def both(key: str) -> str:
    """The Vietnamese and English text of a key as one string."""
    vi, en = TEXT[key]
    return f"{vi} · {en}"


def language_map(key: str, lang: str | None = None) -> dict[str, list[str]]:
    """A language map of a key: in `lang` only, or in both languages when None."""
    vi, en = TEXT[key]
    if lang is None:
        return {"vi": [vi], "en": [en]}
    return {"en": [en]} if lang == "en" else {"vi": [vi]}


def auth1_login(links: Links, about: str = "description") -> dict[str, Any]:
    """The Auth 1.0 login service with its token and logout services (Mirador needs a label);
    `about` is the TEXT key of its description (the images', or the text's)."""
    return {
        "@context": AUTH1_CONTEXT, "@id": links.auth_sign_in(), "@type": "AuthCookieService1",
        "profile": LOGIN1, "label": both("label"), "header": both("header"),
        "description": both(about), "confirmLabel": both("confirm"),
        "failureHeader": both("failure_header"),
        "failureDescription": both("failure_description"),
        "service": [
            {"@id": links.auth_token(1), "@type": "AuthTokenService1", "profile": TOKEN1},
            {"@id": links.auth_logout(), "@type": "AuthLogoutService1", "profile": LOGOUT1,
             "label": both("logout")},
        ],
    }


def auth2_probe(links: Links, image_id: str) -> dict[str, Any]:
    """The Auth 2.0 probe service of an image, with the active access service inside.

    It also carries its type as `profile`: Mirador 4.0.0 calls `getProfile().match(…)` on every
    service of an image service and, on one without a profile, throws before it fetches the
    info.json (the viewer stays blank, tried in Chromium). Auth 2.0 clients go by `type`."""
    return _probe(links, links.auth_probe(image_id))


def _probe(links: Links, probe_id: str, about: str = "description") -> dict[str, Any]:
    return {
        "id": probe_id, "type": "AuthProbeService2",
        "profile": "AuthProbeService2",
        "service": [{
            "id": links.auth_sign_in(), "type": "AuthAccessService2", "profile": "active",
            "label": language_map("label"), "heading": language_map("header"),
            "note": language_map(about), "confirmLabel": language_map("confirm"),
            "service": [
                {"id": links.auth_token(2), "type": "AuthAccessTokenService2",
                 "errorHeading": language_map("failure_header"),
                 "errorNote": language_map("failure_description")},
                {"id": links.auth_logout(), "type": "AuthLogoutService2",
                 "label": language_map("logout")},
            ],
        }],
    }


def services(links: Links, image_id: str, access: str) -> Blocks:
    """The auth services of an image of this access level: none for open images; for
    `restricted` ones only the 2.0 probe, which tells why (403): no sign-in opens them, so
    Mirador is offered none."""
    if access == "open":
        return []
    probe = auth2_probe(links, image_id)
    return [auth1_login(links), probe] if access == "readers" else [probe]


def text_services(links: Links, item_id: str, access: str) -> tuple[Blocks, Blocks]:
    """The auth services of an item's text (its search and autocomplete services, and their
    refusals): (Auth 1.0 blocks, Auth 2.0 blocks). As for images: none when open; the 1.0
    login service only where signing in opens the text (`readers`); the 2.0 probe of the
    item's text (never open to anyone: `restricted`) otherwise."""
    if access == "open":
        return [], []
    probe = _probe(links, links.auth_text_probe(item_id), "text_description")
    return ([auth1_login(links, "text_description")] if access == "readers" else []), [probe]


def image_services(links: Links, page: PageImage) -> Blocks:
    """The `Hooks.image_services` default: the auth services in a page's info.json."""
    return services(links, page.image_id, page.access)


def _manifest_image(links: Links, item: ItemRecord, page: PageRecord) -> Blocks:
    return services(links, page.image_id, item.access)


# The manifests' auth services; `version` is part of their cache key: change it with the blocks.
PRESENTATION = Services(image=_manifest_image, version="auth-1+2.v2")  # v2: Auth 2.0 context


def probe_result(status: int, lang: str, text: bool = False) -> dict[str, Any]:
    """An AuthProbeResult2: 200, or 401 (sign in to read) or 403 (never online), with a
    heading and note in the reader's language, about the images or (`text`) the text."""
    doc: dict[str, Any] = {"@context": AUTH2_CONTEXT, "type": "AuthProbeResult2",
                           "status": status}
    prefix = "text_" if text else ""
    if status == 401:
        doc |= {"heading": language_map("header", lang),
                "note": language_map(f"{prefix}description", lang)}
    elif status == 403:
        doc |= {"heading": language_map("restricted_heading", lang),
                "note": language_map(f"{prefix}restricted_note", lang)}
    return doc


# Why a token service gives no token: Auth 1.0 `error` values and Auth 2.0 error profiles.
TOKEN_ERRORS = {"missing": ("missingCredentials", "missingAspect"),
                "origin": ("invalidOrigin", "invalidOrigin"),
                "request": ("invalidRequest", "invalidRequest")}


def token_message(version: int, token: str | None, expires_in: int, error: str | None,
                  message_id: str | None, lang: str) -> dict[str, Any]:
    """What a token service answers: the token (`error` None), or why there is none (a key of
    TOKEN_ERRORS); `messageId` echoed when given (the postMessage flow)."""
    doc: dict[str, Any]
    if version == 1:
        doc = ({"accessToken": token, "expiresIn": expires_in} if error is None else
               {"error": TOKEN_ERRORS[error][0], "description": both("failure_description")})
    elif error is None:
        doc = {"@context": AUTH2_CONTEXT, "type": "AuthAccessToken2", "accessToken": token,
               "expiresIn": expires_in}
    else:
        doc = {"@context": AUTH2_CONTEXT, "type": "AuthAccessTokenError2",
               "profile": TOKEN_ERRORS[error][1], "heading": language_map("failure_header", lang),
               "note": language_map("failure_description", lang)}
    if message_id is not None:
        doc["messageId"] = message_id
    return doc
