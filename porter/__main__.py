"""``python -m porter``: the same command as the ``porter`` script.

``python -m`` puts the working directory first on ``sys.path``. Run inside a scanned repository,
that would let the repository's own ``typer.py``, ``yaml.py`` or ``json.py`` shadow what porter
imports next, and run. porter itself is imported by now (its submodules load through the
package, not ``sys.path``), so the working directory is taken off the path before anything else.
"""

import os
import sys

_HERE = os.path.realpath(os.getcwd())
sys.path[:] = [entry for entry in sys.path if entry and os.path.realpath(entry) != _HERE]

from porter.cli import main  # noqa: E402  (imported only once the path is safe)

main()
