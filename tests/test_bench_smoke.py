"""The benchmarks' smoke modes on data this test generates (never ../shared), and their metrics."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import time
import zipfile
from pathlib import Path

import pytest

from bench import analysis, quality, speed
from bench.common import Isolated, MeasurementTimeout, run_isolated
from bench.evaluate import QuoteTally, RankTally, contains_answer, evaluate_file
from bench.scifact import load_scifact, ndcg_at_k
from bench.squad import generated_squad, generated_unanswerable, load_squad
from index.errors import BadInput, NewsbotError
from index.models import Answer, Quote, Source


# ---- data the tests write themselves
def write_squad_json(path: Path, articles: int = 12) -> Path:
    squad = generated_squad(articles=articles)
    data = []
    for a, article in enumerate(squad.articles):
        paragraphs = []
        for p, context in enumerate(article.paragraphs):
            qas = [
                {
                    "id": q.id,
                    "question": q.text,
                    "answers": [{"text": x, "answer_start": context.find(x)} for x in q.answers],
                }
                for q in squad.questions
                if q.article == a and q.paragraph == p
            ]
            paragraphs.append({"context": context, "qas": qas})
        data.append({"title": article.title.replace(" ", "_"), "paragraphs": paragraphs})
    path.write_text(json.dumps({"version": "1.1", "data": data}), encoding="utf-8")
    return path


def write_unanswerable(path: Path) -> Path:
    questions = generated_unanswerable(generated_squad())
    lines = [json.dumps({"question": q, "answers": [], "kind": "generated"}) for q in questions]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_scifact(folder: Path) -> Path:
    """A SciFact-shaped folder: 30 abstracts, 6 claims, qrels in BEIR's TSV layout."""
    squad = generated_squad(articles=10)
    corpus = io.StringIO()
    writer = csv.writer(corpus)
    writer.writerow(["doc_id", "title", "abstract", "structured"])
    for a, article in enumerate(squad.articles):
        for p, paragraph in enumerate(article.paragraphs):
            sentences = [s.strip() + "." for s in paragraph.split(". ") if s.strip()]
            writer.writerow([f"{a}{p:02d}", article.title, repr(sentences), "False"])
    claims = io.StringIO()
    writer = csv.writer(claims)
    writer.writerow(
        ["id", "claim", "evidence_doc_id", "evidence_label", "evidence_sentences", "cited_doc_ids"]
    )
    qrels = ["query-id\tcorpus-id\tscore"]
    for n, question in enumerate(squad.questions[::15]):
        doc = f"{question.article}{question.paragraph:02d}"
        writer.writerow([str(n), question.text, doc, "SUPPORT", "[0]", f"[{doc}]"])
        qrels.append(f"{n}\t{doc}\t1")
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "scifact.zip", "w") as zf:
        zf.writestr("corpus_train.csv", corpus.getvalue())
        zf.writestr("claims_validation.csv", claims.getvalue())
    (folder / "qrels").mkdir()
    (folder / "qrels" / "test.tsv").write_text("\n".join(qrels) + "\n", encoding="utf-8")
    return folder


def rate(value: float | None) -> bool:
    return value is not None and not math.isnan(value) and 0.0 <= value <= 1.0


# ---- the smoke runs
def test_quality_smoke_on_generated_data(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    squad_path = write_squad_json(tmp_path / "squad.json")
    args = [
        "--smoke",
        "--squad", str(squad_path),
        "--unanswerable", str(write_unanswerable(tmp_path / "unanswerable.jsonl")),
        "--scifact", str(write_scifact(tmp_path / "scifact")),
        "--results-dir", str(tmp_path / "results"),
    ]  # fmt: skip
    assert quality.main(args) == 0
    printed = capsys.readouterr().out
    assert "ours: Engine.ask" in printed and "rank_bm25 sentences, analyzer" in printed
    (result_file,) = (tmp_path / "results").glob("quality-smoke-*.json")
    results = json.loads(result_file.read_text())

    ours = results["ours"]
    quotes, passages = ours["quotes"], ours["passages"]
    assert quotes["questions"] == 27  # the first 3 generated articles, 9 questions each
    for key in ("answer@1", "answer@3", "no_answer_rate", "false_answer_rate"):
        assert rate(quotes[key]), key
    assert quotes["answer@1"] <= quotes["answer@3"]
    for key in ("answer@1", "answer@5", "gold_paragraph@1", "gold_paragraph@5", "mrr@10"):
        assert rate(passages[key]), key
    assert passages["answer@1"] <= passages["answer@5"]
    assert passages["answer@1"] <= passages["mrr@10"] <= passages["answer@10"]
    assert 0 < quotes["p50_ms"] <= quotes["p99_ms"] < 5000
    assert ours["passages_indexed"] >= 3 and ours["articles"] == 3
    # Three articles about different people: retrieval finds the right one for most questions.
    assert passages["gold_paragraph@5"] >= 0.5

    baselines = results["baselines"]
    assert set(baselines) == {
        "rank_bm25 sentences, whitespace",
        "rank_bm25 paragraphs, whitespace",
        "rank_bm25 sentences, analyzer",
        "rank_bm25 paragraphs, analyzer",
    }
    assert baselines["rank_bm25 paragraphs, analyzer"]["units"] == 9
    for baseline in baselines.values():
        assert rate(baseline["answer@1"]) and rate(baseline["gold_paragraph@5"])

    scifact = results["scifact"]
    assert scifact["documents"] == 30 and scifact["queries"] == 6
    assert rate(scifact["ours"]["ndcg@10"])
    assert rate(scifact["rank_bm25 documents, analyzer"]["ndcg@10"])


def test_quality_smoke_falls_back_to_a_generated_corpus(tmp_path: Path) -> None:
    args = quality.build_parser().parse_args(
        ["--smoke", "--squad", str(tmp_path / "absent.json.gz"), "--scifact", str(tmp_path / "no")]
    )
    said: list[str] = []
    squad, questions, unanswerable, retrieval = quality.load_inputs(args, said.append)
    assert "generated" in squad.source and len(questions) == quality.SMOKE_QUESTIONS
    assert unanswerable and retrieval is not None and retrieval.qrels
    assert any("no SQuAD file" in line for line in said)


def test_quality_without_data_outside_smoke_says_what_to_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert quality.main(["--squad", str(tmp_path / "absent.json.gz")]) == 2
    err = capsys.readouterr().err
    assert "No SQuAD file" in err and "--squad" in err and "Traceback" not in err


def test_quality_threshold_sweep_replays_every_threshold(tmp_path: Path) -> None:
    squad_path = write_squad_json(tmp_path / "squad.json", articles=4)
    args = quality.build_parser().parse_args(
        ["--smoke", "--sweep-threshold", "--no-scifact", "--squad", str(squad_path),
         "--unanswerable", str(write_unanswerable(tmp_path / "u.jsonl"))]
    )  # fmt: skip
    sweep = quality.run(args, say=lambda _line: None)["sweep_threshold"]
    rows = sweep["rows"]
    assert len(rows) >= 10 and sweep["current_threshold"] in [r["threshold"] for r in rows]
    # Raising the threshold can only answer fewer questions and give fewer false answers.
    for lower, higher in itertools.pairwise(rows):
        assert higher["answered_rate"] <= lower["answered_rate"]
        assert higher["false_answer_rate"] <= lower["false_answer_rate"]
        assert higher["answer@1"] <= lower["answer@1"]


def test_speed_smoke_on_generated_data(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    args = [
        "--smoke",
        "--sizes", "600",
        "--queries", "20",
        "--squad", str(write_squad_json(tmp_path / "squad.json")),
        "--reindex-in", "thread",
        "--workdir", str(tmp_path),
        "--results-dir", str(tmp_path / "results"),
    ]  # fmt: skip
    assert speed.main(args) == 0
    printed = capsys.readouterr().out
    assert "Build" in printed and "Queries" in printed and "Targets" in printed
    (result_file,) = (tmp_path / "results").glob("speed-smoke-*.json")
    size = json.loads(result_file.read_text())["sizes"]["600"]

    backend, pipeline, serving, bm25 = (
        size["backend"], size["pipeline"], size["serving"], size["rank_bm25"]
    )  # fmt: skip
    assert backend["passages"] == 600 and backend["build_seconds"] > 0
    assert backend["index_mib"] > 0 and backend["peak_rss_mib"] > 10
    assert 0 < backend["raw_top10"]["p50_ms"] <= backend["raw_top10"]["p99_ms"]
    # The corpus is sized in engine passages: within a third of the asked size.
    assert 400 <= pipeline["passages"] <= 800 and pipeline["passages_per_second"] > 0
    assert serving["passages"] == pipeline["passages"]
    assert serving["ask"]["n"] == 20 and 0 < serving["ask"]["p50_ms"] <= serving["ask"]["p99_ms"]
    during = serving["during_reindex"]["thread"]
    assert during["reindex"]["added"] > 0 and "error" not in during["reindex"]
    assert during["busy"]["n"] >= 20 and during["p99_ratio"] > 0
    assert bm25["top10"]["n"] == 20 and bm25["build_seconds"] > 0


def test_analysis_smoke_reports_passages_per_cpu_second_of_each_stage(tmp_path: Path) -> None:
    assert analysis.main(["--smoke", "--runs", "1", "--results-dir", str(tmp_path)]) == 0
    (result_file,) = tmp_path.glob("analysis-smoke-*.json")
    rates = json.loads(result_file.read_text())["rates"]["this tree"]
    assert set(rates) == {"generated news", "generated paragraphs"}
    for stages in rates.values():
        assert set(stages) == set(analysis.STAGES) and all(v > 0 for v in stages.values())


def test_analysis_comparison_names_the_articles_whose_output_changed() -> None:
    texts = ["“We agree,” Ana Diaz said.", "No speech here."]
    before = {"news": analysis.measure_corpus(texts, with_outputs=True)}
    after = {"news": analysis.measure_corpus(texts, with_outputs=True)}
    assert analysis.differences(before, after) == {"news": []}
    passages, layout, body, bodies, analysed = after["news"]["outputs"][0]
    after["news"]["outputs"][0] = (passages, layout, body, bodies, analysed.replace("Diaz", "Dias"))
    assert analysis.differences(before, after) == {"news": [0]}


# ---- the metrics themselves
def test_answers_match_case_and_whitespace_insensitively() -> None:
    assert contains_answer("It was  Denver\nBroncos who won.", ["denver broncos"])
    assert not contains_answer("It was Denver who won.", ["Denver Broncos"])
    assert not contains_answer("anything", [""])


def test_quote_tally_counts_hits_misses_and_false_answers() -> None:
    tally = QuoteTally()
    tally.add(["Paris is big.", "Lyon"], ["paris"])  # hit at 1
    tally.add(["Lyon", "Nice", "Paris"], ["Paris"])  # hit at 3
    tally.add([], ["Paris"])  # no answer
    tally.add(["x"], [])  # false answer
    tally.add([], [])  # correctly unanswered
    out = tally.as_dict()
    assert out["questions"] == 3 and out["answer@1"] == round(1 / 3, 4)
    assert out["answer@3"] == round(2 / 3, 4) and out["no_answer_rate"] == round(1 / 3, 4)
    assert out["answer@1_when_answered"] == 0.5
    assert out["unanswerable_questions"] == 2 and out["false_answer_rate"] == 0.5


def test_rank_tally_mrr_and_gold_paragraph() -> None:
    tally = RankTally()
    tally.add(["no", "yes Paris"], ["Paris"], [False, True])
    tally.add(["Paris"], ["Paris"], [False])
    out = tally.as_dict()
    assert out["mrr@10"] == 0.75 and out["answer@1"] == 0.5 and out["answer@5"] == 1.0
    assert out["gold_paragraph@1"] == 0.0 and out["gold_paragraph@5"] == 0.5


def test_ndcg_matches_a_hand_computed_value() -> None:
    assert ndcg_at_k(["a", "b"], {"a": 1}) == 1.0
    assert ndcg_at_k(["x", "a"], {"a": 1}) == pytest.approx(1 / math.log2(3))
    assert ndcg_at_k(["x", "a", "b"], {"a": 1, "b": 1}) == pytest.approx(
        (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    )
    assert ndcg_at_k(["x"], {}) == 0.0


def test_scifact_loader_reads_the_beir_layout(tmp_path: Path) -> None:
    data = load_scifact(write_scifact(tmp_path / "sf"))
    assert len(data.documents) == 30 and len(data.queries) == 6
    assert all(len(rels) == 1 for rels in data.qrels.values())
    assert data.documents[0].full_text.startswith(data.documents[0].title + "\n\n")


def test_squad_loader_keeps_paragraph_offsets(tmp_path: Path) -> None:
    squad = load_squad(write_squad_json(tmp_path / "s.json", articles=2))
    article = squad.articles[0]
    for p, (start, end) in enumerate(article.paragraph_spans):
        assert article.text[start:end] == article.paragraphs[p]
        assert article.paragraph_at(start) == p
    for question in squad.questions:
        gold = squad.articles[question.article].paragraphs[question.paragraph]
        assert contains_answer(gold, question.answers)


class FakeService:
    """Answers from a table; raises the service's error for an empty question."""

    def __init__(self, answers: dict[str, str | None]) -> None:
        self.answers = answers

    async def ask(self, question: str, k: int | None = None) -> Answer:
        if not question.strip():
            raise BadInput("The question is empty.")
        text = self.answers.get(question)
        if text is None:
            return Answer(question=question, answered=False)
        source = Source(article_id="a", title="A")
        quote = Quote(text=text, start=0, end=len(text), passage_id="a:0", score=1.0, source=source)
        return Answer(question=question, answered=True, quotes=(quote,))


async def test_evaluate_file_scores_jsonl_and_counts_errors(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    rows = [
        {"question": "Where?", "answers": ["Paris"]},
        {"question": "When?", "answers": [{"text": "1999"}]},
        {"question": "Nothing?", "answers": []},
        {"question": " ", "answers": ["x"]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    service = FakeService({"Where?": "In Paris.", "When?": "In 2001.", "Nothing?": "Oops."})
    result = await evaluate_file(service, path)
    assert result["questions"] == 2 and result["answer@1"] == 0.5
    assert result["false_answer_rate"] == 1.0 and result["errors"] == 1
    limited = await evaluate_file(service, path, limit=1)
    assert limited["questions"] == 1 and limited["answer@1"] == 1.0


async def test_evaluate_file_reads_squad_json(tmp_path: Path) -> None:
    squad_path = write_squad_json(tmp_path / "s.json", articles=1)
    squad = load_squad(squad_path)
    service = FakeService({q.text: f"… {q.answers[0]} …" for q in squad.questions})
    result = await evaluate_file(service, squad_path)
    assert result["questions"] == 9 and result["answer@1"] == 1.0 and result["no_answer_rate"] == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json\n", "expected a JSON object"),
        ('{"answers": []}\n', ":1:"),
        ("", "holds no questions"),
    ],
)
async def test_evaluate_file_rejects_bad_files_with_a_clear_message(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(NewsbotError, match=expected):
        await evaluate_file(FakeService({}), path)
    with pytest.raises(BadInput, match="No question file"):
        await evaluate_file(FakeService({}), tmp_path / "missing.jsonl")


def test_an_isolated_measurement_that_overruns_is_stopped() -> None:
    started = time.perf_counter()
    with pytest.raises(MeasurementTimeout, match="did not finish within"):
        Isolated(time.sleep, 60).result(timeout=0.5)
    assert time.perf_counter() - started < 20
    assert run_isolated(divmod, 7, 2) == (3, 1)


async def test_evaluate_file_reports_undefined_rates_as_null(tmp_path: Path) -> None:
    path = tmp_path / "only-unanswerable.jsonl"
    path.write_text('{"question": "Who?", "answers": []}\n', encoding="utf-8")
    result = await evaluate_file(FakeService({}), path)
    assert result["answer@1"] is None and result["false_answer_rate"] == 0.0
    json.dumps(result, allow_nan=False)  # strict JSON: no NaN anywhere


def test_news_bench_can_cut_quotes_to_single_quotations(capsys: pytest.CaptureFixture[str]) -> None:
    # --single-quotations measures the figures without the speaker runs; the engine's own
    # quote span is back once the run is over
    import index.choose
    from bench import news

    before = index.choose._run_of
    assert news.main(["--generated", "--split", "all", "--single-quotations"]) == 0
    assert index.choose._run_of is before
    assert "hit@1" in capsys.readouterr().out
