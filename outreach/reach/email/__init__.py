"""E-mail: the letter's copy and an appointment's confirmation, after consent and the KRR.

May import reach.letter (the letter's PDF), reach.base, cases, ladder and below.
"""
