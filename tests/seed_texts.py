"""Seed 1 (belarus-china-increasing-ties), verbatim, for the text-layer tests.

Its title line, "\n\n" paragraphs, a quotation spanning two sentences with a nested ‘…’, and
trailing spaces before the newlines; the tests must not read ../shared, so the text is here.
"""

SEED_1_OPENING = (
    "Belarus and China Plan on Increasing Ties\n\n"
    "Belarus is expanding ties with China. During a meeting earlier this month with Li Zhanshu, "
    "the chairman of the Standing Committee of the National People’s Congress of China, "
    "Belarusian President Alexander Lukashenko confirmed his country’s commitment to "
    "strengthening ties with China. \n\n"
    "“Expanding ties with China has been a foreign policy priority for us. Thanks to joint "
    "efforts, the notion of ‘a comprehensive strategic partnership’ has acquired a special "
    "meaning in relations between Belarus and China,” Lukashenko said in a quote that BelTA news "
    "agency was able to record. \n\n"
)
