"""xieshang (协商): help for people who have fallen behind on consumer credit.

The package is split into a pure computation core (:mod:`xieshang.engine`) and thin
fronts (:mod:`xieshang.cli`) that parse input, call the engine and render the result.
"""

__version__ = "0.1.0"
