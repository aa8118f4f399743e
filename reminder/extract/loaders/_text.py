"""Plain-text decoding: which encoding did a Chinese text file use?

Order, most certain first:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. a declared charset (HTTP header, HTML ``<meta>``) when it names a Unicode or Chinese encoding
   and the bytes decode with it (Western charsets such as ISO-8859-1 are ignored: servers send them
   by default, and they decode any bytes into mojibake);
3. strict UTF-8;
4. GB18030 (superset of GB2312/GBK) against Big5: many byte strings decode as both, so the decoding
   made of common characters wins (see ``plausibility``); charset-normalizer breaks a tie.

charset-normalizer alone guesses short GBK texts as Korean (cp949), hence the order above.
"""

from __future__ import annotations

import codecs
import functools
import logging
import re
import unicodedata

from reminder.errors import EncodingError
from reminder.extract.normalize import to_simplified

__all__ = [
    "decode_text",
    "canonical_charset",
    "describe_binary",
    "looks_binary",
    "plausibility",
    "MIN_PLAUSIBILITY",
]

logger = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

#: our name for a charset label → (Python codec, reported name)
_CHARSETS: dict[str, tuple[str, str]] = {
    "utf-8": ("utf-8", "utf-8"),
    "utf8": ("utf-8", "utf-8"),
    "utf-16": ("utf-16", "utf-16"),
    "gb2312": ("gb18030", "gb18030"),
    "gbk": ("gb18030", "gb18030"),
    "gb18030": ("gb18030", "gb18030"),
    "cp936": ("gb18030", "gb18030"),
    "x-gbk": ("gb18030", "gb18030"),
    "euc-cn": ("gb18030", "gb18030"),
    "big5": ("cp950", "big5"),
    "cp950": ("cp950", "big5"),
    "big5-hkscs": ("big5hkscs", "big5"),
    "x-x-big5": ("cp950", "big5"),
}

# The two Chinese legacy candidates; cp950 is Big5 plus the Microsoft additions Taiwan files use.
_CJK_CANDIDATES: tuple[tuple[str, str], ...] = (("gb18030", "gb18030"), ("cp950", "big5"))

# Characters a wrong Chinese decoding produces and real notices hardly contain: kana, Greek,
# Cyrillic, bopomofo, box drawing, enclosed numbers, CJK compatibility and small/vertical forms,
# private use, Hangul.
_SUSPICIOUS = re.compile(
    "[\u0370-\u04ff\u2460-\u24ff\u2500-\u257f\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u3400-\u4dbf\uac00-\ud7af\ue000-\uf8ff\uf900-\ufaff\ufe10-\ufe6f\uff61-\uffdc]"
)
# Controls that never appear in text (tab, newlines and form feed do).
_BINARY_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
# A decoding with more than this share of binary controls is not text.
_MAX_CONTROL_SHARE = 0.01
# A non-ASCII letter next to an ASCII one, as in "café" or "Zürich".
_ACCENTED_WORD = re.compile(r"[A-Za-z][^\x00-\x7f]|[^\x00-\x7f][A-Za-z]")
# A Chinese reading this plausible beats a UTF-8 reading made only of Latin-1-like characters.
_SURE_CHINESE = 0.9
# charset-normalizer reads this many leading bytes (it is slow on big inputs).
_GUESS_BYTES = 65536
# Scoring reads only the start of big files: the first pages decide as well as the whole.
_SCORE_CHARS = 200_000
# A Chinese decoding below this plausibility is not Chinese text (real text scores about 0.9+).
MIN_PLAUSIBILITY = 0.5


def canonical_charset(label: str | None) -> tuple[str, str] | None:
    """The (codec, reported name) for a declared charset label we trust, else None.

    >>> canonical_charset("GB2312")
    ('gb18030', 'gb18030')
    >>> canonical_charset("iso-8859-1") is None
    True
    """
    if not label:
        return None
    return _CHARSETS.get(label.strip().strip("\"'").lower().replace("_", "-"))


@functools.lru_cache(maxsize=8192)
def _is_common_hanzi(ch: str) -> bool:
    """Whether a simplified character is in GB2312 level 1, the 3,755 most used characters."""
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xB0 <= code[0] <= 0xD7


def plausibility(text: str) -> float:
    """How much ``text`` looks like real Chinese: the share of its non-ASCII characters that are
    common hanzi (judged after traditional → simplified) or CJK punctuation, minus twice the share
    of characters only a wrong decoding produces.

    >>> plausibility("职工总数不超过500人") > 0.9
    True
    """
    wide = [ch for ch in text[:_SCORE_CHARS] if ord(ch) > 0x7F]
    if not wide:
        return 1.0
    simplified = to_simplified("".join(wide))
    good = sum(1 for ch in simplified if _is_common_hanzi(ch) or _is_cjk_punctuation(ch))
    bad = len(_SUSPICIOUS.findall("".join(wide)))
    return (good - 2 * bad) / len(wide)


def _is_cjk_punctuation(ch: str) -> bool:
    return ch in "。，、；：？！“”‘’（）《》〈〉【】「」『』—…·～％＋－／　" or (
        "\uff10" <= ch <= "\uff5a" and unicodedata.category(ch)[0] in "LN"
    )


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def looks_binary(text: str) -> bool:
    """Whether a decoding holds control characters no text file has (more than 1 in 100)."""
    return len(_BINARY_CONTROL.findall(text)) > max(0, len(text) * _MAX_CONTROL_SHARE)


def _misread_gb(utf8: str) -> bool:
    """Whether a valid UTF-8 reading may really be a short GBK/Big5 text ("目录" reads as "Ŀ¼").

    Chinese UTF-8 has three-byte characters; Western UTF-8 has accented letters inside words.
    A reading with neither, but some non-ASCII, is suspect.
    """
    if not utf8.isascii() and all(ord(ch) < 0x800 for ch in utf8):
        return not _ACCENTED_WORD.search(utf8)
    return False


def _normalizer_guess(data: bytes) -> str | None:
    """charset-normalizer's best guess, only as a tie-breaker between our candidates."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:_GUESS_BYTES], cp_isolation=["gb18030", "big5", "cp950"]).best()
    return None if best is None else str(best.encoding)


def _choose_cjk(data: bytes) -> tuple[str, str, float] | None:
    """The more plausible of the GB18030 and Big5 decodings: (text, reported name, score)."""
    scored: list[tuple[float, str, str]] = []
    for codec, name in _CJK_CANDIDATES:
        text = _strict(data, codec)
        if text is not None and not looks_binary(text):
            scored.append((plausibility(text), text, name))
    if not scored:
        return None
    scored.sort(key=lambda s: -s[0])
    if len(scored) == 2 and abs(scored[0][0] - scored[1][0]) < 0.05:
        guess = _normalizer_guess(data)
        if guess in ("big5", "cp950"):
            scored.sort(key=lambda s: s[2] != "big5")
        logger.debug(
            "GB18030/Big5 tie (%.2f vs %.2f); charset-normalizer says %s", scored[0][0], scored[1][0], guess
        )
    score, text, name = scored[0]
    return text, name, score


def decode_text(data: bytes, source: str, declared: str | None = None) -> tuple[str, str]:
    """Decode the bytes of a text (or HTML) file.

    Args:
        data: the raw bytes.
        source: the path or URL, for the error message.
        declared: a charset label from a content type or ``<meta>``, if any.

    Returns:
        The text and the encoding used ("utf-8", "utf-16", "utf-32", "gb18030" or "big5").

    Raises:
        EncodingError: the bytes are not text in any encoding we support.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is None:
                break
            return text.lstrip("\ufeff"), name
    trusted = canonical_charset(declared)
    if trusted is not None:
        text = _strict(data, trusted[0])
        if text is not None and not looks_binary(text):
            utf8 = _strict(data, "utf-8") if trusted[1] != "utf-8" else None
            if utf8 is not None and utf8 != text:
                # Valid UTF-8 with non-ASCII bytes is never accidental: the label is stale.
                logger.info("%s: declared charset %s, but the bytes are UTF-8", source, declared)
                return utf8, "utf-8"
            return text, trusted[1]
        logger.info("%s: declared charset %s does not decode the bytes; detecting", source, declared)
    utf8 = _strict(data, "utf-8")
    if utf8 is not None and looks_binary(utf8):
        utf8 = None
    if utf8 is not None and not _misread_gb(utf8):
        return utf8, "utf-8"
    chosen = _choose_cjk(data)
    if utf8 is not None and (chosen is None or chosen[2] < _SURE_CHINESE):
        return utf8, "utf-8"
    if chosen is not None and chosen[2] >= MIN_PLAUSIBILITY:
        return chosen[0], chosen[1]
    raise EncodingError(source, _not_text_reason(data))


def _not_text_reason(data: bytes) -> str:
    kind = describe_binary(data)
    what = f"看起来是{kind[0]} / looks like {kind[1]}; " if kind else ""
    return (
        f"不是可识别的文本（支持 UTF-8、UTF-16、GB18030/GBK/GB2312、Big5）/ not text in a supported "
        f"encoding (UTF-8, UTF-16, GB18030/GBK/GB2312, Big5): {what}"
        "请另存为 UTF-8 文本、PDF 或 DOCX 后重试 / save it as UTF-8 text, PDF or DOCX and retry"
    )


#: leading bytes of common non-document files → (Chinese name, English name)
_BINARY_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片", "a PNG image"),
    (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"),
    (b"GIF8", "GIF 图片", "a GIF image"),
    (b"MZ", "Windows 可执行文件", "a Windows executable"),
    (b"\x7fELF", "ELF 可执行文件", "an ELF executable"),
    (b"PK\x03\x04", "ZIP 压缩包", "a ZIP archive"),
    (b"Rar!", "RAR 压缩包", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包", "a 7z archive"),
    (b"\x1f\x8b", "gzip 压缩包", "a gzip archive"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "旧版 Office 文件（.doc/.xls/.wps）",
        "a legacy Office file (.doc/.xls/.wps)",
    ),
)


def describe_binary(data: bytes) -> tuple[str, str] | None:
    """Name a well-known binary file type from its leading bytes, or None."""
    for magic, zh, en in _BINARY_MAGIC:
        if data.startswith(magic):
            return zh, en
    return None
