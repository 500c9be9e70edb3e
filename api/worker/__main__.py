"""`python -m api.worker`: the job worker (api/worker/processes.py)."""

from api.worker.processes import main

if __name__ == "__main__":
    main()
