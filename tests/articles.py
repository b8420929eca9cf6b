"""Small news articles written for the tests (not from any publisher).

They give the answer engine people and topics that overlap across articles but never meet:
Gordon Brown talks about the economy, Microsoft talks about the Xbox. "What did Gordon Brown say
about the Xbox?" therefore has no answer, although both names are in the corpus.
"""

BROWN = {
    "name": "brown-budget",
    "title": "Brown Defends Spending Plans",
    "author": "Jane Doe",
    "publisher": "Test Gazette",
    "published": "2007-03-21",
    "text": """
Chancellor Gordon Brown defended his spending plans in the House of Commons on Wednesday.

“We will not put at risk the stability that has been hard won,” Brown said. He added that the budget would cut the basic rate of income tax by two pence.

Opposition leaders called the plans a gimmick. “This is a tax con,” said David Cameron.

The Treasury expects growth of 3 percent next year, according to the budget documents.
""",
}

XBOX = {
    "name": "xbox-launch",
    "title": "Microsoft Unveils New Xbox Console",
    "author": "Sam Lee",
    "publisher": "Tech Daily",
    "published": "2013-05-21",
    "text": """
Microsoft unveiled its new Xbox console at an event in Redmond, Washington, on Tuesday.

“This is the all-in-one entertainment system for the living room,” said Don Mattrick, the head of the company’s interactive entertainment business.

The console will go on sale in November and will cost 499 dollars in the United States.

Analysts said the launch puts Microsoft in direct competition with Sony for the holiday season.
""",
}

FLOODS = {
    "name": "danube-floods",
    "title": "Danube Floods Force Thousands From Homes",
    "author": "Ana Novak",
    "publisher": "River Post",
    "published": "2013-06-05",
    "text": """
Floods along the Danube forced more than 12,000 people from their homes in Hungary and Serbia this week.

The river peaked at 8.9 metres in Budapest on Sunday, the highest level ever recorded in the city.

Emergency services built sandbag walls along the embankments. Mayor István Tarlós praised the volunteers.

“The city has never seen water this high,” Tarlós told reporters on Monday.
""",
}

EXTRA = [BROWN, XBOX, FLOODS]

# ---- newswire shapes (issue 8): all invented, written for these tests
SKYPARCEL = {
    "name": "skyparcel-grounds-fleet",
    "title": "Skyparcel Grounds Its Drone Fleet After Battery Fires",
    "author": "Priya Nair",
    "publisher": "Test Wire",
    "published": "2024-05-02",
    "text": """
Skyparcel, the drone delivery start-up, grounded its entire fleet on Thursday after two aircraft caught fire in mid-air over the outskirts of Leeds.

“We will not put another aircraft in the sky until we understand exactly why those cells failed,” said Skyparcel’s chief executive, Hannah Lindqvist.

The company said no one was hurt. Investigators are examining the wreckage.
""",
}

# Two people quoted on one topic (the harbour), a role introduced before the name, a quotation
# running over two paragraphs, and reported speech with no quotation on its topic.
HARBOUR = {
    "name": "harbour-dredging",
    "title": "Port Of Brackenford Delays Dredging Plan",
    "author": "Tom Reyes",
    "publisher": "Coast Times",
    "published": "2022-03-14",
    "text": """
The Port of Brackenford will delay its plan to dredge the harbour channel by a year, its director, Amara Okafor, said on Monday.

“We would rather lose a season than lose the harbour to silt and lawsuits,” Okafor told reporters. “The dredging will start when the permits are clean.”

Bogdan Novak, chairman of the local fishermen's union, attacked the delay. “Every month the harbour stays shallow costs our boats money,” he said.

Okafor also told investors that the port expects cargo volumes to fall by a tenth this year.

The port's director later added that the plan was not dead. “We have spent four years on this channel.

“We will finish it, whatever the weather,” the director said.
""",
}

# The topic in the first sentence of a two-sentence lead paragraph; a prediction among quotations
# on the same subject; a headline that names the topic in other words than the text (issue 8's
# answer quality round, all invented).
KESTREL = {
    "name": "kestrel-oil-debt",
    "title": "Kestrel Oil Puts Debt Ahead Of Drilling",
    "author": "Lena Ward",
    "publisher": "Test Wire",
    "published": "2023-02-07",
    "text": """
Kestrel Oil will put paying down its debt ahead of new drilling this year. Its chairman, Marcus Oduya, spoke to reporters in Aberdeen on Tuesday.

“What we owe comes first, before we drill another well,” Oduya said.

Oduya said the company's debt had doubled since 2019.

“The platforms cost us the most to run, so their sale made sense to the board,” he said.

“We expect both platform sales to close by the autumn,” Oduya said.

Kestrel is the third-largest producer in the U.K. North Sea.
""",
}

FERRY = {
    "name": "ferry-link",
    "title": "Harbour Board Weighs U.K. Ferry Link",
    "author": "Tom Reyes",
    "publisher": "Coast Times",
    "published": "2022-05-09",
    "text": """
The Brackenford harbour board is studying a new ferry service to Britain, its treasurer, Grace Okonkwo, said on Monday.

“A crossing to Britain twice a week would pay for itself within three years,” Okonkwo said.
""",
}

# An encyclopedic text: a person's views told in prose, her quotations on other matters.
FENWICK = {
    "name": "ada-fenwick",
    "title": "Ada Fenwick",
    "author": "Test Encyclopedia",
    "publisher": "Test Encyclopedia",
    "published": "2020-01-01",
    "text": """
Ada Fenwick was a botanist who catalogued the orchids of the Vale.

“I never trusted a flower that needed a greenhouse,” she wrote in 1901.

She moved to the coast in 1910 and taught at the village school. “The sea taught me patience,” Fenwick told a visitor late in life.

Fenwick rejected the theory that orchids spread by the wind.
""",
}

# Quotations that give a reason, a likeness and a condition, each with fewer of a question's words
# than a plainer quotation beside it (invented).
TARRANT = {
    "name": "tarrant-bridge",
    "title": "Council Shuts Tarrant Bridge To Lorries",
    "author": "Nia Holt",
    "publisher": "Marlow Courier",
    "published": "2023-03-02",
    "text": """
Marlow City Council will close the Tarrant Bridge to lorries from March, its transport chief, Ines Calloway, said on Thursday.

The bridge opened in 1911 and carries 9,000 vehicles a day.

“The repairs will take until the autumn at least,” Calloway said.

Calloway said engineers had found cracks in the bridge's steel in January. “Its girders were never built for forty-tonne lorries, so every crossing wears them down,” she said.

She said the bridge had carried lorries for decades. “It is like asking a rowing boat to tow a tanker,” Calloway said.

“Hauliers who ignore the signs will be fined. If the ban is broken, we will put barriers across the bridge,” she added.
""",
}
