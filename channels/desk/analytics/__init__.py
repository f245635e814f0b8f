"""How the assistant is doing, on the coach desk: figures and charts, learners' ratings, the review of
missed messages and the weekly summary e-mail.

Conversations are read from Rasa's SQL tracker store (never written, except by the retention purge);
`summary` folds its events, in order and incrementally, into a few small tables in the desk's
database, from which every figure is a short query. Learner text is never copied: the review reads
it from the tracker store when an admin looks at it.
"""
