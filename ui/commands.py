"""`rag serve`: registered in the `rag_news.commands` entry-point group (pyproject.toml), so that the
core CLI (rag/cli.py) never imports the UI. Gradio is imported only when the command runs."""

import argparse
import socket


def register(sub, common) -> None:
    p = sub.add_parser(
        "serve",
        help="the chat UI in the browser",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  rag serve\n  rag serve --port 8080 --corpus ~/articles\n",
    )
    common(p)
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860)
    p.set_defaults(handler=serve_command)


def serve_command(args, settings) -> int:
    from rag.cli import assistant_for, ensure_index

    _check_port(args.host, args.port)  # before indexing: a busy port is known at once, not after the build
    from .app import serve

    assistant = assistant_for(settings)
    ensure_index(assistant, settings)
    serve(assistant, host=args.host, port=args.port)
    return 0


def _check_port(host: str, port: int) -> None:
    from rag.errors import RagError

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: a closing socket is no obstacle
        try:
            probe.bind((host, port))
        except OSError as err:
            raise RagError(
                f"Cannot listen on {host}:{port} ({err.strerror or err}): another program (perhaps another "
                f"`rag serve`) uses it. Stop it, or pick another port: rag serve --port {port + 1}"
            ) from None
