"""The words of request phrasing, which a long question drops before it is ranked.

"What papers describe the effects of...", "I would be pleased to receive any
information on...": the question words, the verbs of asking and the names for
what is asked for say how a reader asks, not what about. In a short query they
are kept (a reader typing "what women want" means every word). The list holds
index terms (`analyze` output, so stems), built from plain English below.
Words that are often the topic itself ("information", "studies", "use",
"interest", "report", "methods", "documents", which stems like "documentation")
and words that are also names ("us", "may") are deliberately not on it.

Russian questions have their own list, on the same principle ("Какие статьи
рассказывают о ...", "Хотел бы найти материалы ..."): "информация",
"материалы", "публикации" are often the topic and stay off it. Russian stems
never collide with English ones (different scripts), so one set holds both.
"""

from __future__ import annotations

from search.analysis import analyze

_REQUEST_PHRASING = """
what which who whom whose when where why how whether
do does did can could would should shall might must am been being
me my we our you your
any anything some something
about concerning regarding pertaining
describe describes described describing discuss discusses discussed discussing
papers paper articles article
please pleased receive like wish want looking find seek
also especially particularly particular
e.g etc
"""

_RUSSIAN_REQUEST_PHRASING = """
что какой какая какое какие каких каким кто кого где когда почему зачем как ли
можно нужно хочу хотел хотела хотелось хотим найти найдите ищу ищем искать
есть был была было были будет
мне нам меня нас вас ваш вам
любой любая любые какие-либо что-нибудь что-то
касательно относительно насчет
описывают описывающие описать рассказывают рассказывающие обсуждают обсуждающие пишут
статья статьи статей статью статьях
пожалуйста также особенно
"""

QUESTION_WORDS = frozenset(analyze(_REQUEST_PHRASING + _RUSSIAN_REQUEST_PHRASING))
