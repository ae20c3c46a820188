"""cpom's pure core: reading and writing French numbers and texts, files and workbooks, with no Django import.

import-linter holds it (``lint-imports``): nothing here may import Django or another part of cpom but the core.
"""
