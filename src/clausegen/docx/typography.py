"""French typography of rendered WordprocessingML: applied to every text run of every rendered part,
whatever wrote the text (template, registry, profile)."""

from __future__ import annotations

import re


_W_TEXT = re.compile(r"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)")


_ARTICLE_REF = re.compile(r"\b([LRD])\.[ \u00a0](\d{4})-(\d{1,3})\b")


_NUMERO = re.compile(r"\bn° (?=[0-9])")


def typography(xml: str) -> str:
    """French typography of every rendered text run, whatever wrote it (template, registry, profile):
    a no-break space in « L. 2112-2 » and « n° 2 », and a Word no-break hyphen inside article numbers so
    that « L. 2112-2 » never breaks at its hyphen. Only ``<w:t>`` contents are touched."""
    if "n° " not in xml and not _ARTICLE_REF.search(xml):
        return xml

    def fix(m) -> str:
        text = _NUMERO.sub("n°\u00a0", m.group(2))
        if not _ARTICLE_REF.search(text):
            return m.group(1) + text + m.group(3)
        close_open = '</w:t><w:noBreakHyphen/><w:t xml:space="preserve">'
        text = _ARTICLE_REF.sub(lambda a: f"{a.group(1)}.\u00a0{a.group(2)}{close_open}{a.group(3)}", text)
        start = m.group(1) if "xml:space" in m.group(1) else '<w:t xml:space="preserve">'
        return start + text + m.group(3)

    return _W_TEXT.sub(fix, xml)
