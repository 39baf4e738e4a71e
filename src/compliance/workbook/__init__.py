"""The checklist workbook (SPEC §4): the template an inspector fills in, and its import.

- :func:`write_template` / :func:`write_templates` — one .xlsx per unit (xlsxwriter).
- :func:`read_workbook` — a filled checklist or a bulk form → ``(rubric, Assessment)``
  pairs plus located findings (python-calamine); every score is recomputed by the engine.
  :func:`read_scored` — the same with the engine's score cards (:class:`Scored`), what
  ``import`` stores without scoring again.
- :func:`read_units_sheet` — units from a sheet named 单位; :func:`load_units_file` — from
  units.yaml or such a workbook.
"""

from compliance.workbook.reader import Scored, load_units_file, read_scored, read_workbook
from compliance.workbook.source import MAX_CELLS, MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, MAX_UNZIPPED_BYTES
from compliance.workbook.template import applies, write_template, write_templates
from compliance.workbook.units_sheet import read_units_sheet

__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "Scored",
    "applies",
    "load_units_file",
    "read_scored",
    "read_units_sheet",
    "read_workbook",
    "write_template",
    "write_templates",
]
