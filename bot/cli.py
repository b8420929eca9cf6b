"""``newsbot`` — the command line. A thin adapter: parse, call the service, print.

Errors a user can fix print one line on stderr and exit with status 2; nothing else prints a
traceback unless ``NEWSBOT_DEBUG`` is set.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.conversations import Conversations
from bot.service import NewsService
from bot.settings import Settings, SettingsError, load_settings
from bot.storage_errors import classify, storage_error
from index.dates import parse_day
from index.errors import NewsbotError
from index.models import Answer, Progress, ReindexReport, SearchHit, SourceView

log = logging.getLogger("newsbot")

EXIT_USAGE = 2


class CliError(Exception):
    """A problem with the command line itself (missing corpus dir, unwritable data dir…)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Answer questions about news articles with verbatim quotes and their sources.",
    )
    parser.add_argument("--corpus", type=Path, help="corpus dir (env NEWSBOT_CORPUS_DIR)")
    parser.add_argument("--data-dir", type=Path, help="index dir (env NEWSBOT_DATA_DIR)")
    parser.add_argument(
        "--engine", choices=["tantivy", "rank-bm25"], help="search backend (env NEWSBOT_ENGINE)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer a question with verbatim quotes")
    ask.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument(
        "--jsonl", action="store_true", help="questions on stdin, one JSON answer a line"
    )
    ask.add_argument("-k", type=int, default=None, help="at most K quotes (default 3)")

    search = sub.add_parser("search", help="rank passages for a query")
    search.add_argument("query")
    search.add_argument("--json", action="store_true")
    search.add_argument("-k", type=int, default=10, help="number of passages (1-50)")

    chat = sub.add_parser("chat", help="ask questions and follow-ups at a prompt (a conversation)")
    chat.add_argument("-k", type=int, default=None, help="at most K quotes (default 3)")

    source = sub.add_parser(
        "source", help="an article's text (its opening; --full, --page N) or a passage by id"
    )
    source.add_argument("id", help="article-id, article-id:N, or a quote: article-id:N@START-END")
    source.add_argument("--full", action="store_true", help="the article's whole text")
    source.add_argument("--page", type=int, default=1, help="which page of the text (default 1)")
    source.add_argument("--json", action="store_true")

    articles = sub.add_parser("articles", help="list what is indexed, newest first")
    articles.add_argument("--since", help="published on or after: 2024-03-01, March 2024, 2023…")
    articles.add_argument("--until", help="published on or before (same forms)")
    articles.add_argument("--json", action="store_true")

    feedback = sub.add_parser("feedback", help="the 👍/👎 votes from Discord")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", required=True, metavar="ACTION")
    feedback_list = feedback_sub.add_parser("list", help="the latest 👎 with their ids")
    feedback_list.add_argument("-n", type=int, default=10, help="how many (default 10)")
    feedback_answer = feedback_sub.add_parser("answer", help="give the right answer to a 👎")
    feedback_answer.add_argument("id", help="the vote's id (feedback list shows it)")
    feedback_answer.add_argument("answer", help="words the right quote contains")
    feedback_export = feedback_sub.add_parser(
        "export", help="write the 👎 as eval items (JSONL) for newsbot eval"
    )
    feedback_export.add_argument(
        "-o", "--out", type=Path, default=Path("feedback-eval.jsonl"), help="the file to write"
    )

    add = sub.add_parser("add", help="add an article file (or URL) to the corpus and index it")
    add.add_argument("path", help="a .md, .txt, .html or .jsonl file, or an http(s) URL")
    add.add_argument("--json", action="store_true")

    remove = sub.add_parser("remove", help="remove an article from the corpus and the index")
    remove.add_argument("id")

    reindex = sub.add_parser("reindex", help="bring the index in line with the corpus dir")
    reindex.add_argument("--json", action="store_true")

    ev = sub.add_parser("eval", help="answer quality on a question file (SQuAD JSON or JSONL)")
    ev.add_argument(
        "questions", type=Path, help="SQuAD v1.1 .json[.gz], or JSONL {question, answers}"
    )
    ev.add_argument("--limit", type=int, default=None, help="only the first N questions")
    ev.add_argument("--json", action="store_true")

    feeds = sub.add_parser("feeds", help="manage RSS/Atom feeds polled for new articles")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    feeds_add = feeds_sub.add_parser("add", help="register a feed")
    feeds_add.add_argument("url")
    feeds_rm = feeds_sub.add_parser("remove", help="unregister a feed")
    feeds_rm.add_argument("url")
    feeds_sub.add_parser("list", help="list registered feeds")
    feeds_sub.add_parser("poll", help="poll every feed once now")

    sub.add_parser("discord", help="run the Discord bot")
    sub.add_parser("serve", help="run the HTTP API alone")
    sub.add_parser("run", help="run the Discord bot and the HTTP API in one process")
    sync = sub.add_parser("sync", help="sync slash commands (globally, or to --guild)")
    sync.add_argument("--guild", type=int, action="append", help="guild id (repeatable)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_settings(corpus_dir=args.corpus, data_dir=args.data_dir, engine=args.engine)
        return asyncio.run(_dispatch(args, settings))
    except (NewsbotError, SettingsError, CliError) as err:
        print(f"newsbot: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # last line of defence: one line, the traceback only on request
        if os.environ.get("NEWSBOT_DEBUG"):
            raise
        log.debug("unexpected error", exc_info=True)
        print(f"newsbot: unexpected error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1


def _check_dirs(settings: Settings, *, need_corpus: bool = True, writes: bool = True) -> None:
    if need_corpus and not settings.corpus_dir.is_dir():
        raise CliError(
            f"Corpus directory '{settings.corpus_dir}' does not exist. "
            "Create it or pass --corpus DIR."
        )
    data_dir = settings.data_dir
    if not writes or settings.read_only:
        return  # reading an index needs no write access (a full disk must not stop answers)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as err:
        full = storage_error(err, data_dir, "data dir")
        if full is not None and classify(err) == "full":
            raise full from None
        raise CliError(
            f"Cannot write to the data dir '{data_dir}' ({err.strerror}). "
            "Pass --data-dir DIR or set NEWSBOT_DATA_DIR."
        ) from None


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command
    if command in {"discord", "serve", "run", "sync"}:
        from bot.run import run_command

        _check_dirs(settings)
        return await run_command(command, settings, guilds=getattr(args, "guild", None))
    if command == "feeds" and args.feeds_command != "poll":
        _check_dirs(settings, need_corpus=False)
        return await _feeds(args, settings)
    if command == "feedback":
        _check_dirs(settings, need_corpus=False)
        return await _feedback(args, settings)
    _check_dirs(settings, writes=command in _WRITING or not _has_index(settings))
    if command == "reindex":  # nothing is served meanwhile: every core, normal priority
        settings = settings.model_copy(update={"reindex_priority": "normal"})
    service = NewsService(settings)
    try:
        if command == "reindex":
            return await _reindex(service, args)
        await service.start()
        handler = {
            "ask": _ask,
            "chat": _chat,
            "search": _search,
            "source": _source,
            "articles": _articles,
            "add": _add,
            "remove": _remove,
            "eval": _eval,
            "feeds": _feeds_poll,
        }[command]
        return await handler(service, args)
    finally:
        await service.close()


_WRITING = frozenset({"add", "remove", "reindex", "feeds"})


def _has_index(settings: Settings) -> bool:
    from index.store import read_current

    return read_current(settings.data_dir) is not None


def _print_json(data: Any) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    elif isinstance(data, list):
        data = [d.model_dump(mode="json") if isinstance(d, BaseModel) else d for d in data]
    print(json.dumps(data, ensure_ascii=False, indent=2))


# ---- commands
async def _ask(service: NewsService, args: argparse.Namespace) -> int:
    if args.jsonl:
        return await _ask_jsonl(service, args)
    if args.question is None:
        raise CliError('Give a question, e.g. newsbot ask "What did Lukashenko tell Li Zhanshu?"')
    answer = await service.ask(args.question, args.k)
    if args.json:
        _print_json(answer)
    else:
        print(render_answer(answer))
    return 0


async def _ask_jsonl(service: NewsService, args: argparse.Namespace) -> int:
    """One question per stdin line → one JSON answer per stdout line, flushed at once.

    Each line stands alone: a line that is not valid UTF-8, not valid JSON or not a valid
    question gets its own error object and the session goes on. Output is always valid UTF-8
    JSON (written as bytes, whatever the terminal's encoding)."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        raw = await asyncio.to_thread(stdin.readline)
        if not raw:
            return 0
        out = await _answer_line(service, raw, args.k)
        if out is None:
            continue
        line = json.dumps(out, ensure_ascii=False).encode("utf-8", "replace")
        stdout.write(line + b"\n")
        stdout.flush()


async def _answer_line(service: NewsService, raw: bytes, k: int | None) -> dict[str, Any] | None:
    try:
        question = raw.decode("utf-8").strip()
    except UnicodeDecodeError as err:
        shown = raw.decode("utf-8", "replace").strip()
        return _line_error(shown, f"The line is not valid UTF-8 (byte {err.start}). Send UTF-8.")
    if not question:
        return None
    if question.startswith("{"):
        try:
            data = json.loads(question)
        except json.JSONDecodeError as err:
            return _line_error(question, f"The line is not valid JSON ({err.msg}).")
        except ValueError:
            return _line_error(question, "The line is not valid JSON.")
        if not isinstance(data, dict) or not isinstance(data.get("question"), str):
            return _line_error(question, 'A JSON line needs a "question" string.')
        question = data["question"]
    try:
        return (await service.ask(question, k)).model_dump(mode="json")
    except NewsbotError as err:
        return _line_error(question, str(err))


def _line_error(question: str, message: str) -> dict[str, Any]:
    # A lone surrogate (from a JSON escape) cannot be written as UTF-8: show U+FFFD instead.
    shown = question.encode("utf-8", "replace").decode("utf-8")
    return {"question": shown, "answered": False, "quotes": [], "error": message}


async def _search(service: NewsService, args: argparse.Namespace) -> int:
    hits = await service.search(args.query, args.k)
    if args.json:
        _print_json(hits)
    else:
        print(render_hits(args.query, hits))
    return 0


async def _chat(service: NewsService, args: argparse.Namespace) -> int:
    """A conversation at a prompt: follow-ups lean on the turns before ("What else did he say?").
    Line editing and history come from readline where Python has it; piped stdin works too."""
    interactive = sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (arrow keys and history for input())
        print(
            "Ask a question, then follow-ups (What else did he say? / Who said that? / "
            "Where is that from? / more). /new starts over, /history lists the turns, /quit ends."
        )
    conversation = "cli:" + Conversations.new_id()
    while True:
        try:
            line = await asyncio.to_thread(input, "you> " if interactive else "")
        except EOFError:
            return 0
        question = line.strip()
        if not question:
            continue
        if question in {"/quit", "/exit", "/q"}:
            return 0
        if question == "/new":
            conversation = "cli:" + Conversations.new_id()
            print("(a new conversation)")
            continue
        if question == "/history":
            for n, turn in enumerate(await service.conversations.history(conversation), 1):
                read = f"  → {turn.read_as}" if turn.read_as != turn.asked else ""
                print(f"{n}. {turn.asked}{read}")
            continue
        try:
            answer = await service.ask(question, args.k, conversation=conversation)
        except NewsbotError as err:
            print(f"newsbot: {err}")
            continue
        if not interactive:
            print(f"you> {question}")
        print(render_answer(answer) + "\n", flush=True)


async def _source(service: NewsService, args: argparse.Namespace) -> int:
    view = await service.source(args.id, page=args.page, full=args.full)
    if args.json:
        _print_json(view)
    else:
        print(render_source(view))
    return 0


async def _articles(service: NewsService, args: argparse.Namespace) -> int:
    today = service.today()
    try:
        since = parse_day(args.since, today) if args.since else None
        until = parse_day(args.until, today, end=True) if args.until else None
    except ValueError as err:
        raise CliError(str(err)) from None
    items = await service.articles(since=since, until=until)
    if args.json:
        _print_json(items)
        return 0
    if not items and (since or until):
        print("No article was published in that range (undated articles are left out).")
    elif not items:
        print("Nothing is indexed. Add files to the corpus dir and run `newsbot reindex`.")
    for a in items:
        meta = ", ".join(x for x in (a.author, a.publisher, str(a.published or "")) if x)
        print(f"{a.id}  {a.title}" + (f"  ({meta})" if meta else "") + f"  [{a.passages} passages]")
    return 0


async def _add(service: NewsService, args: argparse.Namespace) -> int:
    target: str = args.path
    if target.startswith(("http://", "https://")) or "://" in target:
        results = [await service.add_url(target)]
    else:
        path = Path(target)
        if not path.is_file():
            raise CliError(f"No file at '{path}'. Give a .md, .txt, .html or .jsonl file or a URL.")
        results = await service.add_file(path.name, path.read_bytes())
    if args.json:
        _print_json(results)
        return 0
    for result in results:
        print(f"{result.status}: {result.article.id} — {result.article.title}")
    return 0


async def _remove(service: NewsService, args: argparse.Namespace) -> int:
    report = await service.remove(args.id)
    print(f"removed {args.id}. {render_report(report)}")
    return 0


async def _reindex(service: NewsService, args: argparse.Namespace) -> int:
    on_terminal = sys.stderr.isatty() and not args.json

    def show(event: Progress) -> None:
        if not on_terminal:
            return
        if event.total:
            width = 30
            filled = int(width * event.done / event.total)
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r{event.phase:<14} [{bar}] {event.done}/{event.total}")
        else:
            sys.stderr.write(f"\r{event.phase:<14}{' ' * 40}")
        sys.stderr.flush()

    await service.open_without_build()
    report = await service.reindex(on_progress=show)
    if on_terminal:
        sys.stderr.write("\r" + " " * 70 + "\r")
    if args.json:
        _print_json(report)
    else:
        print(render_report(report))
    return 0


async def _eval(service: NewsService, args: argparse.Namespace) -> int:
    from bench.evaluate import evaluate_file

    if not args.questions.is_file():
        raise CliError(f"No question file at '{args.questions}'.")
    result = await evaluate_file(service, args.questions, limit=args.limit)
    if args.json:
        _print_json(result)
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")
    return 0


async def _feeds(args: argparse.Namespace, settings: Settings) -> int:
    service = NewsService(settings)  # the feed registry needs no index
    if args.feeds_command == "add":
        info = await service.add_feed(args.url)
        print(f"registered {info.url}" + (f" ({info.title})" if info.title else ""))
    elif args.feeds_command == "remove":
        info = await service.remove_feed(args.url)
        print(f"removed {info.url}")
    else:
        feeds = await service.list_feeds()
        if not feeds:
            print("No feeds registered. Add one with: newsbot feeds add URL")
        for info in feeds:
            polled = info.last_polled_at or "never"
            print(f"{info.url}  {info.title or ''}  (last polled: {polled})")
    return 0


async def _feedback(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feedback import FeedbackLog
    from bot.service import now_iso

    log_ = FeedbackLog(settings.data_dir)
    if args.feedback_command == "export":
        count = await asyncio.to_thread(log_.export, args.out)
        print(
            f"Wrote {count} eval item{'s' if count != 1 else ''} to {args.out} "
            f"(score them with: newsbot eval {args.out})."
        )
    elif args.feedback_command == "answer":
        await log_.supply_async(args.id, args.answer, now_iso())
        print(f"Recorded the right answer for {args.id}; `newsbot feedback export` includes it.")
    else:
        votes = await log_.latest_async("down", max(args.n, 1))
        if not votes:
            print("No 👎 yet.")
        for vote in votes:
            asked = f" (asked: {vote.asked})" if vote.asked else ""
            print(f"{vote.id}  {vote.at}  {vote.question}{asked}")
            for quote in vote.quotes:
                snippet = " ".join(quote.text.split())
                snippet = snippet if len(snippet) <= 100 else snippet[:99] + "…"
                print(f"    ✗ {snippet}  [{quote.passage_id}]")
            if vote.message_url:
                print(f"    {vote.message_url}")
    return 0


async def _feeds_poll(service: NewsService, args: argparse.Namespace) -> int:
    """Poll every feed once, store new articles, then reindex once."""
    from bot.feeds import FeedPoller

    poller = FeedPoller.from_settings(service.settings, service.ingest)
    report = await poller.poll_now()
    if report.added or report.updated:
        print(render_report(await service.reindex()))
    print(
        f"{report.polled} feeds polled: {len(report.added)} added, {len(report.updated)} updated, "
        f"{report.unchanged + report.duplicates} already known, {len(report.failed)} failed."
    )
    for problem in (*report.failed, *report.item_errors):
        print(f"  {problem.path}: {problem.reason}")
    return 0


# ---- text rendering (the CLI's own; Discord and HTTP render the same models their way)
def render_answer(answer: Answer) -> str:
    """The answer as text: how the question was read (for a follow-up), the quotes or the reply,
    then notes (e.g. undated articles set aside)."""
    lines = [f"→ {answer.read_as}"] if answer.read_as else []
    lines.append(_answer_body(answer))
    lines += [f"({note})" for note in answer.notes]
    return "\n".join(lines)


def _answer_body(answer: Answer) -> str:
    if not answer.answered and answer.kind != "quotes":
        return answer.reason or "No answer."
    if not answer.answered:
        return (
            f"No answer. {answer.reason or ''} Try `newsbot search` with a few key words, "
            "or `newsbot articles` to see what is indexed."
        )
    if answer.reply:
        return answer.reply
    blocks = []
    for i, quote in enumerate(answer.quotes, 1):
        s = quote.source
        meta = ", ".join(
            x
            for x in (s.author, s.publisher, s.published.isoformat() if s.published else "undated")
            if x
        )
        text = _fill(quote.text, "  ")
        reported = " (reported speech)" if quote.speech == "reported" else ""
        who = f"  — {quote.speaker}{reported}\n" if quote.speaker else ""
        src = f"  {s.title}" + (f" ({meta})" if meta else "") + (f" <{s.url}>" if s.url else "")
        blocks.append(f"[{i}]\n{text}\n{who}{src}\n  passage {quote.passage_id}")
    return "\n\n".join(blocks)


def render_hits(query: str, hits: list[SearchHit]) -> str:
    if not hits:
        return f"No passage matched ‘{query}’. Try fewer words, or `newsbot articles`."
    out = []
    for hit in hits:
        snippet = hit.text if len(hit.text) <= 160 else hit.text[:157].rstrip() + "…"
        out.append(f"{hit.score:7.3f}  {hit.passage_id}  {hit.source.title}\n         {snippet}")
    return "\n".join(out)


def render_source(view: SourceView) -> str:
    a = view.article
    head = [f"{a.title}", f"  id: {a.id}"]
    for label, value in (
        ("author", a.author),
        ("publisher", a.publisher),
        ("published", a.published),
        ("url", a.url),
        ("file", a.source_path),
    ):
        if value:
            head.append(f"  {label}: {value}")
    if view.passage is None:
        head.append(f"  passages: {', '.join(view.passage_ids)}")
        page = view.text
        if page is not None:
            head.append("")
            head.append(_fill(page.text, "  "))
            if page.pages > 1:
                more = f"page {page.page} of {page.pages}"
                hint = (
                    f"; --page {page.page + 1} for the next, --full for all of it"
                    if page.page < page.pages
                    else ""
                )
                head.append(f"\n({more}{hint})")
        return "\n".join(head)
    pv = view.passage
    body = [f"\npassage {pv.passage.id} [{pv.passage.start}:{pv.passage.end}]"]
    if pv.before:
        body.append(_fill("… " + pv.before, "  "))
    if view.mark is not None:  # the quoted words between » «
        at = pv.passage.start
        marked = pv.passage.text
        s, e = view.mark.start - at, view.mark.end - at
        body.append(_fill(marked[:s] + "»" + marked[s:e] + "«" + marked[e:], "> "))
        if pv.after:
            body.append(_fill(pv.after + " …", "  "))
        return "\n".join(head + body)
    body.append(_fill(pv.passage.text, "> "))
    if pv.after:
        body.append(_fill(pv.after + " …", "  "))
    return "\n".join(head + body)


def _fill(text: str, prefix: str) -> str:
    """Wrap each paragraph on its own, so the article's paragraph breaks stay visible."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    return f"\n{prefix.rstrip()}\n".join(
        textwrap.fill(p, 88, initial_indent=prefix, subsequent_indent=prefix) for p in paragraphs
    )


def render_report(report: ReindexReport) -> str:
    parts = [
        f"{len(report.added)} added",
        f"{len(report.updated)} updated",
        f"{len(report.removed)} removed",
        f"{report.unchanged} unchanged",
        f"{len(report.skipped)} skipped",
    ]
    lines = [
        f"Indexed {report.articles} articles, {report.passages} passages in {report.seconds:.2f} s"
        f"{' (full rebuild)' if report.full_rebuild else ''}: " + ", ".join(parts) + "."
    ]
    for problem in report.skipped:
        lines.append(f"  skipped {problem.path}: {problem.reason}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
