"""Reading Japanese customer text (pure): one normaliser, one vocabulary, one finder of carrier mentions.

text.py        fold (NFKC + casefold) ─┬─ normalize: dashes and long vowels unified, one space (retrieval)
                                       └─ squash: hiragana as katakana, no spaces (words and names)
vocabulary.py  application channels (online / shop) and SIM types (eSIM / card), with the words for each
brands.py      carrier brands named in a text, by id, display name or alias
"""
