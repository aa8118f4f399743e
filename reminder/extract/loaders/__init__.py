"""Document loaders: a file, URL or bytes → raw text with its format, hash, encoding and metadata.

    load_path ─┐
    load_url ──┼─ load_bytes ── detect_format ─┬─ txt   decode_text (BOM, UTF-8, GB18030 vs Big5)
               │                               ├─ html  html.parser, blocks → lines
               │                               ├─ pdf   pdfplumber, page after page (pages without text: OCR)
               │                               ├─ docx  python-docx, body order
               │                               ├─ doc/wps/rtf/xls  LibreOffice headless → docx/xlsx
               │                               ├─ xlsx  openpyxl, rows as tab-separated lines
               │                               ├─ ofd   its XML, page after page
               │                               └─ image RapidOCR offline (meta "ocr")
               └─ errors: LoadError ← UnsupportedFormat, EncodingError, InputTooLarge

The text is raw: the pipeline cleans it with ``normalize.clean``.
"""

from reminder.extract.loaders._load import load_bytes, load_path
from reminder.extract.loaders._loaded import DEFAULT_MAX_BYTES, FORMATS, Format, Loaded
from reminder.extract.loaders._url import load_url

__all__ = ["DEFAULT_MAX_BYTES", "FORMATS", "Format", "Loaded", "load_bytes", "load_path", "load_url"]
