"""The document pack: the template context built from the clause plan (``context``, ``wording``), the
templates of clausegen and of the buyer (``templates``, ``filters``, ``glossary``), the pack rendered and
written all or nothing (``pack``, ``pdf``) and many packs at once (``batch``).

May import: ``errors``, ``fmt``, ``model``, ``law``, ``profile``, ``calc``, ``working``, ``plan``, ``docx``,
``files``, ``many``. Never another product (review, report, export) nor a shell.
"""
