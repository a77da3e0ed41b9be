"""The PFRA review (``clausegen check``): one module per rule in ``rules`` (yamllint-style: ``ID``,
``SEVERITY``, ``reference``, ``check``), positioned ``Finding``s, the run over many profiles and its
presentation. Rules about the clause read the clause plan; rules about the file itself read the profile.

May import: ``errors``, ``fmt``, ``model``, ``law``, ``profile``, ``calc``, ``working``, ``plan``, ``docx``
(text of a produced document), ``many``. Never another product (render, report, export) nor a shell.
"""
