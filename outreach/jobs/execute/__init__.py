"""Run one planned step: claim, decide, record, call the channel, plan what follows.

Exactly-once effects on at-least-once jobs (DESIGN.md principle 2):

1. *claim* (``claim``) – a conditional UPDATE moves the step from ``queued`` to
   ``running`` with a lease; a second copy of the job finds nothing to claim;
2. *prepare* (``route``, ``deliver``) – re-check the case (a response or close
   cancels the step), pick the recipient or skip, and write the ``Attempt`` row
   as ``sending``, then commit – before any provider is called;
3. *send* – call the channel outside any transaction;
4. *record* (``record``) – the attempt's status, the step's end, the timeline
   event and the next steps, in one transaction.

A worker killed between 2 and 4 leaves an attempt ``sending``; the tick hands
the step out again after the lease, and step 2 then *settles* it through
``channel.lookup`` instead of sending blindly. An exception of our own code is
counted on the step and retried (``crash``). May import reach, cases, ladder
and below; the RQ job itself is ``jobs.run_step``.
"""
