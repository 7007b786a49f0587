"""Keeping the garbage collector's full passes off the long-lived heap.

The knowledge index, the tokenizer's caches and the imported modules make a large heap that lives as long
as the process. Every full collection walked all of it (about 150 ms on the benchmark machine), stalling
every request in flight, although none of it is garbage. So once start-up is done, and again after each
index rebuild, the heap is collected once and frozen: later collections only walk what requests allocate.
"""

import gc

from mnp_chatbot.core.logging import get_logger

log = get_logger(__name__)


def settle() -> None:
    """Collect everything once, then leave what survives out of future collections."""
    gc.unfreeze()  # the previous snapshot's objects may be garbage now
    gc.collect()
    gc.freeze()
    log.info("heap.settled", frozen_objects=gc.get_freeze_count())


async def settle_after_rebuild() -> None:
    settle()
