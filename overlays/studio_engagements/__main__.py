"""``python -m studio_engagements``: the same as the ``studio-engagements`` command."""

from .cli import main

main(prog_name="studio-engagements")
