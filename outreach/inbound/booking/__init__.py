"""The tenant's booking page, behind the code printed on every tenant letter (issue 4).

With the code, and without logging in, the tenant can pick an appointment at the
district office, ask to be called, or say the matter is sorted out. Each answer
is a response (``cases.response.register_response``, channel ``booking``) that
stops the ladder. The codes themselves are the letter's (``reach.letter.codes``).
May import reach, cases, ladder and below; never web.
"""
