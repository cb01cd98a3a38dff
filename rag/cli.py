"""The `rag` command: index a corpus, ask questions, serve the chat UI."""

import argparse
import json
import logging
import os
import sys
import textwrap
import time
from pathlib import Path

from pydantic import ValidationError

from .errors import IndexBusyError, QuestionError, RagError
from .language import ENGLISH_ONLY_NOTE, looks_non_english

EPILOG = """\
examples:
  rag index                                   index the default corpus (./seeds) into ./.rag
  rag index --corpus ~/articles --data-dir ~/articles-index
  rag ask "Who blocked the Lachin Corridor?"
  rag ask --json -k 8 "How many troops did Russia send?"
  rag ask                                     ask questions typed in the terminal
  rag serve                                   the chat UI on http://127.0.0.1:7860
  rag check claims.jsonl                      does each passage support its sentence? (JSON lines)

settings: flags beat RAG_* environment variables (RAG_DATA_DIR, RAG_CORPUS, RAG_MODEL_PATH,
RAG_CHROMA_URL) which beat a .env file in the current directory.
"""


# Every Settings field is a flag of every command, named after it (--data-dir for data_dir), with its
# description as the help; a field left out is settable only where it says why.
NOT_FLAGS = {"llm_api_key"}  # a secret: from RAG_LLM_API_KEY or .env, never argv (which `ps` shows to everyone)
SHORT = {"top_k": "-k"}
METAVAR = {
    "llm": "URL|GGUF",
    "corpus": "DIR",
    "data_dir": "DIR",
    "model_path": "DIR",
    "chroma_url": "URL",
    "top_k": "N",
    "max_question_chars": "N",
    "chroma_timeout": "SECONDS",
    "llm_model": "NAME",
}


def _common(parser: argparse.ArgumentParser) -> None:
    """The settings' flags (generated from ``Settings``) and --verbose, on every command."""
    from .settings import Settings, flag_type

    for name, field in Settings.model_fields.items():
        if name in NOT_FLAGS:
            continue
        kind, choices = flag_type(field.annotation)
        names = [f"--{name.replace('_', '-')}"] + ([SHORT[name]] if name in SHORT else [])
        default = "the packaged seeds" if name == "corpus" else field.default
        shown = f"default: {default}; or" if default is not None else "or"
        parser.add_argument(
            *names,
            dest=name,
            type=kind,
            choices=choices,
            default=argparse.SUPPRESS,
            metavar=METAVAR.get(name) if not choices else None,
            help=f"{field.description} ({shown} ${'RAG_' + name.upper()})".replace("%", "%%"),
        )
    parser.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log what happens to stderr")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag",
        description="Grounded, cited answers over a corpus of news articles, fully offline.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "index",
        help="index a corpus (only changed files are embedded)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n  rag index\n  rag index --corpus ~/articles\n  rag index --rebuild        start over (e.g. after changing the model)\n\n"
            "A run that was interrupted (Ctrl-C, killed, the machine went down) is repaired by the next `rag index`,\n"
            "which keeps what was indexed and writes the index afresh from it.\n"
        ),
    )
    _common(p)
    p.add_argument("--rebuild", action="store_true", help="delete the index and build it again from the corpus")
    p.set_defaults(handler=_index)

    p = sub.add_parser(
        "ask",
        help="answer a question with citations",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='examples:\n  rag ask "What did Russia say about the clash?"\n  rag ask --json "When did the 2020 war end?"\n  rag ask                     interactive: one question per line, Ctrl-D to quit\n',
    )
    _common(p)
    p.add_argument("question", nargs="?", help="the question; omit it to type questions interactively")
    p.add_argument("--json", action="store_true", help="print one JSON object: status, answer, citations")
    p.set_defaults(handler=_ask)

    p = sub.add_parser(
        "status",
        help="what is indexed",
        epilog="example:\n  rag status --data-dir ~/articles-index",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(p)
    p.set_defaults(handler=_status)

    p = sub.add_parser(
        "check",
        help="judge whether passages support sentences (anyone's answers), one JSON line each",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=CHECK_EPILOG,
    )
    _common(p)
    p.add_argument(
        "file", metavar="FILE.jsonl", help='lines {"sentence": str, "passage": str} (optionally "question"); - for stdin'
    )
    p.set_defaults(handler=_check)

    for register in _plugins():  # commands of the packages above this one (ui: serve; evals: eval, bench)
        register(sub, _common)
    parser.commands = sub.choices  # type: ignore[attr-defined]
    return parser


COMMANDS_GROUP = "rag_news.commands"
PLUGGED = {"serve": "ui", "eval": "evals", "bench": "evals"}  # for the message when an entry point is missing


def _plugins():
    """The ``register(subparsers, common)`` functions that packages declare in the ``rag_news.commands``
    entry-point group (pyproject.toml), in name order. Each adds its subcommands with
    ``set_defaults(handler=...)``; this module never imports ``ui`` or ``evals`` itself."""
    from importlib.metadata import entry_points

    return [ep.load() for ep in sorted(entry_points(group=COMMANDS_GROUP), key=lambda ep: ep.name)]


def _settings(args: argparse.Namespace):
    """Settings from the flags given, over RAG_* variables, over .env, over the defaults."""
    from .settings import Settings

    return Settings(**{name: getattr(args, name) for name in Settings.model_fields if hasattr(args, name)})


def _quiet_offline_environment() -> None:
    """Set once per run of the command (importing the package changes no environment)."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def main(argv: list[str] | None = None) -> int:
    _quiet_offline_environment()
    parser = build_parser()
    given = sys.argv[1:] if argv is None else argv
    wanted = next((a for a in given if not a.startswith("-")), None)
    if wanted in PLUGGED and wanted not in parser.commands:
        print(
            f"error: `rag {wanted}` comes from the {PLUGGED[wanted]} package's entry point, which this install "
            "does not have: reinstall with `pip install -e .` in the project directory.",
            file=sys.stderr,
        )
        return 2
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = _settings(args)
    except ValidationError as err:  # e.g. --top-k 0: say which flag and why, not a traceback
        problems = "; ".join(f"--{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}" for e in err.errors())
        print(f"error: {problems}", file=sys.stderr)
        return 2
    try:
        return args.handler(args, settings)
    except QuestionError as err:
        return _fail(args, err, code=2)
    except RagError as err:
        return _fail(args, err, code=1)
    except KeyboardInterrupt:
        return 130


def _fail(args, err: Exception, code: int) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"status": "error", "error": str(err)}))
    print(f"error: {err}", file=sys.stderr)
    return code


def assistant_for(settings):
    """The Assistant a command works with (plugin commands call this and ``ensure_index`` too)."""
    from .assistant import Assistant

    return Assistant(settings)


def _print_report(report, corpus) -> None:
    from index.errors import printable  # file names may hold control characters: never print them raw

    out = sys.stderr
    for source, reason in report.skipped:
        print(f"  skipped {printable(source)}: {printable(reason)}", file=out)
    for source, first in getattr(report, "duplicates", []):
        print(
            f"  {printable(source)} has the same text as {printable(first)}: both are indexed, and an answer cites "
            "the two (remove one to cite it once)",
            file=out,
        )
    for label, items in (
        ("added", report.added),
        ("updated", report.updated),
        ("removed", report.removed),
        ("repaired", getattr(report, "repaired", [])),
    ):
        for source in items:
            print(f"  {label} {printable(source)}", file=out)
    if getattr(report, "orphans", 0):
        print(f"  deleted {report.orphans} orphaned chunks (left by an interrupted run)", file=out)
    if getattr(report, "rewritten", False):
        lost = f"; {report.reembedded} chunks whose vectors Chroma had lost were embedded again" if report.reembedded else ""
        print(f"  the last run was interrupted: the index was written afresh from what it holds{lost}", file=out)
    print(
        f"Indexed {printable(str(corpus))}: files {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, {len(report.unchanged)} unchanged, {len(report.skipped)} skipped; "
        f"{report.embedded} chunks embedded; "
        f"{report.articles} article{'s' if report.articles != 1 else ''}, {report.chunks} chunk{'s' if report.chunks != 1 else ''} "
        f"in the index ({report.seconds:.1f} s).",
        file=out,
    )


def _index(args, settings) -> int:
    assistant = assistant_for(settings)
    report = assistant.index(rebuild=args.rebuild, progress=sys.stderr.isatty())
    _print_report(report, settings.corpus)
    return 0


FIRST_BUILD_WAIT_S = 600  # how long a command waits for another process's first build of the index


def ensure_index(assistant, settings) -> None:
    """Build the index on first use (waiting for another process that is building it). A corpus named
    (--corpus, $RAG_CORPUS) that is not the one the index holds is an error, not a silent answer from the other."""
    if assistant.has_index() and assistant.store.count():  # an empty index (a first build that found no article) is built
        indexed = assistant.store.info().get("corpus") if "corpus" in settings.model_fields_set else None
        if indexed and Path(indexed) != settings.corpus:
            if not Path(settings.corpus).is_dir():  # said first: indexing it, as below suggests, would fail
                raise RagError(
                    f"Corpus directory {settings.corpus} does not exist: pass an existing directory with --corpus, or "
                    f"leave --corpus out to ask the index in {settings.data_dir} (the articles of {indexed})."
                )
            raise RagError(
                f"The index in {settings.data_dir} holds the articles of {indexed}, not {settings.corpus}. "
                f"To answer from {settings.corpus}, index it: rag index --corpus {settings.corpus} --data-dir DIR "
                f"(a new DIR keeps this index; {settings.data_dir} would be replaced), then ask with that --data-dir."
            )
        return
    from index.documents import check_corpus_dir  # noqa: PLC0415 (the CLI imports what a command needs, when it runs)

    check_corpus_dir(settings.corpus)  # a corpus that is not there is said before "building it"
    print(f"No index in {settings.data_dir} yet: building it from {settings.corpus} (one time).", file=sys.stderr)
    waited = 0.0
    while True:
        try:
            _print_report(assistant.index(progress=sys.stderr.isatty()), settings.corpus)
            return
        except IndexBusyError:  # another process (e.g. `rag serve` started just before) is building it: wait for it
            if waited == 0:
                print("Another process is building the index; waiting for it to finish…", file=sys.stderr)
            if waited >= FIRST_BUILD_WAIT_S:
                raise
            time.sleep(2.0)
            waited += 2.0


def _ask(args, settings) -> int:
    assistant = assistant_for(settings)
    if args.question is not None:
        assistant.check_question(args.question)  # a bad question fails before any loading
    ensure_index(assistant, settings)
    if args.question is not None:
        answer = _stream(assistant, args.question, None, quiet=args.json)
        print(answer.model_dump_json(indent=None) if args.json else format_answer(answer))
        return 0
    interactive = sys.stdin.isatty()
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="surrogateescape")  # invalid UTF-8 reaches check_question, which says so
    if interactive:
        print("Ask about the articles (one question per line; Ctrl-D to quit).", file=sys.stderr)
    previous = None  # in a terminal, a conversation: "Who blocked it?" follows the question before (as in the chat UI)
    while True:
        try:
            line = input("? " if interactive else "")
        except EOFError:
            return 0
        if not line.strip():
            continue
        try:
            answer = _stream(assistant, line, None, quiet=args.json, previous=previous)
        except RagError as err:  # a bad question or an unavailable index: say so, and keep the session
            if args.json:
                print(json.dumps({"status": "error", "error": str(err)}), flush=True)
            print(f"error: {err}", file=sys.stderr, flush=True)
            continue
        if interactive:  # piped lines stay independent questions (a batch), as before
            previous = answer.searched or None
        print(answer.model_dump_json() if args.json else format_answer(answer) + "\n", flush=True)


def _stream(assistant, question: str, k, quiet: bool, previous: str | None = None):
    """Ask; an LLM's draft is shown on stderr as it is generated, the verified answer is returned."""
    stream, drafting = assistant.ask_stream(question, k=k, previous=previous), False
    for text in stream:
        if not quiet:
            if not drafting:
                print("Draft (being verified): ", end="", file=sys.stderr)
                drafting = True
            print(text, end="", file=sys.stderr, flush=True)
    if drafting:
        print("\n", file=sys.stderr)
    return stream.answer()


def format_answer(answer) -> str:
    width = 100
    text = f"{answer.answer} {answer.reason}." if answer.reason else answer.answer
    lines = textwrap.wrap(text, width) or [text]
    if note := answer.searched_note():  # a follow-up made to stand alone, a misspelt word corrected
        lines[:0] = textwrap.wrap(f"({note})", width)
    if looks_non_english(answer.question):  # as the chat UI says it
        lines[:0] = textwrap.wrap(f"({ENGLISH_ONLY_NOTE})", width)
    if answer.fallback:
        lines.append(f"(the answer {answer.backend} wrote could not be verified: quoted from the articles instead)")
    elif answer.backend != "extractive":
        lines.append(f"(written by {answer.backend}; {len(answer.removed)} sentence(s) removed by verification)")
    if answer.answered:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"  [{c.n}] {c.title} ({c.about()}, characters {c.start}-{c.end})")
            lines.extend(textwrap.wrap(f"“{c.text}”", width, initial_indent="      ", subsequent_indent="      "))
    elif answer.related:
        lines.append("")
        lines.append("Closest passages (none of them clearly answers the question):")
        for c in answer.related:
            lines.append(f"  - {c.title} ({c.about()}): “{textwrap.shorten(c.text, 150)}”")
    return "\n".join(lines)


def _status(args, settings) -> int:
    assistant = assistant_for(settings)
    status = assistant.status()
    print(
        f"Index: {status.location}\nCorpus: {status.corpus}\nModel: {status.model_id}\nArticles: {status.articles}\nChunks: {status.chunks}"
    )
    return 0


CHECK_EPILOG = """\
example:
  $ cat claims.jsonl
  {"sentence": "Russia sent 2,000 troops to Nagorno-Karabakh.", "passage": "In November 2020, Russia sent 2,000 troops to Nagorno-Karabakh."}
  {"sentence": "Russia sent 9,000 troops.", "passage": "In November 2020, Russia sent 2,000 troops to Nagorno-Karabakh."}
  $ rag check claims.jsonl
  {"line": 1, "verdict": "supported", "score": 0.9271}
  {"line": 2, "verdict": "unsupported", "score": 0.0}

The judge is the one that verifies LLM answers (rag/judge.py); its word weights come from the index in
--data-dir (built from --corpus on first use). A bad line is reported on stderr with its number and
skipped; the exit status is then 1. "question" is accepted but not used: the judge checks support only.
"""


def _check(args, settings) -> int:
    """`rag check FILE.jsonl`: the LLM path's support judge over sentences another system wrote."""
    from .judge import check_lines, for_assistant

    source = sys.stdin if args.file == "-" else None
    if source is None and not Path(args.file).is_file():
        raise RagError(f"No such file: {args.file}")
    assistant = assistant_for(settings)
    ensure_index(assistant, settings)
    judge = for_assistant(assistant)
    bad = 0
    with source or open(args.file, encoding="utf-8", errors="replace", newline="") as lines:
        for number, result, error in check_lines((line for line in lines), judge):
            if error:
                bad += 1
                print(f"{args.file}:{number}: skipped: {error}", file=sys.stderr, flush=True)
            else:
                print(json.dumps({"line": number, **result}), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
