"""The shared tokenizer is used by the event loop and by the threads that rebuild the knowledge index at the
same time (a chat turn during an FAQ edit): Sudachi refuses concurrent use of one of its tokenizers."""

import threading

from mnp_chatbot.faq.text import shared_tokenizer


def test_the_shared_tokenizer_serves_several_threads_at_once() -> None:
    tokenizer = shared_tokenizer()
    text = "予約番号の有効期限は何日ですか？MNPの転出手数料は今もかかりますか" * 5
    expected = tokenizer.tokens(text)
    failures: list[BaseException] = []
    results: list[list[str]] = []

    def tokenize() -> None:
        try:
            for _ in range(200):
                results.append(tokenizer.tokens(text))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=tokenize) for _ in range(4)]
    for thread in threads:
        thread.start()
    tokenize()
    for thread in threads:
        thread.join()
    assert failures == []
    assert all(result == expected for result in results)
