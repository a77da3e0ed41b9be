"""The market profile: a YAML file read with the position of every value (``load``, ``read``, ``reader``),
checked against the format's schema (``validate``, ``schema``), built into the typed ``model.Profile``
(``build``, ``builder``, ``lots``, ``values``), written back as text (``text``) or from a buyer's answers
(``starter``). Every problem is an ``Issue`` at ``fichier:ligne:colonne``.

May import: ``errors``, ``fmt``, ``model``, ``cache``, ``law``. Never the calculator, the plan or anything above.
"""
