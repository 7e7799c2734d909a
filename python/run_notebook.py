"""Executes a notebook from top to bottom in this environment's Python kernel, as a participant's Jupyter would.

Usage: python run_notebook.py NOTEBOOK OUTPUT [--cell-timeout SECONDS]

The kernel starts in OUTPUT's folder, so whatever the notebook writes lands beside OUTPUT, and it sees this
process's environment (API_URL, API_TOKEN). The executed notebook, outputs included, is written to OUTPUT even
when a cell fails, so the failing cell's traceback can be read there; the NOTEBOOK file is never changed.
Prints one JSON line (cells run, seconds per code cell) and exits 0, or prints the failing cell's error on
stderr and exits 1.
"""

import argparse
import json
import os
import sys
import time
from datetime import datetime

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--cell-timeout", type=int, default=600, help="seconds one cell may run (default 600)")
    args = parser.parse_args()
    if os.path.abspath(args.output) == os.path.abspath(args.notebook):
        parser.error("OUTPUT must differ from NOTEBOOK: the notebook is kept without outputs")

    notebook = nbformat.read(args.notebook, as_version=4)
    folder = os.path.dirname(os.path.abspath(args.output))
    client = NotebookClient(notebook, timeout=args.cell_timeout, kernel_name="python3", resources={"metadata": {"path": folder}})
    started = time.monotonic()
    failure = None
    try:
        client.execute()
    except CellExecutionError as error:
        failure = error
    finally:
        nbformat.write(notebook, args.output)

    if failure is not None:
        print(f"FAIL: a cell raised an error (the executed notebook is in {args.output}):\n{failure}", file=sys.stderr)
        sys.exit(1)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    print(json.dumps({"cells": len(code_cells), "seconds": round(time.monotonic() - started, 1), "secondsPerCell": [cell_seconds(cell) for cell in code_cells]}))


def cell_seconds(cell):
    """The cell's own run time, from the timestamps nbclient records in its metadata."""
    timing = cell.metadata.get("execution", {})
    began, ended = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not began or not ended:
        return None
    return round((parse_time(ended) - parse_time(began)).total_seconds(), 1)


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


if __name__ == "__main__":
    main()
