"""Run the CLI with `python -m app`."""

from app.cli import main

if __name__ == "__main__":
    main()
