"""The retriever over the shipped knowledge files: synonyms file shape and whole-base behaviour."""

import pytest

from mnp_chatbot.faq.lexicon import match_form
from mnp_chatbot.faq.retrieval import IndexedEntry, Retriever, RetrieverConfig
from mnp_chatbot.knowledge import loader


@pytest.fixture(scope="module")
def shipped() -> Retriever:
    entries = [
        IndexedEntry(
            id=f.slug,
            question=f.question,
            alternates=tuple(f.alternates),
            keywords=tuple(f.keywords),
            answer=f.answer,
            brands=tuple(f.brands),
        )
        for f in loader.load_faqs()
    ]
    aliases = {c.id: (c.name, *c.aliases) for c in loader.load_carriers()}
    synonyms = tuple(tuple(g.terms) for g in loader.load_synonyms())
    return Retriever.build(entries, RetrieverConfig(synonyms=synonyms, brand_aliases=aliases))


class TestSynonymFile:
    def test_has_twenty_to_forty_groups(self) -> None:
        assert 20 <= len(loader.load_synonyms()) <= 40

    def test_no_term_is_in_two_groups(self) -> None:
        terms = [match_form(term) for group in loader.load_synonyms() for term in group.terms]
        assert len(terms) == len(set(terms))

    def test_port_out_and_port_in_are_different_groups(self) -> None:
        groups = [{match_form(t) for t in group.terms} for group in loader.load_synonyms()]
        assert not any({"転出", "転入"} <= group for group in groups)

    def test_brand_names_come_from_the_carrier_table_not_from_synonyms(self) -> None:
        brand_terms = {match_form(a) for c in loader.load_carriers() for a in (c.id, *c.aliases)}
        synonym_terms = {match_form(t) for group in loader.load_synonyms() for t in group.terms}
        assert not brand_terms & synonym_terms


class TestShippedBase:
    def test_each_question_finds_its_own_entry(self, shipped: Retriever) -> None:
        entries = shipped.entries
        found = sum(shipped.search(e.question, limit=1)[0].entry_id == e.id for e in entries)
        assert found / len(entries) >= 0.95

    def test_each_alternate_finds_its_entry_in_the_top_three(self, shipped: Retriever) -> None:
        pairs = [(e.id, alt) for e in shipped.entries for alt in e.alternates]
        found = sum(e_id in [h.entry_id for h in shipped.search(alt, limit=3)] for e_id, alt in pairs)
        assert found / len(pairs) >= 0.9

    @pytest.mark.parametrize(
        "query", ["今日の天気は？", "おすすめのラーメン屋", "円周率を100桁教えて", "明日の株価"]
    )
    def test_out_of_domain_questions_are_not_confident(self, shipped: Retriever, query: str) -> None:
        assert all(hit.confidence < 0.5 for hit in shipped.search(query))
