"""The Jinja environment the templates run in: sandboxed, strict, autoescaping, bounded (``guard``), its
compiled code kept in clausegen's cache (``cache.bytecode_cache``), and the loader that finds a patched part's
XML by its SHA-256 (``SOURCES``)."""

from __future__ import annotations

from functools import lru_cache

from . import guard, methods, sandbox
from .vocabulary import EMPTY, Vocabulary


# Patched template XML by name (its SHA-256): the loader of the environment reads from here, so compiled
# templates can be kept in Jinja's bytecode cache between runs of the command.
SOURCES: dict[str, str] = {}


def _bytecode_cache(tag: str):
    """Jinja's cache of compiled templates, in clausegen's cache folder (see ``cache.py``).

    Compiling the seven templates is most of the time of a single ``clausegen render``; entries are keyed
    by the template's content, so an edited template is compiled again. The name changes whenever the way
    templates are compiled changes (``guard.rewrite``), so that no older compilation is reused.
    """
    from ..cache import bytecode_cache

    return bytecode_cache(f"jinja-bounded3-{tag}-%s.bin")


@lru_cache(maxsize=1)
def _undefined_class():
    """``StrictUndefined`` whose errors remember the value and the name looked up (for French messages)."""
    from jinja2 import StrictUndefined, Undefined

    base = Undefined._fail_with_undefined_error

    class ClausegenUndefined(StrictUndefined):
        __slots__ = ()

        def _fail_with_undefined_error(self, *args, **kwargs):
            try:
                base(self, *args, **kwargs)
            except self._undefined_exception as exc:
                obj = self._undefined_obj
                exc.clausegen_name = self._undefined_name
                exc.clausegen_keys = sorted(k for k in obj if isinstance(k, str)) if isinstance(obj, dict) else None
                raise

    for attr in set(dir(StrictUndefined)):
        if getattr(StrictUndefined, attr, None) is base:
            setattr(ClausegenUndefined, attr, ClausegenUndefined._fail_with_undefined_error)
    return ClausegenUndefined


_DICT_ATTRIBUTES = frozenset(dir(dict))


@lru_cache(maxsize=8)
def jinja_env(vocabulary: Vocabulary = EMPTY):
    """The environment the templates of ``vocabulary`` run in: sandboxed, strict, autoescaping, bounded
    (``guard``), with the vocabulary's filters. One per vocabulary and process."""
    from jinja2 import FunctionLoader, TemplateSyntaxError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class ClausegenSandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

        def _parse(self, source, name, filename):
            try:
                tree = super()._parse(source, name, filename)
            except RecursionError as exc:
                raise TemplateSyntaxError(
                    f"expression ou blocs imbriqués trop profondément (plus de {guard.MAX_DEPTH} niveaux)",
                    sandbox.failure_line(exc, source), name, filename) from None
            return sandbox.rewrite(tree, name, filename)

        def call_binop(self, context, operator, left, right):
            guard.binop(operator, left, right)
            return guard.check_number(super().call_binop(context, operator, left, right))

        def call(self, context, obj, /, *args, **kwargs):
            guard.tick()
            return super().call(context, obj, *args, **kwargs)

        def getattr(self, obj, attribute):
            # the context is made of plain dicts: their items are found without Jinja's failed attribute
            # lookup first (the same answer: a dict's own attributes, « items » say, still win)
            if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
                try:
                    return methods.guard_method(obj[attribute])
                except (KeyError, TypeError):
                    pass
            return methods.guard_method(super().getattr(obj, attribute))

        def getitem(self, obj, argument):
            return methods.guard_method(super().getitem(obj, argument))

        def wrap_str_format(self, value):
            return methods.wrap_str_format(self, value)

    env = ClausegenSandbox(
        autoescape=True,
        undefined=_undefined_class(),
        keep_trailing_newline=True,
        loader=FunctionLoader(SOURCES.get),
        bytecode_cache=_bytecode_cache(vocabulary.tag),
        cache_size=256,
    )
    env.filters.update(vocabulary.filters)
    env.vocabulary = vocabulary
    sandbox.install(env, vocabulary)
    return env
