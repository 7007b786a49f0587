"""Hybrid FAQ retriever: the pure core of search (no database, network, settings, clock or randomness).

    query ─ normalise ─┬─ Sudachi words + synonym/brand concepts ─ BM25 (question fields, answer) ─┐
                       └─ character bigrams ────────────────────── BM25 (question fields, answer) ─┴─ fuse
    fuse ─ pseudo-relevance feedback on the words ─ brand preference ─ (+ dense ranking) ─ confidence

Each BM25 signal is divided by its best score for the query and the two are summed with `char_weight`,
so the fused lexical score of the best hit is at most 1 + char_weight. Confidence is separate from the
score: see `mnp_chatbot.faq.confidence`.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import numpy.typing as npt

from mnp_chatbot.faq import lexicon
from mnp_chatbot.faq.bm25 import FieldedIndex, Positions, Scores
from mnp_chatbot.faq.confidence import DEFAULT_CALIBRATION, Calibration, Evidence, coverage
from mnp_chatbot.faq.text import Granularity, char_ngrams, shared_tokenizer
from mnp_chatbot.japanese.text import fold_kana, normalize
from mnp_chatbot.masking.kinds import PLACEHOLDERS

DenseRanking = Sequence[tuple[str, float]]

# A code, a number or a masked piece of personal data in a question (合言葉QX12345678, 090-1234-5678,
# [電話番号]) says nothing about what is asked: unless the knowledge base has it too (0120-800-000, M004), it
# is left out of the query, so that it neither scores nor counts against the coverage that confidence reads.
_RUN = re.compile(r"(?<![a-z0-9-])[a-z0-9]+(?:-[a-z0-9]+)*(?![a-z0-9])")
_PLACEHOLDER = re.compile("|".join(re.escape(normalize(p)) for p in PLACEHOLDERS.values()))


def is_code(run: str) -> bool:
    """Letters with three or more digits (qx12345678), or five or more digits (090-1234-5678); a model or a
    year (iphone15, 5g, 2026) and a price (4950) are words."""
    digits = sum(ch.isdigit() for ch in run)
    return digits >= 5 or (digits >= 3 and any(ch.isalpha() for ch in run))


def codes_in(texts: Iterable[str]) -> frozenset[str]:
    """The codes that occur in `texts`, normalised."""
    return frozenset(run for text in texts for run in _RUN.findall(normalize(text)) if is_code(run))


def without_codes(query: str, known: frozenset[str] = frozenset()) -> str:
    """The normalised query with masked placeholders and the codes not in `known` replaced by a space.

    >>> without_codes("予約番号って何日有効？合言葉QX12345678")
    '予約番号って何日有効?合言葉 '
    """
    text = _PLACEHOLDER.sub(" ", normalize(query))
    return _RUN.sub(
        lambda run: " " if is_code(run.group()) and run.group() not in known else run.group(), text
    )


@dataclass(frozen=True, slots=True)
class IndexedEntry:
    id: str
    question: str
    alternates: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    answer: str = ""
    brands: tuple[str, ...] = ()
    category: str = ""

    @property
    def title(self) -> str:
        """Everything that says what the entry is about: question, alternates and keywords."""
        return "\n".join((self.question, *self.alternates, *self.keywords))


@dataclass(frozen=True, slots=True)
class Hit:
    entry_id: str
    score: float  # fused ranking score; compare only within one query
    confidence: float  # calibrated probability that this entry answers the query, in [0, 1]
    lexical: float  # fused BM25 score before brand preference and dense fusion
    dense: float | None  # similarity passed in for this entry, if any
    brand_factor: float  # >1 preferred for a brand the query names, <1 demoted
    matched_terms: tuple[str, ...]  # query words and concepts found in the entry
    evidence: Evidence  # what the confidence was computed from
    # idf-weighted Jaccard similarity of the query and the entry's closest question line (question or
    # alternate), 1 when the customer asked one of them word for word, and the share of the query's terms
    # that line contains (see `Retriever._closest_line`)
    line_match: float = 0.0
    line_coverage: float = 0.0


@dataclass(frozen=True, slots=True)
class RetrieverConfig:
    synonyms: Sequence[Sequence[str]] = ()  # groups of equivalent terms, the first is canonical
    brand_aliases: Mapping[str, Sequence[str]] = field(default_factory=dict)  # brand id -> names
    use_synonyms: bool = True
    synonym_weight: float = 0.5  # query weight of a synonym concept relative to a word
    brand_boost: float = 0.3  # score x (1 + boost) for an entry tagged with a brand the query names
    other_brand_penalty: float = 0.4  # score x (1 - penalty) for an entry tagged only with other brands
    unbranded_query_penalty: float = 0.1  # score x (1 - penalty) for a brand-tagged entry, no brand asked
    granularity: Granularity = Granularity.SHORT
    k1: float = 1.2
    b: float = 0.75
    question_weight: float = 1.0  # field weight of question + alternates + keywords
    answer_weight: float = 1.0
    char_weight: float = 0.3  # weight of the character-bigram signal against the word signal
    feedback_documents: int = 5  # pseudo-relevance feedback (RM3-like); 0 turns it off
    feedback_terms: int = 30
    feedback_weight: float = 0.25  # share of the expanded query that comes from feedback terms
    candidates: int = 100  # how many first-pass results are re-ranked
    dense_weight: float = 0.5
    calibration: Calibration = DEFAULT_CALIBRATION


def rrf_fuse(*rankings: Sequence[str], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings; best first, ties first-seen first."""
    # (k dampens the advantage of the very first ranks, 60 as in Cormack et al. 2009)
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda pair: -pair[1])


def select_context(hits: Sequence[Hit], budget_chars: int, *, texts: Mapping[str, str]) -> list[Hit]:
    """The best hits whose texts fit together in `budget_chars`; a text that does not fit is skipped."""
    chosen, used = [], 0
    for hit in hits:
        size = len(texts.get(hit.entry_id, ""))
        if used + size <= budget_chars:
            chosen.append(hit)
            used += size
    return chosen


def char_view(text: str) -> str:
    """Normalised, kana-folded text with punctuation turned into spaces, for character n-grams."""
    return " ".join(
        "".join(ch if ch.isalnum() or ch == "ー" else " " for ch in fold_kana(normalize(text))).split()
    )


@dataclass(frozen=True, slots=True)
class _Query:
    words: list[str]
    concepts: list[str]
    grams: list[str]
    brands: list[str]

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(self.words + self.concepts))


class Retriever:
    """An immutable index of FAQ entries; build once, search many times (thread-safe for reading)."""

    def __init__(self, entries: Sequence[IndexedEntry], config: RetrieverConfig) -> None:
        self.entries = tuple(entries)
        self.config = config
        self._tokenizer = shared_tokenizer(config.granularity)
        self._synonyms = lexicon.synonym_matcher(config.synonyms if config.use_synonyms else ())
        self._brands = lexicon.brand_matcher(config.brand_aliases)
        self._position = {entry.id: i for i, entry in enumerate(self.entries)}
        self._tagged = np.array([bool(entry.brands) for entry in self.entries], dtype=bool)
        self._tagged_with: dict[str, npt.NDArray[np.bool_]] = {}
        for position, entry in enumerate(self.entries):
            for brand in entry.brands:
                members = self._tagged_with.setdefault(brand, np.zeros(len(self.entries), dtype=bool))
                members[position] = True
        fields = ([e.title for e in self.entries], [e.answer for e in self.entries])
        weights = (config.question_weight, config.answer_weight)
        lines = [[self._word_tokens(line) for line in (e.question, *e.alternates)] for e in self.entries]
        titles = (
            [token for line in question_lines for token in line] + self._word_tokens("\n".join(e.keywords))
            for e, question_lines in zip(self.entries, lines, strict=True)
        )
        # Generators, so each document's tokens become ids (and are freed) before the next is read.
        answers = (self._word_tokens(e.answer) for e in self.entries)
        self._words = FieldedIndex([titles, answers], weights, k1=config.k1, b=config.b, rows=True)
        self._question_lines = [self._line_terms(question_lines) for question_lines in lines]
        self._codes = codes_in(text for field in fields for text in field)
        grams = [(char_ngrams(char_view(text), 2) for text in texts) for texts in fields]
        self._chars = FieldedIndex(grams, weights, k1=config.k1, b=config.b)

    @classmethod
    def build(cls, entries: Sequence[IndexedEntry], config: RetrieverConfig | None = None) -> Self:
        return cls(entries, config or RetrieverConfig())

    @property
    def index_bytes(self) -> int:
        """Memory held by the BM25 arrays of both views."""
        return self._words.nbytes + self._chars.nbytes

    def _line_terms(self, lines: list[list[str]]) -> tuple[dict[int, float], ...]:
        """Each question line's term ids with their idf, for `_line_match`."""
        found = []
        for line in lines:
            terms = sorted({term for term in self._words.term_ids(line) if term is not None})
            found.append(dict(zip(terms, self._words.idf(terms), strict=True)))
        return tuple(found)

    def _closest_line(self, position: int, asked: dict[int, float]) -> tuple[float, float]:
        """How nearly the query says what one of the entry's question lines (question or alternate) says:
        the idf-weighted Jaccard similarity of the query's terms and its closest line, and the share of the
        query that line contains.

        「予約番号の有効期限は？」 is all of 「予約番号の有効期限はいつまで？」 but いつ, and only part of
        「MNP予約番号の有効期限は延長できますか？」, whose entry is about a side topic (延長) nobody asked.
        """
        query = sum(asked.values())
        best = (0.0, 0.0)
        for line in self._question_lines[position]:
            shared = sum(weight for term, weight in line.items() if term in asked)
            union = sum(line.values()) + query - shared
            if union > 0:
                best = max(best, (shared / union, shared / query if query > 0 else 0.0))
        return best

    def _word_tokens(self, text: str) -> list[str]:
        return self._tokenizer.tokens(text) + self._synonyms.find(text) + self._brands.find(text)

    def detect_brands(self, query: str) -> list[str]:
        """Brand ids named in the query, in order of first mention."""
        return [lexicon.brand_of(token) for token in self._brands.find_unique(query)]

    def search(self, query: str, *, limit: int = 10, dense: DenseRanking | None = None) -> list[Hit]:
        """The best `limit` entries, best first; `dense` is an optional [(entry_id, similarity)] ranking."""
        parsed = self._parse(query)
        words = self._word_query(parsed)
        word_scores = self._words.scores(words)
        char_scores = self._chars.scores(self._char_query(parsed))
        first = _unit(word_scores) + self.config.char_weight * _unit(char_scores)
        candidates = _top(first, self.config.candidates)
        lexical = self._feedback(candidates, first, words, char_scores)
        scores, factors = self._prefer_brands(candidates, lexical, parsed.brands)
        return self._hits(parsed, candidates, lexical, scores, factors, dense, limit)

    def _parse(self, query: str) -> _Query:
        query = without_codes(query, self._codes)
        concepts = self._synonyms.find_unique(query) + self._brands.find_unique(query)
        brands = [lexicon.brand_of(c) for c in concepts if c.startswith("brand:")]
        return _Query(self._tokenizer.tokens(query), concepts, char_ngrams(char_view(query), 2), brands)

    def _word_query(self, parsed: _Query) -> dict[int, float]:
        weights: dict[int, float] = {}
        for token in dict.fromkeys(parsed.words):
            if (term := self._words.vocabulary.get(token)) is not None:
                weights[term] = weights.get(term, 0.0) + 1.0
        for concept in parsed.concepts:
            if (term := self._words.vocabulary.get(concept)) is not None:
                weights[term] = weights.get(term, 0.0) + self.config.synonym_weight
        return weights

    def _char_query(self, parsed: _Query) -> dict[int, float]:
        terms = (self._chars.vocabulary.get(gram) for gram in dict.fromkeys(parsed.grams))
        return {term: 1.0 for term in terms if term is not None}

    def _feedback(
        self, candidates: Positions, first: Scores, words: dict[int, float], char_scores: Scores
    ) -> Scores:
        """Re-rank the candidates with the query expanded by the terms its best first-pass hits share."""
        config = self.config
        if config.feedback_documents <= 0 or config.feedback_weight <= 0 or len(candidates) == 0 or not words:
            return first[candidates]
        top = candidates[: config.feedback_documents]
        expansion = self._words.feedback(top, first[top] / first[top[0]])
        keep = np.argpartition(-expansion, min(config.feedback_terms, len(expansion) - 1))[
            : config.feedback_terms
        ]
        vector = np.zeros(len(expansion), dtype=np.float32)
        vector[keep] = config.feedback_weight * expansion[keep] / max(float(expansion[keep].sum()), 1e-9)
        original = 1.0 - config.feedback_weight
        total = sum(words.values())
        for term, weight in words.items():
            vector[term] += np.float32(original * weight / total)
        rescored = self._words.rescore(candidates, vector)
        return _unit(rescored) + config.char_weight * _unit(char_scores[candidates])

    def _prefer_brands(
        self, candidates: Positions, lexical: Scores, brands: list[str]
    ) -> tuple[Scores, Scores]:
        """Boost entries tagged with a brand the query names, demote entries tagged only with others (and,
        a little, every brand-tagged entry when the query names none); untagged entries stay as they are."""
        config = self.config
        tagged = self._tagged[candidates]
        if not brands:
            factors = np.where(tagged, np.float32(1.0 - config.unbranded_query_penalty), np.float32(1.0))
        else:
            named = np.zeros(len(candidates), dtype=bool)
            for brand in brands:
                if brand in self._tagged_with:
                    named |= self._tagged_with[brand][candidates]
            tagged_factor = np.where(
                named, np.float32(1.0 + config.brand_boost), np.float32(1.0 - config.other_brand_penalty)
            )
            factors = np.where(tagged, tagged_factor, np.float32(1.0))
        factors = factors.astype(np.float32)
        return lexical * factors, factors

    def _hits(
        self,
        parsed: _Query,
        candidates: Positions,
        lexical: Scores,
        scores: Scores,
        factors: Scores,
        dense: DenseRanking | None,
        limit: int,
    ) -> list[Hit]:
        columns = zip(candidates.tolist(), lexical.tolist(), scores.tolist(), factors.tolist(), strict=True)
        by_position = {p: (lex, score, factor) for p, lex, score, factor in columns}
        similarity = self._dense_scores(dense, by_position)
        weight = self.config.dense_weight
        final = {p: s + weight * similarity.get(p, (0.0, 0.0))[1] for p, (_, s, _) in by_position.items()}
        ordered = sorted((p for p, s in final.items() if s > 0), key=lambda p: (-final[p], p))[: limit + 1]
        ranked = ordered[:limit]
        if not ranked:
            return []
        positions = np.asarray(ranked, dtype=np.intp)
        evidence, matched = self._evidence(parsed, positions, [final[p] for p in ordered])
        known = sorted({term for term in self._words.term_ids(parsed.terms) if term is not None})
        asked = dict(zip(known, self._words.idf(known), strict=True))
        hits = []
        for position, proof, terms in zip(ranked, evidence, matched, strict=True):
            lexical_score, _, factor = by_position[position]
            line_match, line_coverage = self._closest_line(position, asked)
            sim = similarity.get(position)
            hits.append(
                Hit(
                    entry_id=self.entries[position].id,
                    score=final[position],
                    confidence=self.config.calibration.confidence(proof),
                    lexical=lexical_score,
                    dense=sim[0] if sim else None,
                    brand_factor=factor,
                    matched_terms=terms,
                    evidence=proof,
                    line_match=line_match,
                    line_coverage=line_coverage,
                )
            )
        return hits

    def _dense_scores(
        self, dense: DenseRanking | None, by_position: dict[int, tuple[float, float, float]]
    ) -> dict[int, tuple[float, float]]:
        """Raw and min-max normalised similarity of each ranked entry; unseen entries become candidates."""
        known = [(self._position[i], s) for i, s in dense or () if i in self._position]
        if not known:
            return {}
        low, high = min(s for _, s in known), max(s for _, s in known)
        span = high - low
        for position, _ in known:
            by_position.setdefault(position, (0.0, 0.0, 1.0))
        return {p: (s, (s - low) / span if span > 0 else 1.0) for p, s in known}

    def _evidence(
        self,
        parsed: _Query,
        positions: Positions,
        scores: list[float],  # one more score than positions
    ) -> tuple[list[Evidence], list[tuple[str, ...]]]:
        """Confidence evidence and matched query terms of each hit (see `mnp_chatbot.faq.confidence`)."""
        terms = parsed.terms
        ids = self._words.term_ids(terms)
        in_title = self._words.presence(positions, ids, fields=slice(0, 1))
        anywhere = in_title | self._words.presence(positions, ids, fields=slice(1, None))
        idf = self._words.idf(ids)
        word, title = coverage(anywhere, idf), coverage(in_title, idf)
        grams = self._chars.term_ids(dict.fromkeys(parsed.grams))
        chars = coverage(self._chars.presence(positions, grams), self._chars.idf(grams))
        count = len(positions)
        following = [*scores[1:], 0.0][:count]
        evidence = [
            Evidence(
                word_coverage=float(word[j]),
                title_coverage=float(title[j]),
                char_coverage=float(chars[j]),
                relative_score=score / scores[0],
                margin=(score - after) / score,
            )
            for j, (score, after) in enumerate(zip(scores[:count], following, strict=True))
        ]
        matched = [
            tuple(t for t, found in zip(terms, anywhere[:, j], strict=True) if found) for j in range(count)
        ]
        return evidence, matched


def _unit(scores: Scores) -> Scores:
    """Scores divided by their maximum (all zero stays zero)."""
    best = float(scores.max()) if len(scores) else 0.0
    return scores / np.float32(best) if best > 0 else scores


def _top(scores: Scores, count: int) -> Positions:
    """Positions of the `count` highest positive scores, best first, ties by position."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > count:
        positive = positive[np.argpartition(-scores[positive], count - 1)[:count]]
    return positive[np.lexsort((positive, -scores[positive]))]
