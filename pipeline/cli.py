"""The `dateline` command: `dateline run`, `dateline inspect`, `dateline sql`.

dateline run --input 'seeds/*.txt' --output out      # same as python -m pipeline.main
dateline inspect seeds/000_ecb1709d6c659af1.txt      # what the header parser makes of a file
"""

import os
import sys

from pipeline import main as pipeline_main

COMMANDS = {
    "run": "run the pipeline (all Beam options accepted); see `dateline run --help`",
    "inspect": "show what the header parser makes of one file",
    "sql": "query a dataset with DuckDB; see `dateline sql --help`",
    "compact": "merge a dataset's small files; see `dateline compact --help`",
    "report": "write a dataset's charts as one HTML page; see `dateline report --help`",
}


def usage() -> str:
    lines = ["usage: dateline COMMAND [ARGS]", "", "commands:"]
    lines += [f"  {name:<8} {text}" for name, text in COMMANDS.items()]
    return "\n".join(lines)


# What a shell reports for a command killed by SIGPIPE (128 + 13).
EXIT_BROKEN_PIPE = 141


def main(argv: list[str] | None = None) -> int:
    """Runs a command; a reader that stops early (`| head`) ends it quietly."""
    try:
        status = dispatch(argv)
        sys.stdout.flush()  # inside the try: a closed pipe fails here, not at exit
    except BrokenPipeError:
        # Python would print a traceback when it flushes stdout again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return status


def dispatch(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(usage())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return pipeline_main.main(rest, prog="dateline run")
    if command == "inspect":
        from pipeline import inspect_file

        return inspect_file.main(rest)
    if command == "sql":
        from pipeline import sql

        return sql.main(rest)
    if command == "report":
        from pipeline import report

        return report.main(rest)
    if command == "compact":
        from pipeline import compact

        return compact.main(rest)
    print(f"dateline: unknown command {command!r}\n\n{usage()}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
