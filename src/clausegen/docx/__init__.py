"""The .docx template engine: sandboxed Jinja over WordprocessingML, budgets, container checks, lint and a
byte-stable zip writer. It knows nothing of markets: its owner hands it a ``Vocabulary`` (filters, variable
names) and, for the lint, a ``LintSpec`` (glossary, document names).

Modules: ``engine`` (prepare once, render many), ``guard``/``methods``/``filter_guard``/``sandbox`` (the
limits of a template's rendering), ``messages`` (French errors), ``container`` (the .docx file itself),
``known`` (templates already found well-formed, and the built-in ones), ``names`` (renders whose prefixes
need no namespace check),
``external``/``external_strip`` (what reaches outside the document or runs code: refused, or removed on
request), ``folder`` (a buyer's templates folder), ``lint``/``lint_runs``/``lint_jinja``/``lint_eval``
(nothing unbounded evaluated), ``typography``, ``ziputil`` (clean entry names only), ``extract`` (plain
text of a .docx).

May import: ``errors``, ``cache`` and third-party libraries (Jinja2, docxtpl, python-docx, lxml). Never
``law``, ``profile``, ``calc``, ``plan`` nor any product.
"""
