"""Writing files safely, for every product: a file written atomically or not at all (``atomic``), a folder
of files replaced all or nothing under its lock (``folder``, ``lock``), signals that wait while files move
(``signals``), French reasons for system errors (``oserrors``) and names that are safe on every file
system (``names``).

May import: ``errors`` and the standard library. Never a product, the plan or the engine.
"""
