"""python -m audit [--doc DOC] [--json] [--store DIR] [--csv FILE] [--xlsx FILE] [--file PATH …]"""
from __future__ import annotations

import sys

from audit.cli import audit_main

if __name__ == "__main__":
    sys.exit(audit_main())
