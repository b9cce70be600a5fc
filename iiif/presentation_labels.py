"""Language maps: field names in Vietnamese and English, and values tagged by their language."""

from __future__ import annotations

from collections.abc import Iterable

from store.records import DCValue

LanguageMap = dict[str, list[str]]

# Dublin Core element → (Vietnamese, English) label, in the order metadata is shown.
ELEMENT_LABELS: dict[str, tuple[str, str]] = {
    "title": ("Nhan đề", "Title"),
    "creator": ("Tác giả", "Creator"),
    "contributor": ("Người đóng góp", "Contributor"),
    "subject": ("Chủ đề", "Subject"),
    "description": ("Mô tả", "Description"),
    "publisher": ("Nhà xuất bản", "Publisher"),
    "date": ("Năm xuất bản", "Date"),
    "type": ("Loại hình", "Type"),
    "format": ("Khổ mẫu", "Format"),
    "identifier": ("Định danh", "Identifier"),
    "source": ("Nguồn", "Source"),
    "language": ("Ngôn ngữ", "Language"),
    "relation": ("Liên kết", "Relation"),
    "coverage": ("Phạm vi", "Coverage"),
    "rights": ("Bản quyền", "Rights"),
}
SUBTITLE_LABEL = ("Nhan đề phụ", "Subtitle")

# Language tags as catalogues write them (ISO 639-2 in MARC, xml:lang in DC) → BCP 47.
_LANGUAGES = {"vi": "vi", "vie": "vi", "vi-vn": "vi", "en": "en", "eng": "en", "en-us": "en",
              "en-gb": "en", "fr": "fr", "fre": "fr", "fra": "fr", "zh": "zh", "chi": "zh",
              "zho": "zh"}


def bilingual(vi: str, en: str) -> LanguageMap:
    """A language map with a Vietnamese and an English text."""
    return {"vi": [vi], "en": [en]}


def language_tag(lang: str | None) -> str:
    """The BCP 47 tag of a catalogue language code; 'none' when it is unknown."""
    if not lang:
        return "none"
    return _LANGUAGES.get(lang.strip().lower(), "none")


def value_map(values: Iterable[DCValue]) -> LanguageMap:
    """Values grouped by their language; untagged values under 'none'."""
    out: LanguageMap = {}
    for value in values:
        out.setdefault(language_tag(value.lang), []).append(value.value)
    return out


def plain_map(text: str) -> LanguageMap:
    """A text of unknown language."""
    return {"none": [text]}


def element_label(element: str) -> LanguageMap:
    vi, en = ELEMENT_LABELS.get(element, (element, element))
    return bilingual(vi, en)
