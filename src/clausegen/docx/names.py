"""Whether a templated part can only produce names whose prefixes its root element declares.

When it can, the well-formedness check of each of its rendered parts (``container.check_xml``) parses them
without namespace processing, which takes half the time (issue 20: about 3 ms of every pack). The
namespace checks that such a parse leaves out all concern names: an undeclared prefix, a name with two
colons, a prefix undeclared with an empty URI, an attribute written twice under two prefixes of the same
URI. A render writes no name of its own: the texts it inserts are escaped (autoescape), and what the engine
adds (breaks, tabs, no-break hyphens) uses the prefix ``w``. So the names of a rendered part are those of
its source, if the source lets no text through unescaped.

Decided once per part, on its patched source (kept with the template's parts in the cache), and
conservatively: ``True`` only when

* the root element is written without Jinja, declares ``w``, each prefix once, never with an empty URI,
  and no two prefixes with the same URI; no other element declares a prefix;
* every name outside Jinja code — after a « < », or before a « = » — is without colon, or one declared
  prefix, a colon and a local name without colon (texts are scanned too: a false alarm only costs the
  slower parse);
* no Jinja block or expression names ``safe``, ``xmlattr``, ``urlize``, ``autoescape``, ``Markup`` (a
  text let through as markup), ``raw`` (Jinja code written out as it is), nor ``include``, ``import``,
  ``from``, ``extends`` (another template's names). The output of the other Jinja code is escaped: it
  writes no name, and is left out of the scan.

Otherwise the part is checked with namespaces, as before. And the engine uses this only for the built-in
templates (``engine.prepare``: the very bytes shipped with clausegen): Jinja code that transforms markup — a
macro's output through ``replace`` or ``upper``, sliced and joined again — could rebuild a name from
pieces, which no scan of the source sees. The built-in templates only capitalize the first letter of a
macro's text (``pour`` of the RC), and their renders are parsed with namespaces by the tests; a buyer's
template is always checked with namespaces.

May import: nothing of clausegen.
"""

from __future__ import annotations

import re

_ROOT = re.compile(r"<([^\s<>/!?=]+)([^<>]*)>")
_PROLOG = re.compile(r"\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*)*", re.DOTALL)
_DECLARATION = re.compile(r"xmlns:([^\s=<>\"'/]*)\s*=\s*(\"[^\"]*\"|'[^']*')")
_ELEMENT_NAME = re.compile(r"</?([^\s<>/!?=]+)")
_ATTRIBUTE_NAME = re.compile(r"([^\s=<>\"'/]+)\s*=")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_UNESCAPED = re.compile(r"\b(?:safe|xmlattr|urlize|autoescape|markup|raw|include|import|from|extends)\b", re.IGNORECASE)
_PREDECLARED = frozenset({"xml", "xmlns"})


def prefixes_bound(source: str) -> bool:
    """Whether every name a render of ``source`` can write has a prefix its root element declares (see the
    module's docstring); ``False`` whenever in doubt."""
    start = _PROLOG.match(source).end()
    root = _ROOT.match(source, start)
    if root is None or "{" in root.group(0):
        return False
    declared: dict[str, str] = {}
    for prefix, uri in _DECLARATION.findall(root.group(2)):
        uri = uri[1:-1]
        if not prefix or ":" in prefix or not uri or prefix in declared or prefix in _PREDECLARED:
            return False
        declared[prefix] = uri
    if "w" not in declared or len(set(declared.values())) != len(declared):
        return False
    if source.count("xmlns:") != root.group(2).count("xmlns:"):
        return False  # another element declares a prefix (or a text mentions one: in doubt)
    if any(_UNESCAPED.search(code.group(0)) for code in _JINJA.finditer(source)):
        return False
    allowed = declared.keys() | _PREDECLARED
    static = _JINJA.sub(" ", source)
    names = {m.group(1) for m in _ELEMENT_NAME.finditer(static)}
    names.update(m.group(1) for m in _ATTRIBUTE_NAME.finditer(static))
    for name in names:
        if ":" in name:
            prefix, _, local = name.partition(":")
            if prefix not in allowed or not local or ":" in local:
                return False
    return True
