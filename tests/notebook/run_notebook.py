#!/usr/bin/python3
"""Executes tests/notebook/track_cells.ipynb headlessly (Debian's python3-nbclient and
python3-ipykernel) with the built CLI, as a notebook user would run it, and checks what the user
sees: each tracked cell shows its run as a table, and the store holds one run per cell.

    run_notebook.py SOURCE_DIR WATTCAST_BIN
"""

import os
import subprocess
import sys
import tempfile

import nbclient
import nbformat


def main():
    source_dir, binary = sys.argv[1], sys.argv[2]
    notebook = nbformat.read(os.path.join(source_dir, "tests", "notebook", "track_cells.ipynb"), as_version=4)
    with tempfile.TemporaryDirectory(prefix="wattcast-notebook-") as scratch:
        store = os.path.join(scratch, "runs.db")
        environment = dict(os.environ, WATTCAST_BIN=binary, WATTCAST_TEST_STORE=store, PYDEVD_DISABLE_FILE_VALIDATION="1",
                           PYTHONPATH=os.path.join(source_dir, "python"))
        os.environ.update(environment)  # the kernel inherits this process's environment
        nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": scratch}}).execute()
        tables = [cell for cell in notebook.cells if cell.cell_type == "code"
                  and any("<table>" in output.get("data", {}).get("text/html", "") for output in cell.get("outputs", []))]
        if len(tables) != 2:
            sys.exit(f"expected the two tracked cells to show their run as a table, found {len(tables)}")
        for run in ("1", "2"):
            shown = subprocess.run([binary, "show", run, "--store", store], capture_output=True, text=True)
            if shown.returncode != 0:
                sys.exit(f"run {run} is not in the store: {shown.stderr.strip()}")
        printed = "".join(output.get("text", "") for output in notebook.cells[-1].outputs)
        print(printed.strip() or "(no timing printed)")


if __name__ == "__main__":
    main()
