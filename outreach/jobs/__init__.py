"""Work done off the request path: the tick, the step job, the queue.

``queue`` is the only module that imports ``rq``; ``execute`` holds the step
logic so that ``simulate`` can run it on a virtual clock without a queue.
"""
