"""`rag serve`: registered in the `rag_news.commands` entry-point group (pyproject.toml), so that the
core CLI (rag/cli.py) never imports the UI. Gradio is imported only when the command runs."""

import argparse


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

    from .app import serve

    assistant = assistant_for(settings)
    ensure_index(assistant, settings)
    serve(assistant, host=args.host, port=args.port)
    return 0
