"""Start a worker: ``python worker.py`` (same as ``outreach worker``)."""

from outreach.cli import main

if __name__ == "__main__":
    main(["worker"])
