"""JBP Studio domain: partners, program, plans, actuals, metrics and the workspace store.

Nothing in this package imports Qt or any other package of ours.
"""

__version__ = "0.1.0"
