"""The faces of JBP Studio: the ``jbp`` command line and the PySide6 desktop application.

This is the only package that imports Qt, and it does so only when the GUI starts.
"""
