"""Ralph's LRS on its fs backend, for the analytics e2e tests (lrs.mjs).

`ralph runserver -b fs` runs uvicorn with reload on, and Ralph 5.1's fs
backend writes each POST with operation INDEX, which refuses a file that
exists: the second POST to a running server answers 500 "Statements bulk
indexation failed" (measured, ralph-malph 5.1.0). So this serves the same
app without reload and with the fs backend appending, as a real store does.

Usage: python ralph-lrs.py PORT   (RALPH_APP_DIR and the fs settings from
the environment; the store is fs_lrs.jsonl in the working directory).
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
