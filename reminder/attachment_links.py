"""A watched page's attachment links on its notices (issue 17: "the notice page links to … attachments").

The extraction finds the attachments a notice's text names (附件1：申报指南) without links; the page it
was read from links its files (AttachmentLink: link text, URL). ``with_links`` joins them:

    each named attachment ── the page link of the same name (numbering, 《》, extension and
                             whitespace ignored; else the link whose text begins it: a 附件 heading
                             run into the file's first line (documents stored before headings got a
                             line of their own), which takes the link's text as its name; else
                             the one link whose name contains it, or the reverse) ── its url filled;
                             an unnumbered one naming a file already linked is dropped (said once)
    each page link no named attachment took ── appended as Attachment(name=link text, url)

so /notices/{id} shows every file of the page as a link, under the names the text gives them.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence

from reminder.model import Attachment, Notice
from reminder.sources import AttachmentLink

__all__ = ["attachment_key", "link_attachments", "with_links"]

# 附件1：/ 附件 2、/ 相关附件：, then 1. / 2、/ (3) / 4) numbering (after NFKC: full-width forms are ASCII)
_HEAD = re.compile(r"^(?:相关)?附件\s*\d{0,2}\s*[:.、\-_—]?\s*")
_NUMBER = re.compile(r"^\(?\d{1,2}\s*(?:[)、]|\.(?!\d))\s*")
_EXTENSION = re.compile(r"\.(?:docx?|pdf|xlsx?|et|wps|zip|rar|7z|ofd|txt|pptx?|jpe?g|png|tiff?|cebx?)$", re.I)
_MARKS = re.compile(r"[《》<>〈〉\"“”'‘’\s]")
#: the shortest key a containment match may use (shorter ones match too much)
_MIN_CONTAINED = 4


def attachment_key(name: str) -> str:
    """The name an attachment is matched by: no numbering, book-title marks, extension or whitespace.

    >>> attachment_key("附件2：《申报承诺书》.docx"), attachment_key("2. 申报承诺书"), attachment_key("申报承诺书.DOCX")
    ('申报承诺书', '申报承诺书', '申报承诺书')
    """
    text = unicodedata.normalize("NFKC", name).strip()
    text = _HEAD.sub("", text, count=1)
    text = _NUMBER.sub("", text, count=1).strip()
    text = _EXTENSION.sub("", text).strip()
    return _MARKS.sub("", text)


def _contained(key: str, links: Sequence[tuple[str, AttachmentLink]]) -> AttachmentLink | None:
    """The one link whose key contains ``key`` or is contained in it (None when none or several)."""
    if len(key) < _MIN_CONTAINED:
        return None
    found = {link.url: link for k, link in links if len(k) >= _MIN_CONTAINED and (key in k or k in key)}
    return next(iter(found.values())) if len(found) == 1 else None


def _heading_of(name: str, links: Iterable[AttachmentLink]) -> AttachmentLink | None:
    """The link whose whole text starts ``name``: the "附件：link text" heading of a file read with the page,
    run into the file's first line in documents stored before headings got a line of their own
    (申报承诺书.docx申报承诺书…)."""
    flat = _MARKS.sub("", unicodedata.normalize("NFKC", name))
    for link in links:
        text = _MARKS.sub("", unicodedata.normalize("NFKC", link.name))
        if len(text) >= _MIN_CONTAINED and flat.startswith(text):
            return link
    return None


def link_attachments(
    attachments: Iterable[Attachment], links: Iterable[AttachmentLink]
) -> tuple[Attachment, ...]:
    """The named attachments with the page's link URLs filled, then the page's other links.

    >>> named = [Attachment("申报指南", "附件1"), Attachment("承诺书", "附件2")]
    >>> links = [AttachmentLink("1.申报指南.pdf", "https://kjj.example.cn/P1.pdf"),
    ...          AttachmentLink("汇总表.xlsx", "https://kjj.example.cn/P3.xlsx")]
    >>> [(a.label, a.name, a.url) for a in link_attachments(named, links)]  # doctest: +NORMALIZE_WHITESPACE
    [('附件1', '申报指南', 'https://kjj.example.cn/P1.pdf'), ('附件2', '承诺书', None),
     (None, '汇总表.xlsx', 'https://kjj.example.cn/P3.xlsx')]
    """
    by_url = {link.url: link for link in links}  # a file linked twice counts once
    keyed = [(attachment_key(link.name), link) for link in by_url.values()]
    exact: dict[str, AttachmentLink] = {}
    for key, link in keyed:
        exact.setdefault(key, link)
    taken: set[str] = set()
    out: list[Attachment] = []
    for a in attachments:
        if a.url:
            taken.add(a.url)
            out.append(a)
            continue
        key = attachment_key(a.name)
        name = a.name
        found: AttachmentLink | None = exact.get(key)
        if found is None:
            found = _heading_of(a.name, by_url.values())
            name = a.name if found is None else found.name
        if found is None:
            found = _contained(key, keyed)
        if found is None:
            out.append(a)
            continue
        if found.url in taken and a.label is None:
            continue  # the same file again (its 附件 heading after the text's list): said once
        taken.add(found.url)
        out.append(dataclasses.replace(a, name=name, url=found.url))
    out += [Attachment(name=link.name, url=link.url) for link in by_url.values() if link.url not in taken]
    return tuple(out)


def with_links(notice: Notice, links: Sequence[AttachmentLink]) -> Notice:
    """The notice with its attachments linked to the page's files (unchanged when the page links none)."""
    if not links:
        return notice
    return dataclasses.replace(notice, attachments=link_attachments(notice.attachments, links))
