"""The engine: a loaded generation of the index, and the reindex that makes a new one.

``Engine`` is read-only and thread-safe: the service runs its methods in worker threads and swaps
in a new ``Engine`` after a reindex. ``reindex_data_dir`` is the only writer (index/build.py).

An open ``Engine`` holds a lease on its generation (index/store.py): no process deletes that
generation until ``close()``. ``Engine.is_current()`` says whether a newer generation has been
published since (for a reader that should reopen). A generation that fails its checks opens as
``needs_build`` with the reason, never as ready.
"""

from __future__ import annotations

import gc
import logging
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from index import store as st
from index.analysis import ANALYSIS_VERSION, ArticleAnalysis, DamagedAnalysis, analyse_article
from index.analyze import Analyzer
from index.answer import DEFAULT_WEIGHTS, NO_SCOPE, AnswerContext, Scope, Weights, answer_question
from index.backends import Backend, open_backend
from index.errors import BadInput, NotFound
from index.models import (
    Answer,
    Article,
    ArticleSummary,
    PassageView,
    Progress,
    ReindexReport,
    SearchHit,
    Source,
    SourceView,
    Span,
    TextPage,
)
from index.passages import ChunkConfig, passage_id, split_passage_id
from index.segment import paragraph_spans, sentence_spans

log = logging.getLogger(__name__)

ProgressFn = Callable[[Progress], None]

#: Answering allocates thousands of short-lived tuples and sets per question while the article
#: cache frees old ones, and CPython's default young-generation threshold (700) then runs young
#: collections over tens of thousands of objects: on 50k passages, 1,000 first-time questions
#: had a p99 of 24 ms of CPU, 4.6 ms with this threshold (the older generations keep theirs).
GC_YOUNG_THRESHOLD = 50_000


def tune_gc() -> None:
    """Raise the collector's young-generation threshold for this process (never lower it).
    Process-wide on purpose: the engine's allocation pattern dominates a serving process."""
    young, middle, old = gc.get_threshold()
    if 0 < young < GC_YOUNG_THRESHOLD:
        gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


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
            "analysis": ANALYSIS_VERSION,
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
        lease: st.Lease | None = None,
    ) -> None:
        self.config = config
        self.gen = gen
        self._store = store
        self._backend = backend
        self._lease = lease
        self.needs_build = needs_build
        self.reason = reason
        self._analysis = lru_cache(maxsize=256)(self._analyse)

    # ---- opening
    @classmethod
    def open(
        cls, data_dir: Path, engine: str = "tantivy", config: EngineConfig | None = None
    ) -> Engine:
        """The live generation of ``data_dir``; ``needs_build`` (with ``reason``) when there is
        none, it was built with other settings, or it fails its checks."""
        config = config or EngineConfig(engine=engine)
        for _attempt in range(10):
            gen = st.read_current(Path(data_dir))
            if gen is None:
                return cls(config, None, None, None, needs_build=True, reason="no index yet")
            lease = st.Lease.acquire(gen)
            if lease is None:
                manifest = st.read_manifest(gen) or {}
                if manifest.get("format_version") != st.FORMAT_VERSION:  # an older layout
                    reason = "index built with other format_version"
                    return cls(config, None, None, None, needs_build=True, reason=reason)
                continue  # deleted meanwhile: CURRENT names a newer one now
            return cls.open_generation(config, gen, lease)
        return cls(
            config, None, None, None, needs_build=True, reason="the index kept changing; retry"
        )

    @classmethod
    def open_generation(cls, config: EngineConfig, gen: Path, lease: st.Lease) -> Engine:
        """Open (and check) ``gen``, which ``lease`` holds; the engine owns the lease."""
        tune_gc()
        manifest = st.read_manifest(gen) or {}
        wanted = config.manifest_keys()
        stale = [k for k, v in wanted.items() if manifest.get(k) != v]
        if stale:
            lease.release()
            reason = "index built with other " + ", ".join(stale)
            log.warning("%s: %s; it will be rebuilt", gen, reason)
            return cls(config, None, None, None, needs_build=True, reason=reason)
        try:
            store, backend = load_generation(config, gen, manifest)
        except st.DamagedIndex as err:
            lease.release()
            reason = f"the index is damaged: {err}. A reindex rebuilds it from the corpus"
            log.error("%s: %s", gen, reason)
            return cls(config, None, None, None, needs_build=True, reason=reason)
        except BaseException:
            lease.release()
            raise
        return cls(config, gen, store, backend, needs_build=False, lease=lease)

    def close(self) -> None:
        """Close the files and release the lease (after the last call on this engine)."""
        if self._backend is not None:
            self._backend.close()
        if self._store is not None:
            self._store.close()
        if self._lease is not None:
            self._lease.release()

    def is_current(self) -> bool:
        """False once another generation has been published in this engine's data dir."""
        if self.gen is None:
            return False
        live = st.read_current(self.gen.parent)
        return live is not None and live.name == self.gen.name

    def _damaged(self, err: BaseException) -> st.DamagedIndex:
        """A read failed on a damaged file: report not ready from now on, with the reason."""
        self.needs_build = True
        self.reason = f"the index is damaged: {err}. A reindex rebuilds it from the corpus"
        log.error("%s: %s", self.gen, self.reason)
        # The reason, not the bare error: the user who hit it is told what repairs it.
        return st.DamagedIndex(f"Not ready: {self.reason}.")

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

    def article(self, article_id: str) -> Article:
        try:
            article = self.store.article(article_id)
        except (st.DamagedIndex, DamagedAnalysis, sqlite3.DatabaseError) as err:
            raise self._damaged(err) from None
        if article is None:
            raise NotFound(f"No article has the id '{article_id}'. /articles lists them.")
        return article

    def _analyse(self, article_id: str, content_hash: str) -> ArticleAnalysis:
        return analyse_article(self.article(article_id), self.config.analyzer)

    def analysis(self, article: Article) -> ArticleAnalysis:
        """Sentences, their terms and quotations of ``article``: computed at index time and
        read from the store (an article the store does not hold is analysed once, cached)."""
        if self._store is not None:
            entry = self._store.entry(article.id)
            if entry is not None and entry.content_hash == article.content_hash:
                try:
                    stored = self._store.analysis(article.id)
                except (st.DamagedIndex, DamagedAnalysis, sqlite3.DatabaseError) as err:
                    raise self._damaged(err) from None
                if stored is not None:
                    return stored
        return self._analysis(article.id, article.content_hash)

    def articles(self) -> list[ArticleSummary]:
        """Newest first. A generation never changes, so its list is read once (autocomplete
        and /source ask for it on every keystroke and lookup)."""
        if self._store is None:
            return []
        try:
            return self._store.summaries()
        except sqlite3.DatabaseError as err:
            raise self._damaged(err) from None

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
        try:
            return answer_question(self._context(), question, max_quotes=k, scope=scope)
        except (st.DamagedIndex, DamagedAnalysis, sqlite3.DatabaseError) as err:
            raise self._damaged(err) from None

    def search(self, query: str, k: int = 10) -> list[SearchHit]:
        try:
            return self._search(query, k)
        except (st.DamagedIndex, DamagedAnalysis, sqlite3.DatabaseError) as err:
            raise self._damaged(err) from None

    def _search(self, query: str, k: int) -> list[SearchHit]:
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


# ---- loading and building
def load_generation(
    config: EngineConfig, gen: Path, manifest: dict
) -> tuple[st.PassageStore, Backend]:
    """Open ``gen``'s store and search backend, checking them against ``manifest``; raises
    :class:`~index.store.DamagedIndex` with the reason when anything disagrees."""
    segments = st.manifest_segments(manifest)
    try:
        expected = int(manifest["articles"]), int(manifest["passages"])
    except (KeyError, TypeError, ValueError):
        raise st.DamagedIndex("the manifest has no article and passage counts") from None
    store = st.PassageStore(gen, segments)
    try:
        if store.counts() != expected:
            raise st.DamagedIndex(
                f"the store holds {store.counts()[0]:,} articles and {store.counts()[1]:,} "
                f"passages; the manifest says {expected[0]:,} and {expected[1]:,}"
            )
        if config.engine == "tantivy":
            st.verify_tantivy_files(gen / st.TANTIVY, expected[1])
        backend = open_backend(config.engine, gen / st.TANTIVY, create=False)
        try:
            if not backend.persistent:
                backend.add(store.index_docs())
                backend.commit()
            if backend.num_docs != expected[1]:
                raise st.DamagedIndex(
                    f"the search index holds {backend.num_docs:,} passages; "
                    f"the manifest says {expected[1]:,}"
                )
        except BaseException:
            backend.close()
            raise
    except BaseException:
        store.close_all()
        raise
    return store, backend


def reindex_data_dir(
    corpus_dir: Path,
    data_dir: Path,
    engine: str = "tantivy",
    progress: ProgressFn | None = None,
    *,
    config: EngineConfig | None = None,
    full: bool = False,
    workers: int | None = None,
    background: bool = False,
) -> tuple[ReindexReport, Engine]:
    """Bring the index in ``data_dir`` in line with ``corpus_dir``; return the report and the new
    engine. Incremental when the live generation is compatible and sound; otherwise a full
    rebuild from the corpus. ``workers``: analysis processes (default: one per core, one fewer in
    the ``background``; 0 = none). ``background``: a serving process is answering meanwhile, so
    the analysis workers take only CPU time it leaves free (``index.lifeline.yield_cpu``)."""
    from index.build import build_generation

    config = config or EngineConfig(engine=engine)
    notify = progress or (lambda _event: None)
    report, gen, lease = build_generation(
        Path(corpus_dir),
        Path(data_dir),
        config,
        notify,
        full=full,
        workers=workers,
        background=background,
    )
    new_engine = Engine.open_generation(config, gen, lease)
    if new_engine.needs_build:
        raise st.StoreError(f"The new index did not pass its checks: {new_engine.reason}")
    notify(Progress(phase="done", done=report.articles, total=report.articles))
    return report, new_engine
