"""The engine: a loaded generation of the index, and the reindex that makes a new one.

``Engine`` is read-only and thread-safe: the service runs its methods in worker threads and swaps
in a new ``Engine`` after a reindex. ``reindex_data_dir`` is the only writer.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from index import store as st
from index.analysis import ArticleAnalysis, analyse_article
from index.analyze import Analyzer
from index.answer import DEFAULT_WEIGHTS, NO_SCOPE, AnswerContext, Scope, Weights, answer_question
from index.backends import Backend, open_backend
from index.corpus import read_corpus
from index.errors import BadInput, NotFound
from index.models import (
    Answer,
    Article,
    ArticleSummary,
    PassageView,
    Problem,
    Progress,
    ReindexReport,
    SearchHit,
    Source,
    SourceView,
    Span,
    TextPage,
)
from index.passages import ChunkConfig, make_passages, passage_id, split_passage_id
from index.segment import paragraph_spans, sentence_spans

log = logging.getLogger(__name__)

ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class EngineConfig:
    engine: str = "tantivy"
    chunking: ChunkConfig = field(default_factory=ChunkConfig)
    analyzer: Analyzer = field(default_factory=Analyzer)
    # Scoring only: not part of the manifest, since changing it needs no rebuild.
    weights: Weights = DEFAULT_WEIGHTS

    def manifest_keys(self) -> dict[str, object]:
        return {
            "format_version": st.FORMAT_VERSION,
            "analyzer": self.analyzer.fingerprint,
            "chunking": self.chunking.fingerprint,
            "engine": self.engine,
        }


class Engine:
    """One generation of the index, opened for reading."""

    def __init__(
        self,
        config: EngineConfig,
        gen: Path | None,
        store: st.PassageStore | None,
        backend: Backend | None,
        *,
        needs_build: bool,
        reason: str = "",
    ) -> None:
        self.config = config
        self.gen = gen
        self._store = store
        self._backend = backend
        self.needs_build = needs_build
        self.reason = reason
        self._article = lru_cache(maxsize=512)(self._load_article)
        self._analysis = lru_cache(maxsize=512)(self._analyse)
        self._summaries: list[ArticleSummary] | None = None

    # ---- opening
    @classmethod
    def open(
        cls, data_dir: Path, engine: str = "tantivy", config: EngineConfig | None = None
    ) -> Engine:
        config = config or EngineConfig(engine=engine)
        gen = st.read_current(Path(data_dir))
        if gen is None:
            return cls(config, None, None, None, needs_build=True, reason="no index yet")
        manifest = st.read_manifest(gen) or {}
        wanted = config.manifest_keys()
        stale = [k for k, v in wanted.items() if manifest.get(k) != v]
        if stale:
            reason = "index built with other " + ", ".join(stale)
            log.warning("%s: %s; it will be rebuilt", gen, reason)
            return cls(config, None, None, None, needs_build=True, reason=reason)
        return cls._load(config, gen)

    @classmethod
    def _load(cls, config: EngineConfig, gen: Path) -> Engine:
        store = st.PassageStore(gen / st.STORE, readonly=True)
        backend = open_backend(config.engine, gen / st.TANTIVY)
        if not backend.persistent:
            backend.add(store.index_docs())
            backend.commit()
        return cls(config, gen, store, backend, needs_build=False)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
        if self._store is not None:
            self._store.close()

    # ---- reading
    @property
    def backend(self) -> Backend:
        if self._backend is None:
            raise NotFound("Nothing is indexed yet. Run `newsbot reindex` (or /reindex).")
        return self._backend

    @property
    def store(self) -> st.PassageStore:
        if self._store is None:
            raise NotFound("Nothing is indexed yet. Run `newsbot reindex` (or /reindex).")
        return self._store

    def _load_article(self, article_id: str) -> Article | None:
        return self.store.article(article_id)

    def article(self, article_id: str) -> Article:
        article = self._article(article_id)
        if article is None:
            raise NotFound(f"No article has the id '{article_id}'. /articles lists them.")
        return article

    def _analyse(self, article_id: str, content_hash: str) -> ArticleAnalysis:
        return analyse_article(self.article(article_id), self.config.analyzer)

    def analysis(self, article: Article) -> ArticleAnalysis:
        """Sentences, their terms and quotations of ``article``, computed once per article."""
        return self._analysis(article.id, article.content_hash)

    def articles(self) -> list[ArticleSummary]:
        """Newest first. A generation never changes, so its list is read once (autocomplete
        and /source ask for it on every keystroke and lookup)."""
        if self._store is None:
            return []
        if self._summaries is None:
            self._summaries = self._store.summaries()
        return self._summaries

    def content_hashes(self) -> dict[str, tuple[str, str | None]]:
        return self.store.hashes() if self._store is not None else {}

    def counts(self) -> tuple[int, int]:
        return self.store.counts() if self._store is not None else (0, 0)

    def _context(self) -> AnswerContext:
        if self._backend is None or self._store is None:
            raise NotFound("Nothing is indexed yet. Run `newsbot reindex` (or /reindex).")
        return AnswerContext(
            analyzer=self.config.analyzer,
            backend=self._backend,
            store=self._store,
            article=self.article,
            analysis=self.analysis,
            weights=self.config.weights,
        )

    def ask(self, question: str, k: int = 3, scope: Scope = NO_SCOPE) -> Answer:
        if self._store is None:
            return Answer(question=question, answered=False, reason="Nothing is indexed yet.")
        return answer_question(self._context(), question, max_quotes=k, scope=scope)

    def search(self, query: str, k: int = 10) -> list[SearchHit]:
        ctx = self._context()
        tokens = ctx.analyzer.query_tokens(query)
        if not tokens:
            raise BadInput(
                f"‘{query[:80]}’ has no searchable words. Try names or topics, e.g. Lukashenko China."
            )
        hits = ctx.backend.search(tokens, k)
        stored = ctx.store.passages_by_pid([pid for pid, _ in hits])
        out = []
        for pid, score in hits:
            sp = stored.get(pid)
            if sp is None:
                continue
            article = self.article(sp.article_id)
            out.append(
                SearchHit(
                    passage_id=passage_id(sp.article_id, sp.ordinal),
                    score=round(score, 4),
                    text=article.text[sp.start : sp.end],
                    start=sp.start,
                    end=sp.end,
                    source=Source.of(article),
                )
            )
        return out

    def source(
        self, ident: str, *, page: int = 1, full: bool = False, page_chars: int | None = None
    ) -> SourceView:
        """An article (by id) with a page of its text (``full``: all of it), or a passage
        (``article-id:N``) with the text around it. ``article-id:N@START-END`` (a quote's offsets)
        also marks the quoted span."""
        ident, mark = _split_mark(ident.strip())
        store = self.store
        summaries = {a.id: a for a in self.articles()}
        if ident in summaries:
            n = summaries[ident].passages
            article = self.article(ident)
            return SourceView(
                kind="article",
                article=summaries[ident],
                passage_ids=tuple(passage_id(ident, i) for i in range(n)),
                text=_text_page(article, page, None if full else page_chars or PAGE_CHARS),
            )
        parsed = split_passage_id(ident)
        if parsed is None or parsed[0] not in summaries:
            raise NotFound(
                f"No article or passage has the id ‘{ident[:80]}’. "
                "Passage ids look like article-id:3; /articles lists the articles."
            )
        article_id, ordinal = parsed
        sp = store.passage_by_ordinal(article_id, ordinal)
        if sp is None:
            n = summaries[article_id].passages
            raise NotFound(
                f"‘{article_id}’ has passages 0 to {n - 1}; there is no passage {ordinal}."
            )
        article = self.article(article_id)
        passage = st.to_passage(article, sp, passage_id(article_id, ordinal))
        before = _neighbour_sentences(article.text, sp.start, backwards=True)
        after = _neighbour_sentences(article.text, sp.end, backwards=False)
        if mark is not None:
            start, end = max(mark.start, sp.start), min(mark.end, sp.end)
            mark = Span(start=start, end=end) if start < end else None
        return SourceView(
            kind="passage",
            article=summaries[article_id],
            passage=PassageView(
                passage=passage, source=Source.of(article), before=before, after=after
            ),
            mark=mark,
        )


# An article's text is shown a page at a time: about this many characters of whole paragraphs
# (a Discord embed holds 4,096; this leaves room for markdown escapes and the source line).
PAGE_CHARS = 1500
_MARK = re.compile(r"^(?P<ident>.+)@(?P<start>\d{1,9})-(?P<end>\d{1,9})$")


def _split_mark(ident: str) -> tuple[str, Span | None]:
    """``id@START-END`` → (id, the span); anything else → (ident, None)."""
    match = _MARK.match(ident)
    if match is None:
        return ident, None
    start, end = int(match["start"]), int(match["end"])
    if end <= start:
        raise BadInput(f"‘{ident[:80]}’: a marked span is START-END with START before END.")
    return match["ident"], Span(start=start, end=end)


def text_pages(text: str, page_chars: int) -> list[tuple[int, int]]:
    """Pages of whole paragraphs of at most ``page_chars`` characters; a longer paragraph is cut
    at sentence ends (a sentence longer than a page is a page of its own)."""
    pieces: list[tuple[int, int]] = []
    for start, end in paragraph_spans(text):
        if end - start <= page_chars:
            pieces.append((start, end))
        else:
            pieces.extend((s, e) for s, e in sentence_spans(text) if start <= s < end)
    pages: list[tuple[int, int]] = []
    for start, end in pieces:
        if pages and end - pages[-1][0] <= page_chars:
            pages[-1] = (pages[-1][0], end)
        else:
            pages.append((start, end))
    return pages or [(0, len(text))]


def _text_page(article: Article, page: int, page_chars: int | None) -> TextPage:
    text = article.text
    pages = [(0, len(text))] if page_chars is None else text_pages(text, page_chars)
    if not 1 <= page <= len(pages):
        raise BadInput(f"‘{article.id}’ has {len(pages)} pages of text; there is no page {page}.")
    start, end = pages[page - 1]
    if page_chars is None:
        start, end = 0, len(text)
    return TextPage(page=page, pages=len(pages), start=start, end=end, text=text[start:end])


def _neighbour_sentences(text: str, at: int, *, backwards: bool, count: int = 1) -> str:
    spans = sentence_spans(text)
    if backwards:
        prior = [s for s in spans if s[1] <= at][-count:]
        return text[prior[0][0] : prior[-1][1]] if prior else ""
    later = [s for s in spans if s[0] >= at][:count]
    return text[later[0][0] : later[-1][1]] if later else ""


# ---- building
def passages_and_tokens(article: Article, config: EngineConfig) -> tuple[list, list[list[str]]]:
    sentences = sentence_spans(article.text)
    paragraphs = paragraph_spans(article.text)
    passages = make_passages(article, sentences, paragraphs, config.chunking)
    tokens = [config.analyzer.tokens(p.text, article.language) for p in passages]
    return passages, tokens


def corpus_hash(articles: list[Article]) -> str:
    digest = hashlib.sha256()
    for article in sorted(articles, key=lambda a: a.id):
        digest.update(f"{article.id}\0{article.content_hash}\n".encode())
    return digest.hexdigest()


def reindex_data_dir(
    corpus_dir: Path,
    data_dir: Path,
    engine: str = "tantivy",
    progress: ProgressFn | None = None,
    *,
    config: EngineConfig | None = None,
    full: bool = False,
) -> tuple[ReindexReport, Engine]:
    """Bring the index in ``data_dir`` in line with ``corpus_dir``; return the report and the new
    engine. Incremental when the live generation is compatible; otherwise a full rebuild."""
    config = config or EngineConfig(engine=engine)
    data_dir, corpus_dir = Path(data_dir), Path(corpus_dir)
    notify = progress or (lambda _event: None)
    started = time.perf_counter()
    with st.writer_lock(data_dir):
        notify(Progress(phase="reading corpus"))
        read = read_corpus(corpus_dir)
        articles = {a.id: a for a in read.articles}

        live = st.read_current(data_dir)
        manifest = st.read_manifest(live) if live else None
        compatible = (
            not full
            and live is not None
            and manifest is not None
            and all(manifest.get(k) == v for k, v in config.manifest_keys().items())
        )
        final = st.next_generation(data_dir)
        tmp = final.with_name(final.name + ".tmp")
        st.remove_stale(data_dir, keep={live.name} if live else set())
        try:
            if compatible and live is not None:
                st.snapshot(live, tmp, with_tantivy=config.engine == "tantivy")
            else:
                tmp.mkdir(parents=True)
            report = _apply(tmp, config, articles, read.problems, compatible, notify)
            store = st.PassageStore(tmp / st.STORE)
            n_articles, n_passages = store.counts()
            store.close()
            manifest = {
                **config.manifest_keys(),
                "corpus_hash": corpus_hash(list(articles.values())),
                "articles": n_articles,
                "passages": n_passages,
                "built_at": time.time(),
            }
            notify(Progress(phase="publishing"))
            st.publish(data_dir, tmp, final, manifest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        keep = {final.name} | ({live.name} if live else set())
        st.remove_stale(data_dir, keep=keep)
        new_engine = Engine._load(config, final)
    report = report.model_copy(
        update={
            "articles": n_articles,
            "passages": n_passages,
            "seconds": round(time.perf_counter() - started, 3),
            "full_rebuild": not compatible,
        }
    )
    notify(Progress(phase="done", done=n_articles, total=n_articles))
    return report, new_engine


def _apply(
    gen: Path,
    config: EngineConfig,
    articles: dict[str, Article],
    problems: list[Problem],
    incremental: bool,
    notify: ProgressFn,
) -> ReindexReport:
    store = st.PassageStore(gen / st.STORE)
    backend = open_backend(config.engine, gen / st.TANTIVY)
    try:
        known = store.hashes() if incremental else {}
        removed = sorted(set(known) - set(articles))
        updated = sorted(
            a for a in articles if a in known and known[a][0] != articles[a].content_hash
        )
        added = sorted(a for a in articles if a not in known)
        todo = updated + added
        gone = removed + updated
        if gone:
            store.delete(gone)
            if backend.persistent:
                backend.delete(gone)
        pid = store.next_pid()
        total = len(todo)
        notify(Progress(phase="indexing", done=0, total=total))
        for n, article_id in enumerate(todo, 1):
            article = articles[article_id]
            passages, tokens = passages_and_tokens(article, config)
            store.put(article, passages, tokens, pid)
            if backend.persistent:
                backend.add((pid + i, article.id, toks) for i, toks in enumerate(tokens))
            pid += len(passages)
            if n % 200 == 0 or n == total:
                notify(Progress(phase="indexing", done=n, total=total))
        store.commit()
        if backend.persistent:
            notify(Progress(phase="committing"))
            backend.commit()
        return ReindexReport(
            added=tuple(added),
            updated=tuple(updated),
            removed=tuple(removed),
            unchanged=len(articles) - len(todo),
            skipped=tuple(problems),
        )
    finally:
        backend.close()
        store.close()
