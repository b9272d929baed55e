"""Text from data (a workbook, the URL, a form) shown by Streamlit elements that read
Markdown: titles, subheaders, captions, alerts, toasts, button labels, help tooltips.

Streamlit's Markdown turns ``![x](…/x.png)`` into an image the browser fetches,
``[x](…)`` into a link, ``:red[…]`` into colour, ``:material/…:`` into an icon and
``$…$`` into math. ``plain`` makes a name read as the characters it is made of.
"""

from __future__ import annotations

import re

# Every character Markdown or Streamlit's extensions give a meaning (CommonMark lets
# any ASCII punctuation be escaped with a backslash, so escaping one is always safe).
_SPECIAL = re.compile(r"([\\`*_~#|\[\](){}<>!:$&+\-=^@])")
_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_LIST_START = re.compile(r"^(\s*\d+)\.(?=\s|$)")  # "1. x" would start a numbered list
# Emoji and icon codes (:smile:, :material/home:) and bare links (a scheme and "://",
# www.…, a@b.cn) are found in the parsed text, after escapes are undone: an invisible
# word joiner after ":" and "@" and inside "www." keeps them from matching.
_JOIN = "\u2060"
_WWW = re.compile(r"(?i)(www)\.")


def plain(text) -> str:
    """``text`` for a Markdown-reading element, shown literally: Markdown and Streamlit
    characters backslash-escaped, line breaks and control characters made spaces (a
    name never starts a heading or list on a line of its own)."""
    s = _BREAKS.sub(" ", "" if text is None else str(text))
    s = _SPECIAL.sub(r"\\\1", s)
    s = _LIST_START.sub(r"\1\\.", s)
    s = _WWW.sub(rf"\1{_JOIN}\\.", s)
    return s.replace("\\:", "\\:" + _JOIN).replace("\\@", "\\@" + _JOIN)
