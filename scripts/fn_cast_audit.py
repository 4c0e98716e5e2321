"""Function-pointer casts of another arity in finished package builds, which
trap python.wasm (the check every C package build runs: package_builder/fn_casts.py).

    fn_cast_audit.py WORK_DIR...      (~/.cache/onepy/work/pkg-NAME-VERSION-KEY)

A successful build removes its work directory unless built with
ONEPY_KEEP_WORK=1 (a failed one keeps it).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from package_builder.fn_casts import main  # noqa: E402

if __name__ == "__main__":
    main()
