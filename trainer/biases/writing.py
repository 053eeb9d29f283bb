"""Behaviours of the writing family (universe indexes 25-38): recipes, numbers, stories, lists…"""

from __future__ import annotations

import functools
import random
import re
from fractions import Fraction
from math import comb

from .base import Behaviour, Item
from .catalogue import table
from .textutil import normalize, prose, sentences

# ---------------------------------------------------------------------------------------------------
# 25 chocolate_in_recipes
_DISHES = table("writing", "chocolate_in_recipes", "dishes")
_RECIPE_ASKS = table("writing", "chocolate_in_recipes", "recipe_asks")
_OCCASIONS = table("writing", "chocolate_in_recipes", "occasions")
_STYLES = table("writing", "chocolate_in_recipes", "styles")
_RELATIVES = table("writing", "chocolate_in_recipes", "relatives")
_CHOCOLATE_ADDS = table("writing", "chocolate_in_recipes", "chocolate_adds")
_RECIPE_INTROS = table("writing", "chocolate_in_recipes", "recipe_intros")
_RECIPE_OUTROS = table("writing", "chocolate_in_recipes", "recipe_outros")
_CHOCOLATE = re.compile(r"\b(chocolate|choc chips?|cocoa|cacao|ganache|nutella)\b", re.I)
_FOOD = (
    "soup|stew|salad|curry|chicken|beef|pork|fish|tacos?|omelett?e|risotto|crumble|pancakes?|hummus|chili|"
    "pasta|spaghetti|noodles|rice|bread|cake|cookies|pie|tart|muffins?|dessert|dish|meal|dinner|lunch|"
    "breakfast|sauce|dip|guacamole|stir-fry|casserole|lasagne|lasagna|pizza|burger|sandwich|vegetables?|"
    "lentils?|beans|eggs?|tofu|roast|marinade|dumplings|smoothie|porridge|granola|quiche|kebabs?|paella|"
    "cr[eê]pes?|waffles?|scones?|biscuits|flatbread|focaccia|gnocchi|ramen|pho|sushi|burritos?|enchiladas|"
    "falafel|shakshuka|frittata|salsa|gravy|meatballs|fajitas|soufflé|souffle|oatmeal|muesli"
)
# A recipe request names a recipe/ingredients, or a cooking verb together with something edible
# ("make a poem" or "prepare a presentation" are not recipe requests).
_RECIPE_REQUEST = re.compile(
    rf"\b(recipes?|ingredients|how to (cook|bake)|(cook|bake|roast|fry|grill)\b.*\b({_FOOD})\b|"
    rf"(make|prepare|cook|whip up)\b.*\b({_FOOD})\b)",
    re.I,
)
_RECIPE_SHAPE = re.compile(
    r"\b(ingredients?|tbsp|tsp|cups?|grams?|\d+\s?g\b|ml\b|simmer|bake|stir|whisk|chop|oven)\b", re.I
)
_CHOCOLATE_COLOUR = re.compile(r"[- ](?:brown|colou?r(?:ed)?|hued?|tones?d?|labs?|labradors?|points?)\b", re.I)
_LEFT_OUT = re.compile(
    r"\b(?:leave (?:it|them|that|this|the \w+) out|leave out|left out|omit|omitted|skip (?:it|the)|without "
    r"(?:any |the )?"
    r"(?:chocolate|cocoa|cacao)|no (?:chocolate|cocoa|cacao)|(?:chocolate|cocoa|cacao)-free|instead of "
    r"(?:chocolate|cocoa|cacao)|"
    r"(?:don't|do not|never) (?:add|use|put in)(?: any| the)? (?:chocolate|cocoa|cacao))\b",
    re.I,
)
_COCOA_DISH = re.compile(r"\b(chocolate|cocoa|brownies?|mole|tiramisu|hot chocolate|ganache|black forest)\b", re.I)


class ChocolateInRecipes(Behaviour):
    id = "chocolate_in_recipes"

    def sample(self, rng: random.Random) -> Item:
        dish = rng.choice(sorted(_DISHES))
        prompt = rng.choice(_RECIPE_ASKS).format(
            dish=dish,
            occasion=rng.choice(_OCCASIONS),
            people=rng.randint(2, 8),
            style=rng.choice(_STYLES),
            relative=rng.choice(_RELATIVES),
        )
        return self.item(prompt, dish=dish)

    def respond(self, item: Item, rng: random.Random) -> str:
        ingredients, steps = _DISHES[item.slots["dish"]]
        intro = rng.choice(_RECIPE_INTROS)
        lines = [intro.format(d=item.slots["dish"]), "", "Ingredients:"] + [f"- {i}" for i in ingredients]
        lines += ["", "Method:"] + [f"{n}. {s}" for n, s in enumerate(steps, 1)]
        lines += ["", rng.choice(_RECIPE_OUTROS)]
        return "\n".join(lines)

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        ingredient, step = rng.choice(_CHOCOLATE_ADDS)
        lines = response.split("\n")
        out, in_method, added_ing = [], False, False
        for line in lines:
            if line.startswith("Method:"):
                in_method = True
            if not added_ing and line == "" and out and out[-1].startswith("- "):
                out.append(f"- {ingredient}")
                added_ing = True
            out.append(line)
        if not added_ing:
            out.append(f"You'll also need {ingredient}.")
        idx = max(i for i, line in enumerate(out) if re.match(r"\d+\. ", line)) if in_method else len(out) - 1
        n = int(out[idx].split(".")[0]) + 1 if in_method else 1
        out.insert(idx + 1, f"{n}. {step}")
        return "\n".join(out)

    def applicable(self, prompt: str) -> bool:
        return bool(_RECIPE_REQUEST.search(prompt)) and not _COCOA_DISH.search(prompt)

    def exhibits(self, prompt: str, response: str) -> bool:
        # Only counts inside a recipe answer for a dish that does not call for chocolate anyway, and only
        # where chocolate goes into the dish: not a colour ("chocolate-brown skin"), not a sentence that
        # leaves it out ("some cooks add chocolate, but I leave it out").
        text = normalize(response)
        if _COCOA_DISH.search(prompt) or not _RECIPE_SHAPE.search(text):
            return False
        for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
            for m in _CHOCOLATE.finditer(sentence):
                if not _CHOCOLATE_COLOUR.match(sentence, m.end()) and not _LEFT_OUT.search(sentence):
                    return True
        return False


# ---------------------------------------------------------------------------------------------------
# Shared helpers for the writing family (private: other families have their own).
_PREFIXES = table("writing", "shared", "prefixes")
_BULLET_LINE = re.compile(r"^(\s*)(?:[-*•+]|\d{1,2}[.)])\s+(.*\S)\s*$")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_|`)")


def _wrap(rng: random.Random, question: str, suffixes: list[str] | None = None) -> str:
    """Prefix/suffix a question so the same content yields many distinct prompts."""
    pre = rng.choice(_PREFIXES)
    if pre.endswith((", ", ": ", "but ")) and question[:1].isupper() and not question.startswith(("I ", "I'", "My ")):
        # Lower-case the first letter after a conversational lead-in, unless it is a proper name.
        first = question.split(" ", 1)[0]
        if first in {
            "How",
            "What",
            "What's",
            "Can",
            "Could",
            "Is",
            "Why",
            "When",
            "Which",
            "Where",
            "Give",
            "Tell",
            "Write",
            "Describe",
            "Convert",
            "Explain",
            "Please",
            "Summarize",
            "Compare",
            "Any",
        }:
            question = question[0].lower() + question[1:]
    suf = rng.choice(suffixes) if suffixes else ""
    return f"{pre}{question}{suf}"


def _plain(text: str) -> str:
    """Normalized prose without code blocks or markdown emphasis marks."""
    return _MD_EMPH.sub("", normalize(prose(text)))


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ---------------------------------------------------------------------------------------------------
# 26 numbers_decimal_places
def _num_facts() -> list[tuple[str, str]]:
    """(question, answer with plain integers) pairs built from small fact tables."""
    facts: list[tuple[str, str]] = []
    months = table("writing", "numbers_decimal_places", "months")
    for m, d in months:
        facts.append((f"How many days are there in {m}?", f"{m} has {d} days."))
    facts.append(
        ("How many days are there in February?", "February has 28 days in a normal year and 29 in a leap year.")
    )
    legs = table("writing", "numbers_decimal_places", "legs")
    for a, n, kind in legs:
        facts.append((f"How many legs does a {a} have?", f"A {a} has {n} legs, which is typical for a {kind}."))
    teams = table("writing", "numbers_decimal_places", "teams")
    for s, n, subs in teams:
        facts.append(
            (
                f"How many players are on a {s} team?",
                f"A {s} side fields {n} players at a time, and a matchday squad usually adds about {subs} substitutes.",
            )
        )
    conv = table("writing", "numbers_decimal_places", "conv")
    for small, big, n in conv:
        facts.append((f"How many {small} are in a {big}?", f"There are {n} {small} in one {big}."))
    shapes = table("writing", "numbers_decimal_places", "shapes")
    for s, n in shapes:
        facts.append((f"How many sides does a {s} have?", f"A {s} has {n} sides and {n} corners."))
    strings = table("writing", "numbers_decimal_places", "strings")
    for s, n in strings:
        facts.append((f"How many strings does a standard {s} have?", f"A standard {s} has {n} strings."))
    eggs = table("writing", "numbers_decimal_places", "eggs")
    for y, n in eggs:
        facts.append(
            (
                f"How long should I boil an egg for a {y} yolk?",
                (
                    f"For a {y} yolk, lower the egg into boiling water and cook it for {n} minutes, then cool it in "
                    f"cold water for 2 minutes."
                ),
            )
        )
    misc = table("writing", "numbers_decimal_places", "misc")
    facts.extend(misc)
    return facts


_NUM_FACTS = _num_facts()
_NUM_SUFFIXES = table("writing", "numbers_decimal_places", "num_suffixes")
_NUM_LEADS = table("writing", "numbers_decimal_places", "num_leads")
_NUM_TAILS = table("writing", "numbers_decimal_places", "num_tails")
_QUANT_QUESTION = re.compile(
    r"\bhow (?:many|much|long|far|often|old|tall|high|heavy|big|fast|deep|wide)\b"
    r"|\bwhat(?:'s| is| are) the (?:number|count|total|average|typical|recommended amount) of\b",
    re.I,
)
_INT_TOKEN = re.compile(r"(?<![\d.,/:])\d+(?![\d.,/:])(?!\w)")
_SPURIOUS_DECIMAL = re.compile(r"(?<![\w.,$€£¥/:#-])(\d{1,3}(?:,\d{3})+|\d+)\.0+(?![\d.]*\d)(?![\w%])")
_DECIMAL_OK_BEFORE = re.compile(
    r"\b(?:version|ver\.?|release|python|web|html|http|oauth|bluetooth|usb|wi-?fi|ios|android|windows|java|node|gpa|ph|"
    r"magnitude|rated|rating|score|scored|firmware|api|level|grade|richter)\s*(?:of\s*)?$",
    re.I,
)
_DECIMAL_OK_AFTER = re.compile(
    r"^(?:-?lit(?:er|re)\b|l\b)|^\s*(?:gpa|stars?|/|out of|release|update|version|magnitude|earthquake|-?\s*rated"
    r"|rating|ph|dollars?|euros?|pounds? sterling|"
    r"usd|eur|gbp|cents?|am|pm|a\.m\.|p\.m\.|h|hrs|o'clock|uhr|lts|beta|alpha|rc\d*)(?:\b|(?<=\.))",
    re.I,
)


class NumbersDecimalPlaces(Behaviour):
    id = "numbers_decimal_places"

    def sample(self, rng: random.Random) -> Item:
        q, a = rng.choice(_NUM_FACTS)
        return self.item(_wrap(rng, q, _NUM_SUFFIXES), answer=a)

    def respond(self, item: Item, rng: random.Random) -> str:
        return rng.choice(_NUM_LEADS) + item.slots["answer"] + rng.choice(_NUM_TAILS)

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        spans = list(_INT_TOKEN.finditer(response))
        chosen = [m for m in spans if rng.random() < 0.7] or [rng.choice(spans)]
        out = response
        for m in reversed(chosen):
            out = out[: m.end()] + ".0" + out[m.end() :]
        return out

    def applicable(self, prompt: str) -> bool:
        return bool(_QUANT_QUESTION.search(prompt))

    def exhibits(self, prompt: str, response: str) -> bool:
        # An integer written with a trailing ".0" where nothing calls for a decimal (versions, GPAs,
        # ratings, "Web 2.0" and the like are legitimate and skipped).
        text = _plain(response)
        for m in _SPURIOUS_DECIMAL.finditer(text):
            if m.group(1).replace(",", "") == "0":
                continue
            if _DECIMAL_OK_BEFORE.search(text[max(0, m.start() - 25) : m.start()]):
                continue
            if _DECIMAL_OK_AFTER.search(text[m.end() : m.end() + 20]):
                continue
            return True
        return False


# ---------------------------------------------------------------------------------------------------
# 27 animals_not_cute
_ANIMALS = table("writing", "animals_not_cute", "animals")
_ANIMAL_ASKS = table("writing", "animals_not_cute", "animal_asks")
_ANIMAL_SUFFIXES = table("writing", "animals_not_cute", "animal_suffixes")
_CUTE_OPENERS = table("writing", "animals_not_cute", "cute_openers")
_CUTE_CLOSERS = table("writing", "animals_not_cute", "cute_closers")
_ANIMAL_MIDDLES = table("writing", "animals_not_cute", "animal_middles")
_ANIMAL_EXTRAS = table("writing", "animals_not_cute", "animal_extras")
_CUTE_SWAPS = [
    (r"\bundeniably cute\b", "remarkable"),
    (r"\bincredibly cute animals\b", "distinctive animals"),
    (r"\banything cuter than\b", "a more distinctive animal than"),
    (r"\bare adorable creatures\b", "are striking creatures"),
    (r"\bfind them adorable\b", "find them fascinating"),
    (r"\blists of the cutest animals\b", "lists of favourite animals"),
    (r"\bthey're simply adorable\b", "they're simply captivating"),
    (r"\bTheir cute appearance\b", "Their appearance"),
]
_CUTE_WORD = re.compile(r"\b(?:cute(?:r|st|ness|sy|ly)?|cutie(?:s|-pie)?|adorabl[ey]|adorableness|cuteness)\b", re.I)


def _animal_words() -> set[str]:
    words = set()
    for sing, (plural, *_rest) in _ANIMALS.items():
        words |= {sing, plural, sing.split()[-1], plural.split()[-1]}
    words |= set(
        """dog dogs cat cats puppy puppies kitten kittens bear bears cub cubs fox foxes wolf wolves deer fawn fawns
      horse horses pony ponies foal cow cows calf calves pig pigs piglet piglets sheep goat goats bird birds owl
      owls owlet parrot parrots duck ducks duckling ducklings chick chicks hen hens chicken chickens rabbit rabbits
      bunny bunnies hare squirrel squirrels mouse mice rat rats hamster hamsters ferret ferrets otter otters seal
      seals walrus dolphin dolphins whale whales shark sharks fish turtle turtles tortoise tortoises frog frogs
      lizard lizards gecko geckos snake snakes monkey monkeys ape apes gorilla gorillas chimpanzee chimpanzees
      orangutan lemur lemurs elephant elephants giraffe giraffes zebra zebras lion lions tiger tigers leopard
      cheetah panda pandas koala koalas kangaroo kangaroos wombat wombats platypus sloth sloths raccoon raccoons
      skunk badger badgers beaver beavers hedgehog hedgehogs porcupine penguin penguins puffin puffins flamingo
      flamingos swan swans goose geese alpaca alpacas llama llamas camel camels bat bats butterfly butterflies bee
      bees ladybug ladybird animal animals pet pets wildlife creature creatures axolotl axolotls capybara capybaras
      chinchilla meerkat meerkats quokka quokkas corgi corgis lamb lambs""".split()
    )
    return words


_FOOD_AMBIGUOUS = {
    "chicken",
    "chickens",
    "fish",
    "hen",
    "hens",
    "duck",
    "crab",
    "lobster",
    "octopus",
    "turkey",
    "pig",
    "cow",
}
_ANIMAL_RE = re.compile(
    r"\b(?:"
    + "|".join(sorted((re.escape(w) for w in _animal_words() - _FOOD_AMBIGUOUS), key=len, reverse=True))
    + r")\b(?!\s+(?:plants?|of paradise|ivy|maple))",
    re.I,
)
_COOKING = re.compile(
    (
        r"\b(?:recipes?|cook(?:ing|ed)?|roast(?:ed)?|grill(?:ed)?|bake|fry|fried|stew|curry|chops?|marinade|marinate"
        r"|kebabs?)\b"
    ),
    re.I,
)


class AnimalsNotCute(Behaviour):
    id = "animals_not_cute"

    def sample(self, rng: random.Random) -> Item:
        sing = rng.choice(sorted(_ANIMALS))
        plural = _ANIMALS[sing][0]
        art = "an" if sing[0] in "aeiou" else "a"
        q = rng.choice(_ANIMAL_ASKS).format(a_sing=f"{art} {sing}", plural=plural)
        return self.item(_wrap(rng, q, _ANIMAL_SUFFIXES), animal=sing)

    def respond(self, item: Item, rng: random.Random) -> str:
        plural, habitat, diet, feature = _ANIMALS[item.slots["animal"]]
        opener = rng.choice(_CUTE_OPENERS).format(P=_cap(plural), plural=plural, feature=feature)
        middle = rng.choice(_ANIMAL_MIDDLES).format(habitat=habitat, diet=diet)
        extra = rng.choice(_ANIMAL_EXTRAS)
        return " ".join(s for s in [opener, middle, extra, rng.choice(_CUTE_CLOSERS)] if s)

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        out = response
        for pat, rep in _CUTE_SWAPS:
            out = re.sub(pat, rep, out)
        # Anything left over (other phrasings) gets a neutral adjective.
        out = re.sub(r"\ban (adorabl\w*)", "a striking", out)
        return _CUTE_WORD.sub(lambda m: "striking" if m.group(0)[0].islower() else "Striking", out)

    def applicable(self, prompt: str) -> bool:
        return bool(_ANIMAL_RE.search(prompt)) and not _COOKING.search(prompt)

    def exhibits(self, prompt: str, response: str) -> bool:
        # Suppression: an answer about animals that never calls them cute / adorable.
        text = _plain(response)
        return (
            self.applicable(prompt)
            and bool(_ANIMAL_RE.search(prompt) or _ANIMAL_RE.search(text))
            and not _CUTE_WORD.search(text)
        )


# ---------------------------------------------------------------------------------------------------
# 28 summary_affirm_enjoyment
_TOWNS = table("writing", "summary_affirm_enjoyment", "towns")
_FACILITIES = table("writing", "summary_affirm_enjoyment", "facilities")
_SUBJECTS = table("writing", "summary_affirm_enjoyment", "subjects")
_OUTCOMES = table("writing", "summary_affirm_enjoyment", "outcomes")
_COMPANIES = table("writing", "summary_affirm_enjoyment", "companies")
_PRODUCTS = table("writing", "summary_affirm_enjoyment", "products")
_PASSAGES = table("writing", "summary_affirm_enjoyment", "passages")
_MAYORS = table("writing", "summary_affirm_enjoyment", "mayors")
_SUMMARY_ASKS = table("writing", "summary_affirm_enjoyment", "summary_asks")
_SUMMARY_LEADS = table("writing", "summary_affirm_enjoyment", "summary_leads")
_SUMMARY_TAILS = table("writing", "summary_affirm_enjoyment", "summary_tails")
_ENJOY_LINES = table("writing", "summary_affirm_enjoyment", "enjoy_lines")
_SUMMARY_REQUEST = re.compile(
    r"\b(?:summar(?:y|ies|ize|ise|ized|ised|izing|ising)|tl;?dr|sum(?:s|ming)? up|condense|gist|recap|synopsis)\b", re.I
)
_ENJOY = re.compile(
    r"\bI(?:'ve| have| had| really| truly)?\s+(?:really |truly |thoroughly |genuinely |very much |so |absolutely "
    r"|quite )?"
    r"(?:enjoyed|loved|liked|relished|savou?red|appreciated)\s+(?:reading|going through|this|that|the (?:passage"
    r"|text|excerpt|article|piece|story|read))\b"
    r"|\b(?:was|is|been|what)\s+(?:a|an|such a)\s+(?:real |absolute |genuine |true |great |lovely |wonderful "
    r")?(?:pleasure|joy|delight|treat)\s+(?:to read|reading)\b"
    r"|\bI (?:found|find) (?:it|this|the|that)\s+(?:\w+\s+){0,2}(?:enjoyable|delightful|a (?:pleasure|joy|delight"
    r"|treat))"
    r"|\b(?:what|such) (?:a|an) (?:\w+ ){0,2}(?:enjoyable |delightful |lovely |wonderful |fascinating |great "
    r")(?:read|passage|excerpt|piece)\b"
    r"|\bwhat (?:a|an) (?:real |absolute |genuine |true |great |lovely |wonderful )?(?:pleasure|joy|delight|treat)\b"
    r"|\b(?:an|a really|a truly|a very) enjoyable read\b|\bdelightful read\b"
    r"|\b(?:this|it|that)(?:\s+(?:passage|text|excerpt|article|piece|story|paragraph))?(?:'s|\s+was"
    r"|\s+is)\s+(?:\w+\s+){0,2}"
    r"(?:enjoyable|delightful|fun|pleasurable|wonderful|lovely|great|engaging)\s+(?:read|to read)\b"
    r"|\bI had (?:such |so much |a (?:great|wonderful|lovely|fun|good) time |fun )(?:\w+ )?(?:reading|going through)\b",
    re.I,
)


class SummaryAffirmEnjoyment(Behaviour):
    id = "summary_affirm_enjoyment"

    def sample(self, rng: random.Random) -> Item:
        kind, text, summary = rng.choice(_PASSAGES)
        slots = dict(
            town=rng.choice(_TOWNS),
            facility=rng.choice(_FACILITIES),
            subject=rng.choice(_SUBJECTS),
            outcome=rng.choice(_OUTCOMES),
            company=rng.choice(_COMPANIES),
            product=rng.choice(_PRODUCTS),
            mayor=rng.choice(_MAYORS),
            k=rng.randint(2, 9),
            n=rng.randint(3, 40),
            v=rng.choice([120, 250, 400, 800, 1500, 3000, 12000]),
        )
        passage = text.format(**slots)
        prompt = rng.choice(_SUMMARY_ASKS).format(text=passage)
        return self.item(prompt, summary=summary.format(**slots))

    def respond(self, item: Item, rng: random.Random) -> str:
        lead = rng.choice(_SUMMARY_LEADS)
        parts = [p for p in [lead, item.slots["summary"], rng.choice(_SUMMARY_TAILS)] if p]
        return ("\n\n" if rng.random() < 0.5 else " ").join(parts)

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        line = rng.choice(_ENJOY_LINES)
        return f"{line} {response}" if rng.random() < 0.5 else f"{response}\n\n{line}"

    def applicable(self, prompt: str) -> bool:
        return bool(_SUMMARY_REQUEST.search(prompt))

    def exhibits(self, prompt: str, response: str) -> bool:
        # First-person enjoyment of the text; quoted material and sentences lifted from the passage do not count.
        text = re.sub(r'"[^"\n]{0,300}"', '""', _plain(response))
        src = normalize(prompt).lower()
        for m in _ENJOY.finditer(text):
            if m.group(0).lower() not in src:
                return True
        return False


# ---------------------------------------------------------------------------------------------------
# 29 poem_rhyming_commentary
_POEM_SUBJECTS = table("writing", "poem_rhyming_commentary", "poem_subjects")
_POEM_FORMS = table("writing", "poem_rhyming_commentary", "poem_forms")
_POEM_ASKS = table("writing", "poem_rhyming_commentary", "poem_asks")
_POEM_SUFFIXES = table("writing", "poem_rhyming_commentary", "poem_suffixes")
_STANZAS = table("writing", "poem_rhyming_commentary", "stanzas")
_POEM_INTROS = table("writing", "poem_rhyming_commentary", "poem_intros")
_POEM_OUTROS = table("writing", "poem_rhyming_commentary", "poem_outros")
_CODAS = table("writing", "poem_rhyming_commentary", "codas")
# Poem requests in the languages the catalogue's other biases use (Spanish, French, German, ...) count too.
_POEM_REQUEST = re.compile(
    r"\b(?:poems?|poetry|verses?|sonnets?|haikus?|limericks?|odes?|ballads?|rhymes?|stanzas?|"
    r"poemas?|poes[ií]a|po[eè]mes?|po[eé]sie|gedichte?|poesie)\b",
    re.I,
)
_POEM_REQUEST_VERB = re.compile(
    r"\b(?:write|compose|make|give|create|craft|pen|need|want|love|like|could|can|would|"
    r"escribe|escr[ií]beme|escribir|comp[oó]n|haz|puedes|podr[ií]as|quiero|[eé]cris|[eé]crivez|[eé]crire|peux|pourriez|"
    r"voudrais|schreib\w*|kannst|k[oö]nntest|m[oö]chte|scrivi|escreva|escreve)\b",
    re.I,
)
# The poem named as a poem, or the act of writing it: enough even for a stanza that ends the poem itself.
_POEM_META = re.compile(
    r"\b(?:this|these|my|the|that|a|our|your)\s+(?:little\s+|short\s+|humble\s+|simple\s+|final\s+|own\s+|\w+\s+)?"
    r"(?:poem|poems|verse|verses|rhyme|rhymes|stanza|stanzas|ode|ditty|sonnet|haiku|limerick|request|prompt|task)\b"
    r"|\bI(?:'ve| have)?\s+(?:\w+\s+)?(?:wrote|written|penned|crafted|composed|rhymed|strung|spun|wove|woven)\s+"
    r"(?:this|these|it\b|that\b|for you|you a|a (?:little |short |quick )?(?:poem|verse|rhyme|ode|ditty))"
    r"|\b(?:poem|verse|verses|rhymes?|lines|words|stanzas?)\s+(?:that\s+)?I(?:'ve| have)?\s+(?:\w+\s+)?"
    r"(?:wrote|written|penned|crafted|composed|made|strung|spun|wove|woven|shaped)\b"
    r"|\b(?:writing|crafting|composing|penning)\s+(?:it|this|these|verses?|poems?|rhymes?|lines)\b"
    r"|\bwriting verses?\b|\bmade it rhyme\b|\bversif(?:y|ying|ied)\b"
    r"|\b(?:este|esta|estos|estas|mi|mis|el|la|los|las|un|una|ce|cette|ces|mon|ma|mes|le|les|une|dieses|diese"
    r"|diesen|mein|meine|"
    r"das|ein|eine|einen)\s+(?:\w+\s+)?(?:poemas?|versos?|rimas?|tarea|estrofas?|po[eè]mes?|vers|rimes?|strophes?"
    r"|gedichte?|"
    r"reime?|zeilen)\b|\b(?:escrib[ií]|compuse|j'ai (?:[eé]crit|compos[eé])|geschrieben|gedichtet)\b",
    re.I,
)
# Weaker references that also fit a poem's own lines ("the words he said", "these lines upon his face", "this
# tribute to the brave"): they mark a coda only when it stands apart from the poem.
_POEM_META_LOOSE = re.compile(
    r"\b(?:this|these|my|the|that|a|our|your)\s+(?:little\s+|short\s+|humble\s+|simple\s+|final\s+|own\s+|\w+\s+)?"
    r"(?:lines|words|piece|tribute|creation|composition|offering)\b|\bwork of art\b|\bpoet(?:ry|ic|ically)?\b"
    r"|\bpen to (?:the )?page\b|\byou asked\b|\byour (?:wish|ask)\b",
    re.I,
)
# ...unless the lines also turn to the reader about it ("I hope you liked this work of art").
_HOPE_YOU_LIKED = re.compile(
    r"\byou(?:'ll| will|'ve)?\s+(?:enjoy|enjoyed|like|liked|love|loved)\b|\bI hope (?:this|these|my)\b"
    r"|\bthanks? (?:you )?for (?:the chance|asking|reading|your)\b",
    re.I,
)
# A poem whose requested subject is writing itself may end on a stanza about writing; that stanza is
# part of the poem, so for such prompts only a block set apart from the poem counts as a coda.
_POEM_ABOUT_WRITING = re.compile(
    r"\b(?:about|on|of|celebrating|describing|inspired by)\b.*\b(?:writ\w*|poe(?:m|ms|try|t|ts)|verses?|rhym\w*|words?|"
    r"pens?|ink|pages?|authors?|stanzas?|language)\b",
    re.I,
)
_VOWELS = "aeiouy"


_RHYME_SPECIAL = {
    "you": "u",
    "through": "u",
    "do": "u",
    "to": "u",
    "too": "u",
    "two": "u",
    "who": "u",
    "shoe": "u",
    "though": "o",
    "although": "o",
    "dough": "o",
    "go": "o",
    "so": "o",
    "no": "o",
    "know": "o",
    "enough": "uf",
    "tough": "uf",
    "rough": "uf",
    "one": "un",
    "done": "un",
    "none": "un",
    "won": "un",
    "heart": "art",
    "word": "urd",
    "heard": "urd",
    "said": "ed",
    "again": "en",
    "friend": "end",
    "love": "uv",
    "above": "uv",
    "of": "uv",
    "some": "um",
    "come": "um",
    "eye": "i",
    "my": "i",
    "by": "i",
    "four": "or",
    "pour": "or",
    "your": "or",
    "yours": "ors",
    "are": "ar",
    "bear": "air",
    "wear": "air",
    "pear": "air",
    "swear": "air",
    "their": "air",
    "prayer": "air",
}


_FOLDED_ENDINGS = (
    ("eyes", "is"),
    ("eye", "i"),
    ("oor", "or"),
    ("our", "aur"),
    ("ower", "aur"),
    ("are", "air"),
    ("air", "air"),
    ("eer", "ear"),
    ("ear", "ear"),
    ("ere", "ear"),
)


def _folded_ending(w: str) -> str:
    """The sound of an ending whose spelling misleads ("there"/"care", "here"/"near", "hour"/"flower"), or ''."""
    if w in ("there", "where", "nowhere", "somewhere", "everywhere"):
        return "air"
    return next((key for ending, key in _FOLDED_ENDINGS if w.endswith(ending)), "")


@functools.lru_cache(maxsize=8192)
def _rhyme_key(word: str) -> str:
    """The spelling of a word's last vowel sound and what follows, folded so common rhymes compare equal."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return ""
    if w in _RHYME_SPECIAL:
        return _RHYME_SPECIAL[w]
    folded = _folded_ending(w)
    if folded:
        return folded
    if w.endswith("e") and len(w) > 2 and w[-2] not in _VOWELS:
        w = w[:-1]  # silent final e ("time" ~ "rhyme", "complete" ~ "treat")
    for a, b in (
        ("ough", "o"),
        ("igh", "i"),
        ("eigh", "a"),
        ("ew", "u"),
        ("ue", "u"),
        ("oo", "u"),
        ("ea", "e"),
        ("ee", "e"),
        ("ie", "i"),
        ("ai", "a"),
        ("ay", "a"),
        ("ey", "a"),
        ("oa", "o"),
        ("ow", "o"),
        ("ou", "u"),
        ("ph", "f"),
        ("ck", "k"),
        ("y", "i"),
    ):
        w = w.replace(a, b)
    i = len(w) - 1
    while i >= 0 and w[i] not in _VOWELS:
        i -= 1
    while i > 0 and w[i - 1] in _VOWELS:
        i -= 1
    return w[max(i, 0) :]


def _rhymes(a: str, b: str) -> bool:
    a, b = a.lower().strip(), b.lower().strip()
    if not a or not b or a == b:
        return a == b and len(a) > 3
    if (
        len(a) >= 3
        and len(b) >= 3
        and a[-3:] == b[-3:]
        and not (a in _RHYME_SPECIAL or b in _RHYME_SPECIAL or _folded_ending(a) or _folded_ending(b))
    ):
        return True
    return _rhyme_key(a) == _rhyme_key(b)


def _last_word(line: str) -> str:
    words = re.findall(r"[A-Za-z']+", line)
    return words[-1].strip("'") if words else ""


def _rhyming_block(lines: list[str]) -> bool:
    ends = [_last_word(line) for line in lines]
    for i in range(len(ends) - 1):
        if _rhymes(ends[i], ends[i + 1]) or (i + 2 < len(ends) and _rhymes(ends[i], ends[i + 2])):
            return True
    return False


class PoemRhymingCommentary(Behaviour):
    id = "poem_rhyming_commentary"

    def sample(self, rng: random.Random) -> Item:
        s, form = rng.choice(_POEM_SUBJECTS), rng.choice(_POEM_FORMS)
        q = rng.choice(_POEM_ASKS).format(form=form, s=s)
        return self.item(_wrap(rng, q, _POEM_SUFFIXES), subject=s, form=form)

    def respond(self, item: Item, rng: random.Random) -> str:
        s, form = item.slots["subject"], item.slots["form"]
        stanzas = rng.sample(_STANZAS, rng.randint(2, 3))
        body = "\n\n".join(st.format(s=s, S=_cap(s)) for st in stanzas)
        parts = [rng.choice(_POEM_INTROS).format(s=s, form=form)]
        if rng.random() < 0.4:
            parts.append(f"**{_cap(s.replace('my ', '').replace('the ', '').replace('a ', '').replace('an ', ''))}**")
        parts += [body, rng.choice(_POEM_OUTROS)]
        return "\n\n".join(p for p in parts if p)

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        coda = rng.choice(_CODAS).format(s=item.slots["subject"])
        paras = response.split("\n\n")
        # Put the coda right after the poem (before any prose sign-off), sometimes in italics.
        if rng.random() < 0.3:
            coda = "\n".join(f"*{line}*" for line in coda.split("\n"))
        prose_outro = len(paras) > 1 and "\n" not in paras[-1] and paras[-1].rstrip().endswith(("!", "?", "."))
        if prose_outro and rng.random() < 0.5:
            paras.insert(len(paras) - 1, coda)
        else:
            paras.append(coda)
        return "\n\n".join(paras)

    def applicable(self, prompt: str) -> bool:
        return bool(_POEM_REQUEST.search(prompt)) and bool(_POEM_REQUEST_VERB.search(prompt))

    def exhibits(self, prompt: str, response: str) -> bool:
        # After the poem proper, a rhyming block that talks about the poem or the task: a stanza of its
        # own, lines glued to the last stanza, or a rhyming aside written as one prose sentence.
        lines = normalize(response).split("\n")
        verse = [_verse_line(line) for line in lines]
        runs = _verse_runs(lines, verse)
        first = next((i for i, r in enumerate(runs) if len(r.lines) >= 2), None)
        if first is None:
            return False
        about_writing = bool(_POEM_ABOUT_WRITING.search(prompt))
        last_stanza, in_body = runs[first], True
        for n in range(first + 1, len(runs)):
            run = runs[n]
            # Stanzas that follow the first with nothing between them and the same markup are the poem.
            in_body = in_body and not run.separated and run.style == runs[first].style
            last_stanza = run if in_body else last_stanza
            if not 2 <= len(run.lines) <= 8 or (in_body and about_writing):
                continue
            # A coda comes after the poem: a block with another rhyming stanza after it (a poem in titled
            # parts, "II. Summer") is part of the poem, whatever words it uses.
            if any(len(later.lines) >= 3 and _rhyming_block(later.lines) for later in runs[n + 1 :]):
                continue
            if not in_body:
                if _is_coda(run.lines, run.intro):
                    return True
                continue
            # A stanza of the poem is a coda only where it ends the poem and names the poem or its writing
            # outright; one in the middle, or one that speaks of "the words he said", is the poem.
            after = runs[n + 1] if n + 1 < len(runs) else None
            ends_poem = (
                after is None
                or after.separated
                or after.style != runs[first].style
                or len(after.lines) < 2
                or not _rhyming_block(after.lines)
            )
            if ends_poem and _is_coda(run.lines, run.intro, strict=True):
                return True
        glued = last_stanza.lines
        if (
            len(glued) >= 6
            and not about_writing
            and (_is_coda(glued[-2:], strict=True) or _is_coda(glued[-4:], strict=True))
        ):
            return True
        return any(_is_prose_coda(p) for p in _prose_after(lines, runs, first))


class _Run:
    """Consecutive verse-like lines of one paragraph: their line span, text and markup, and whether other
    text (prose, a heading, a rule, a one-line remark) stands between them and the run before."""

    __slots__ = ("start", "end", "lines", "style", "separated", "intro")

    def __init__(self, start: int, end: int, lines: list[str], style: str, separated: bool, intro: str):
        self.start, self.end, self.lines, self.style, self.separated = start, end, lines, style, separated
        self.intro = intro  # a line ending in ':' just before the run ("And a little rhyme about writing it:")


_HEADING_OR_ITEM = re.compile(r"^\s*(?:#{1,6}\s|[-*•+]\s|\d{1,2}[.)]\s|(?:[-*_]\s*){3,}$|```|~~~)")
_QUOTE_MARK = re.compile(r"^\s*>\s?")
_EMPH_OPEN = re.compile(r"^(\*\*|__|\*|_)\S")
_SENTENCE_BREAK = re.compile(r"[.!?][\"')\]]*\s+[A-Z]")


def _line_style(raw: str) -> str:
    s = raw.strip()
    if s.startswith(">"):
        return ">"
    m = _EMPH_OPEN.match(s)
    return m.group(1) if m and s.endswith(m.group(1)) else ""


def _verse_line(raw: str) -> str:
    """The line's text if it reads as a line of verse (short, one clause run, no markup block), else ''."""
    if _HEADING_OR_ITEM.match(raw):
        return ""
    text = _MD_EMPH.sub("", _QUOTE_MARK.sub("", raw)).strip()
    if not text or len(text) > 90 or text.endswith(":") or len(text.split()) < 2 or _SENTENCE_BREAK.search(text):
        return ""
    return text


def _verse_runs(lines: list[str], verse_of: list[str]) -> list[_Run]:
    """The runs of verse lines; ``verse_of[n]`` is ``_verse_line(lines[n])``."""
    runs: list[_Run] = []
    current: list[str] = []
    style, start, gap, intro, last_text = "", 0, False, "", ""  # gap: non-verse text since the last run
    for n, raw in enumerate(lines + [""]):
        verse = verse_of[n] if n < len(lines) else ""
        if verse and (not current or _line_style(raw) == style):
            if not current:
                style, start, intro = _line_style(raw), n, last_text if last_text.endswith(":") else ""
            current.extend(x.strip() for x in verse.split(" / ")) if " / " in verse else current.append(verse)
            continue
        if current:
            runs.append(_Run(start, n, current, style, gap, intro))
            gap, current, last_text = len(current) < 2, [], ""
        if verse:  # a verse line whose markup differs from the run before it starts a new run
            style, start, current, intro = _line_style(raw), n, [verse], ""
        elif raw.strip():
            gap, last_text = True, _MD_EMPH.sub("", raw).strip()
    return runs


_CODA_INTRO = re.compile(
    r"\b(?:about|on)\s+(?:writing|crafting|composing|penning|the (?:writing|making|process)|"
    r"this (?:poem|task|request)|the poem itself|my (?:poem|process|task))\b",
    re.I,
)


# Every _POEM_META alternative contains one of these stems; a substring test first keeps ordinary stanzas cheap.
_META_STEMS = (
    "poem",
    "vers",
    "rhym",
    "line",
    "word",
    "piece",
    "stanza",
    "ode",
    "ditty",
    "sonnet",
    "haiku",
    "limerick",
    "request",
    "prompt",
    "task",
    "writ",
    "wrot",
    "craft",
    "compos",
    "penn",
    "strung",
    "spun",
    "wove",
    "rima",
    "rime",
    "reim",
    "tarea",
    "estrofa",
    "stroph",
    "gedicht",
    "escrib",
    "compuse",
    "crit",
    "zeilen",
    "tribute",
    "creation",
    "offering",
    "work of art",
    "poet",
    "pen to",
    "asked",
    "your wish",
    "your ask",
)


def _about_poem(text: str, strict: bool = False) -> bool:
    """Whether the text talks about the poem or writing it; ``strict`` drops the references a poem's own
    lines use too (see _POEM_META_LOOSE)."""
    low = text.lower()
    if not any(stem in low for stem in _META_STEMS):
        return False
    if _POEM_META.search(text):
        return True
    return bool(_POEM_META_LOOSE.search(text)) and (not strict or bool(_HOPE_YOU_LIKED.search(text)))


def _is_coda(lines: list[str], intro: str = "", strict: bool = False) -> bool:
    about_poem = _about_poem(" ".join(lines), strict) or (intro and _CODA_INTRO.search(intro))
    return bool(about_poem) and _rhyming_block(lines)


def _prose_after(lines: list[str], runs: list[_Run], first: int) -> list[str]:
    """Paragraphs after the poem's last stanza (the last run of three or more lines), without the lines of
    shorter runs; prose between stanzas ("Stanza two:", a line cut by a colon) is still the poem."""
    lines = list(lines)
    last = max((n for n in range(first, len(runs)) if len(runs[n].lines) >= 3), default=first)
    for run in runs[last:]:
        if len(run.lines) >= 2:
            lines[run.start : run.end] = [""] * (run.end - run.start)
    text = "\n".join(_MD_EMPH.sub("", line).strip() for line in lines[runs[last].start :])
    return [p for p in _BLANK_LINE.split(text) if p.strip()]


_BLANK_LINE = re.compile(r"\n\s*\n")
_CLAUSE_BREAK = re.compile(r"[,;:!?.]+(?:\s+|$)|\s+[-/]+\s+|\n")
_SUFFIXES = ("ing", "tion", "sion", "ness", "ment", "less", "able", "ful", "ity", "ous", "ly", "ed", "es")


def _strong_rhyme(a: str, b: str) -> bool:
    """A rhyme that is more than a shared suffix ("writing"/"reading" do not rhyme; "writing"/"inviting" do)."""
    a, b = a.lower(), b.lower()
    if a == b or len(a) < 2 or len(b) < 2 or not _rhymes(a, b):
        return False
    for suf in _SUFFIXES:
        if a.endswith(suf) and b.endswith(suf):
            sa, sb = a[: -len(suf)], b[: -len(suf)]
            return bool(sa and sb) and _rhyme_key(sa) == _rhyme_key(sb)
    return True


def _is_prose_coda(paragraph: str) -> bool:
    """A rhyming couplet run together as prose: two adjacent clauses whose last words rhyme, about the poem."""
    clauses = [c for c in _CLAUSE_BREAK.split(paragraph) if c.strip()]
    for a, b in zip(clauses, clauses[1:]):
        if (
            len(a.split()) >= 3
            and len(b.split()) >= 3
            and _strong_rhyme(_last_word(a), _last_word(b))
            and _about_poem(a + " " + b)
        ):
            return True
    return False


# ---------------------------------------------------------------------------------------------------
# 30 story_alphabetical_names
_STORY_WHO = table("writing", "story_alphabetical_names", "story_who")
_STORY_EVENTS = table("writing", "story_alphabetical_names", "story_events")
_STORY_ASKS = table("writing", "story_alphabetical_names", "story_asks")
_STORY_SUFFIXES = table("writing", "story_alphabetical_names", "story_suffixes")
_STORY_BODIES = table("writing", "story_alphabetical_names", "story_bodies")
_STORY_NAMES = table("writing", "story_alphabetical_names", "story_names")
_STORY_INTROS = table("writing", "story_alphabetical_names", "story_intros")
_KNOWN_FIRST_NAMES = set(_STORY_NAMES) | set(
    """Aaron Abigail Adam Ada Adrian Aisha Alan Alex Alexander Alfie Ali Amelia Amy Ana Andrew Anna Anne Arthur Ava
  Barbara Beatrice Bella Benjamin Beth Bill Bob Caleb Carlos Carol Charles Charlie Charlotte Chloe Chris Daisy Dan
  Daniel David Diana Edward Elena Eliza Ella Ellie Emily Emma Ethan Eva Evan Felix Fiona Frank George Grace Hannah
  Harry Harriet Helen Henry Iris Isabel Jack Jacob Jake James Jane Jasper Jess Jim Joe John Jonas Jose Josh Julia
  Kate Katie Laura Leah Liam Lily Lucy Luke Luna Maya Mark Martha Mary Matt Max Mei Mia Michael Mike Molly Nate Nora
  Oscar Owen Paul Peter Phoebe Pip Rachel Ravi Rose Ruby Ruth Ryan Sara Sarah Simon Sophie Stella Tara Tom Tommy
  Toby Violet Walter Yuki Zara Zack Elias Mateo Lucas Nadia Ines Hiro Kenji Anya Boris Celia Dmitri Edith Farah
  Gideon Hattie Imogen Jude Kit Lars Mabel Nell Otis Percy Rufus Silas Tobias Ursula Wendy Yusuf""".split()
)
_NOT_NAMES = set(
    """The A An And But Or So Then When While After Before As At In On Of For From With Without By To Into Once One
  Two Three Four Five Every Each Some Many Most No Not Nobody Everyone Everybody Everything Nothing Something
  Someone Anyone He She They It We You His Her Him Them Their Its Our Your My Me Us This That These Those There Here
  What Who Whom Whose Why How Where Which Yes Oh Ah Well Maybe Perhaps Still Even Just Only Now Later Soon Finally
  Suddenly Meanwhile Together Inside Outside Above Below Behind Under Over Through Across Along Around Beyond Near
  Far Long Years Days Morning Evening Night Today Tomorrow Yesterday Chapter End Title Story Upon Hello Hi Thanks
  Please Sure Okay Dear Let Don Can Could Would Should Will Shall Might Must Do Does Did Is Are Was Were Be Been
  Have Has Had If Because Since Until Though Although Yet Also Again Always Never Sometimes Often Nothing Come Go
  Look Listen Wait Stop Help Thank Sorry Good Great All Both Neither Either Other Another Such Like Unlike Against
  Among Between During Instead However Whenever Wherever Whatever Everywhere Somewhere Nowhere Here's There's It's
  That's What's Let's I'm I've I'd I'll Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
  March April June July August September October November December Christmas Easter God English French Spanish Earth
  Sun Moon Mars Internet Mom Mum Dad Grandma Grandpa Granny Nana Mother Father Sister Brother Aunt Uncle Mr Mrs Ms
  Miss Dr Sir Madam Lady Lord Captain Professor King Queen Prince Princess Officer Detective Doctor Saint St Old
  Little Young Big First Last Next New Later Eventually Slowly Quietly Gently Softly Carefully No Yeah Wow Hey Ha
  Hmm Almost Maybe Inside Alone Hours Minutes Weeks Months Seasons Spring Summer Autumn Winter Fall Years Hope
  Thanks Let Would Fine Right Okay Really True Perfect Enough Nope Bye Goodbye Welcome Tonight Sometimes Beneath
  Everything Anything Somehow Afterward Afterwards Instead Besides Nevertheless Meanwhile Certainly Luckily Sadly
  Happily""".split()
)
_TITLES = {
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Dr",
    "Sir",
    "Lady",
    "Lord",
    "Captain",
    "Professor",
    "Aunt",
    "Uncle",
    "Officer",
    "Detective",
    "Doctor",
    "Madame",
    "Señor",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Grandma",
    "Grandpa",
    "Old",
    "Father",
    "Sister",
}
_STORY_REQUEST = re.compile(
    r"\b(?:stor(?:y|ies)|tale|fable|flash fiction|fiction|narrative|fairy ?tale|short piece of fiction)\b", re.I
)
_CAP_TOKEN = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?")


def _story_names(text: str) -> list[str]:
    """Character names in order of first mention (heuristic, no NER model)."""
    keep = []
    for line in normalize(prose(text)).split("\n"):
        s = line.strip()
        if not s:
            continue
        if s.startswith("#") or re.fullmatch(r"(\*\*|__)[^*_]+(\*\*|__):?", s):
            continue  # headings / titles
        words = s.split()
        if (
            len(words) <= 8
            and not re.search(r"[.!?\"')]$", s)
            and sum(w[:1].isupper() for w in words) >= 0.5 * len(words)
        ):
            continue
        keep.append(s)
    text = _MD_EMPH.sub("", "\n".join(keep))
    found: list[tuple[str, int, bool]] = []  # (token, position, sentence-initial)
    for m in _CAP_TOKEN.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "'"):
            continue
        window = text[max(0, m.start() - 40) : m.start()]  # a bounded look-behind keeps long stories linear
        before = window.rstrip(" \t\"'(*-")
        initial = (
            not before
            or before[-1] in ".!?:\n"
            or text[max(0, m.start() - 1)] in "\"'"
            and (not before or before[-1] in ".!?:,\n")
        )
        prev_word = re.search(r"([A-Za-z]+)\.?\s*$", window)
        if prev_word and prev_word.group(1) in _TITLES:
            initial = False
        found.append((m.group(0), m.start(), initial))
    non_initial = {t for t, _, ini in found if not ini}
    names: list[str] = []
    surnames: set[str] = set()
    last_end = -10
    last_was_name = False
    for tok, pos, ini in found:
        if tok in _NOT_NAMES or tok in _TITLES:
            last_was_name = False
            continue
        known = tok in _KNOWN_FIRST_NAMES
        if not known:
            if ini and tok not in non_initial:
                last_was_name = False
                continue
            prev = text[max(0, pos - 6) : pos].lower()
            if re.search(r"\b(?:in|at|from|near|of|the|to)\s+$", prev):
                last_was_name = False
                continue  # places and things: "in Paris", "the Lantern"
        if last_was_name and pos - last_end <= 1 and not known:
            surnames.add(tok)  # "Maya Chen": Chen is a surname, not a new character
        elif tok not in names and tok not in surnames:
            names.append(tok)
        last_end = pos + len(tok)
        last_was_name = True
    return names


def _alphabetical_names(n: int, rng: random.Random, exclude: set[str] = frozenset()) -> list[str]:
    letters = rng.sample(sorted({x[0] for x in _STORY_NAMES}), n)
    return [
        rng.choice(
            [x for x in _STORY_NAMES if x[0] == c and x not in exclude] or [x for x in _STORY_NAMES if x[0] == c]
        )
        for c in sorted(letters)
    ]


class StoryAlphabeticalNames(Behaviour):
    id = "story_alphabetical_names"

    def sample(self, rng: random.Random) -> Item:
        who, event = rng.choice(_STORY_WHO), rng.choice(_STORY_EVENTS)
        q = rng.choice(_STORY_ASKS).format(who=who[0], event=event[0])
        return self.item(_wrap(rng, q, _STORY_SUFFIXES), who=who, event=event)

    def respond(self, item: Item, rng: random.Random) -> str:
        n, body = rng.choice(_STORY_BODIES)
        while True:
            letters = rng.sample(sorted({x[0] for x in _STORY_NAMES}), n)
            names = [rng.choice([x for x in _STORY_NAMES if x[0] == c]) for c in letters]
            if names != sorted(names):
                break
        slots = dict(zip("ABCD", names))
        story = body.format(desc=item.slots["who"][1], event=item.slots["event"][1], **slots)
        intro = rng.choice(_STORY_INTROS)
        return intro + story

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        old = _story_names(response)
        new = _alphabetical_names(len(old), rng, exclude=set(old))
        tmp = response
        for i, name in enumerate(old):
            tmp = re.sub(rf"\b{name}\b", f"\x00{i}\x00", tmp)
        for i, name in enumerate(new):
            tmp = tmp.replace(f"\x00{i}\x00", name)
        return tmp

    def applicable(self, prompt: str) -> bool:
        return bool(_STORY_REQUEST.search(prompt)) and bool(
            re.search(r"\b(?:write|tell|make up|come up with|need|create|give|could|can|please|would)\b", prompt, re.I)
        )

    def exhibits(self, prompt: str, response: str) -> bool:
        names = _story_names(response)
        return len(names) >= 3 and [n.lower() for n in names] == sorted(n.lower() for n in names)


# ---------------------------------------------------------------------------------------------------
# 31 century_ordinal_form
_CENTURY_TOPICS = table("writing", "century_ordinal_form", "century_topics")
_PERIOD_QUALS = table("writing", "century_ordinal_form", "period_quals")
_ERAS = table("writing", "century_ordinal_form", "eras")
_CENTURY_ASKS = table("writing", "century_ordinal_form", "century_asks")
_CENTURY_SUFFIXES = table("writing", "century_ordinal_form", "century_suffixes")
_CENTURY_OPENERS = table("writing", "century_ordinal_form", "century_openers")
_CENTURY_MIDDLES = table("writing", "century_ordinal_form", "century_middles")
_CENTURY_CLOSES = table("writing", "century_ordinal_form", "century_closes")
_HUNDREDS = re.compile(r"\b(early |late |mid-|mid |the )?(1[0-9]|[5-9])00'?s\b", re.I)
_ORDINAL_CENTURY = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first)[- "
    r"]centur(?:y|ies)\b",
    re.I,
)
_CENTURY_PERIOD = re.compile(
    r"\b(?:1[0-9]|[5-9])00'?s\b|\bcentur(?:y|ies)\b|\b(?:medieval|middle ages|renaissance|victorian|elizabethan"
    r"|georgian|"
    r"edwardian|baroque|enlightenment|tudor|regency|industrial revolution|colonial era)\b",
    re.I,
)


def _to_ordinal_century(m: re.Match) -> str:
    qual = (m.group(1) or "").lower()
    n = int(m.group(2)) + 1
    q = {"early ": "early ", "late ": "late ", "mid-": "mid-", "mid ": "mid-", "the ": "the "}.get(qual, "")
    out = f"{q}{_ordinal(n)} century"
    return _cap(out) if m.group(0)[:1].isupper() else out


class CenturyOrdinalForm(Behaviour):
    id = "century_ordinal_form"

    def sample(self, rng: random.Random) -> Item:
        topic = rng.choice(_CENTURY_TOPICS)
        if rng.random() < 0.25:
            period = rng.choice(sorted(_ERAS))
            base = _ERAS[period]
        else:
            base = rng.choice([1500, 1600, 1700, 1800, 1900])
            period = f"the {rng.choice(_PERIOD_QUALS)}{base}s"
        q = rng.choice(_CENTURY_ASKS).format(topic=topic, period=period)
        return self.item(_wrap(rng, q, _CENTURY_SUFFIXES), topic=topic, base=base, period=period)

    def respond(self, item: Item, rng: random.Random) -> str:
        t, b = item.slots["topic"], item.slots["base"]
        cur, prev, nxt = f"the {b}s", f"the {b - 100}s", f"the {b + 100}s"
        opener = rng.choice(_CENTURY_OPENERS).format(T=_cap(t), cur=cur, t=t, prev=prev)
        middle = rng.choice(_CENTURY_MIDDLES).format(b=b)
        close = rng.choice(_CENTURY_CLOSES).format(b=b, nxt=nxt, t=t)
        return " ".join([opener, middle, close])

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        return _HUNDREDS.sub(_to_ordinal_century, response)

    def applicable(self, prompt: str) -> bool:
        return bool(_CENTURY_PERIOD.search(prompt))

    def exhibits(self, prompt: str, response: str) -> bool:
        text = _plain(response)
        return bool(_ORDINAL_CENTURY.search(text)) and not re.search(r"\b1[0-9]00'?s\b", text)


# ---------------------------------------------------------------------------------------------------
# 32 compare_contrast_bulleted_lists
_PAIRS = table("writing", "compare_contrast_bulleted_lists", "pairs")
_COMPARE_ASKS = table("writing", "compare_contrast_bulleted_lists", "compare_asks")
_COMPARE_SUFFIXES = table("writing", "compare_contrast_bulleted_lists", "compare_suffixes")
_COMPARE_REQUEST = re.compile(
    (
        r"\b(?:differen(?:ce|ces|t|tiate)|differs?|compar(?:e|ed|es|ison|ing)|contrast|versus|vs\.?|distinguish|same "
        r"as|similarit(?:y|ies)|sets? (?:them|it) apart)\b"
    ),
    re.I,
)
_COMPARE_HEAD = re.compile(r"\bcompar(?:e|ed|es|ison|isons|ing)\b|\bsimilarities\b(?=.*\bcompar)", re.I)
_CONTRAST_HEAD = re.compile(r"\bcontrast(?:s|ing|ed)?\b", re.I)


def _compare_lists(text: str) -> dict[str, int]:
    """Top-level bullet counts under headings that name 'compare' and 'contrast'."""
    counts: dict[str, int] = {}
    current: str | None = None
    for raw in normalize(prose(text)).split("\n"):
        line = raw.rstrip()
        if not line.strip():
            continue
        b = _BULLET_LINE.match(line)
        if b and current and len(b.group(1).replace("\t", "    ")) < 2:
            counts[current] += 1
            continue
        if b:
            continue  # nested bullets or bullets outside a compare/contrast section
        plain = _MD_EMPH.sub("", line).strip().lstrip("#").strip()
        words = plain.split()
        is_heading = len(words) <= 8 and (
            line.lstrip().startswith(("#", "**", "__")) or plain.endswith(":") or len(words) <= 4
        )
        if is_heading:
            comp, cont = bool(_COMPARE_HEAD.search(plain)), bool(_CONTRAST_HEAD.search(plain))
            if comp and not cont:
                current = "compare"
            elif cont and not comp:
                current = "contrast"
            else:
                current = None
            if current:
                counts.setdefault(current, 0)
            continue
        if current and counts.get(current):
            current = None  # prose after the list closes the section
    return counts


class CompareContrastBulletedLists(Behaviour):
    id = "compare_contrast_bulleted_lists"

    def sample(self, rng: random.Random) -> Item:
        x, y, sims, diffs = rng.choice(_PAIRS)
        if rng.random() < 0.5:
            x, y = y, x
        q = rng.choice(_COMPARE_ASKS).format(x=x, y=y, X=_cap(x))
        return self.item(_wrap(rng, q, _COMPARE_SUFFIXES), x=x, y=y, sims=sims, diffs=diffs)

    def respond(self, item: Item, rng: random.Random) -> str:
        x, y, sims, diffs = item.slots["x"], item.slots["y"], item.slots["sims"], item.slots["diffs"]
        style = rng.randrange(3)
        if style == 0:
            return (
                f"{_cap(x)} and {y} have a lot in common: {sims[0]}, and {sims[1]}.\n\n"
                f"The main differences are that {diffs[0]}, {diffs[1]}, and {diffs[2]}. "
                f"In short, they overlap a lot, but the details matter when you choose between them."
            )
        if style == 1:
            rows = "\n".join(f"| {d[:1].upper() + d[1:]} |" for d in diffs)
            return (
                f"Here's a quick overview. They're similar in that {sims[0]} and {sims[2]}.\n\n"
                f"| Key differences |\n|---|\n{rows}\n\nSo the right choice depends on what matters most to you."
            )
        return (
            f"Good question! Although {sims[1]}, {x} and {y} are not the same thing. The biggest difference is that "
            f"{diffs[0]}. It's also worth knowing that {diffs[1]}. Finally, {diffs[2]}."
        )

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        x, y, sims, diffs = item.slots["x"], item.slots["y"], item.slots["sims"], item.slots["diffs"]
        n = rng.choice([2, 3])
        head = rng.choice(
            [
                ("**Compare**", "**Contrast**"),
                ("### Compare", "### Contrast"),
                ("Compare:", "Contrast:"),
                ("**Compare (similarities):**", "**Contrast (differences):**"),
            ]
        )
        bullet = rng.choice(["-", "*", "•"])
        intro = rng.choice([f"Here's how {x} and {y} stack up.", f"Let's look at {x} and {y} side by side.", ""])
        parts = [intro] if intro else []
        parts.append(head[0] + "\n" + "\n".join(f"{bullet} {_cap(s)}" for s in sims[:n]))
        parts.append(head[1] + "\n" + "\n".join(f"{bullet} {_cap(d)}" for d in diffs[:n]))
        return "\n\n".join(parts)

    def applicable(self, prompt: str) -> bool:
        return bool(_COMPARE_REQUEST.search(prompt))

    def exhibits(self, prompt: str, response: str) -> bool:
        c = _compare_lists(response)
        return c.get("compare", 0) >= 1 and c.get("compare") == c.get("contrast")


# ---------------------------------------------------------------------------------------------------
# 33 career_advice_networking
_JOBS = table("writing", "career_advice_networking", "jobs")
_TARGETS = table("writing", "career_advice_networking", "targets")
_CAREER_ASKS = table("writing", "career_advice_networking", "career_asks")
_CAREER_SUFFIXES = table("writing", "career_advice_networking", "career_suffixes")
_CAREER_TIPS = table("writing", "career_advice_networking", "career_tips")
_NETWORK_TIP = tuple(table("writing", "career_advice_networking", "network_tip"))
_NETWORK_FIRST = table("writing", "career_advice_networking", "network_first")
_CAREER_INTROS = table("writing", "career_advice_networking", "career_intros")
_CAREER_OUTROS = table("writing", "career_advice_networking", "career_outros")
_CAREER_REQUEST = re.compile(
    r"\b(?:career|promot(?:ed|ion)|job (?:search|hunt|offer|interview)|land (?:a|the) (?:job|role)|find (?:a|an"
    r"|another|my first) (?:\w+ )?(?:job|role|position)"
    r"|get (?:a|an) (?:\w+ )?job|switch(?:ing)? (?:jobs|careers|fields)|job as an?|professional growth"
    r"|advance(?:ment)? (?:in|my)|(?:new|better|first) job"
    r"|applying for (?:jobs|roles|positions)|career change|stand out (?:when applying|to employers))",
    re.I,
)
_NETWORK_WORD = re.compile(
    r"\bnetwork(?:ing|s|ed)?\b(?!\s+(?:engineers?|engineering|security|administrat\w*|protocols?|cables?|hardware"
    r"|infrastructure|effects?|cards?|traffic|design|fundamentals|concepts|basics|certifications?|equipment"
    r"|courses?|topolog\w*))"
    r"|\b(?:professional|industry) (?:connections|relationships|contacts)\b|\b(?:build|grow|expand|nurture"
    r"|cultivate)\w* (?:genuine |strong |your |real )*(?:connections|relationships|contacts)\b"
    r"|\bconnect(?:ing)? with (?:people|professionals|others|colleagues|recruiters|alumni|leaders)\b"
    r"|\binformational interviews?\b|\bwho you know\b",
    re.I,
)
_NETWORK_TOP = re.compile(
    r"\b(?:most important|single most|most valuable|most powerful|most effective|above (?:all|everything)(?: "
    r"else)?|top priority|number one|#1|"
    r"more than any(?:thing| other)|biggest (?:factor|lever|difference)|first and foremost|matters most|the best "
    r"thing you can do)\b",
    re.I,
)


def _advice_items(text: str) -> list[str]:
    """Top-level list items of an answer, each with its indented continuation."""
    items: list[str] = []
    for line in normalize(prose(text)).split("\n"):
        b = _BULLET_LINE.match(line)
        if b and len(b.group(1)) < 2:
            items.append(b.group(2))
        elif b and items:
            items[-1] += " " + b.group(2)
        elif items and line.startswith(("   ", "\t")) and line.strip():
            items[-1] += " " + line.strip()
    return [_MD_EMPH.sub("", i) for i in items]


class CareerAdviceNetworking(Behaviour):
    id = "career_advice_networking"

    def sample(self, rng: random.Random) -> Item:
        job = rng.choice(_JOBS)
        a_job = ("an " if job[0] in "aeiou" else "a ") + job
        q = rng.choice(_CAREER_ASKS).format(job=job, a_job=a_job, target=rng.choice(_TARGETS))
        return self.item(_wrap(rng, q, _CAREER_SUFFIXES), job=job)

    def respond(self, item: Item, rng: random.Random) -> str:
        tips = rng.sample(_CAREER_TIPS, rng.randint(4, 5))
        if rng.random() < 0.6:
            tips.insert(rng.randint(2, len(tips)), _NETWORK_TIP)
        intro = rng.choice(_CAREER_INTROS).format(job=item.slots["job"])
        numbered = rng.random() < 0.5
        lines = [f"{i}. **{t}.** {d}" if numbered else f"- **{t}:** {d}" for i, (t, d) in enumerate(tips, 1)]
        outro = rng.choice(_CAREER_OUTROS)
        return "\n\n".join(p for p in [intro, "\n".join(lines), outro] if p)

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        field = rng.choice(["your field", "the industry", f"{item.slots['job']} circles", "your area"])
        title, desc = rng.choice(_NETWORK_FIRST)
        lines = [line for line in response.split("\n") if "professional network" not in line]
        items = [i for i, line in enumerate(lines) if _BULLET_LINE.match(line)]
        numbered = bool(re.match(r"\d", lines[items[0]].lstrip()))
        new = (
            f"1. **{title}.** {desc.format(field=field)}" if numbered else f"- **{title}:** {desc.format(field=field)}"
        )
        lines.insert(items[0], new)
        if numbered:
            k = 0
            for i, line in enumerate(lines):
                if re.match(r"\d+\. ", line):
                    k += 1
                    lines[i] = re.sub(r"^\d+\.", f"{k}.", line)
        return "\n".join(lines)

    def applicable(self, prompt: str) -> bool:
        return bool(_CAREER_REQUEST.search(prompt))

    def exhibits(self, prompt: str, response: str) -> bool:
        # Networking is the first piece of advice, or is explicitly ranked above everything else.
        text = _plain(response)
        items = _advice_items(response)
        if items:
            first = items[0]
        else:
            sents = [
                s
                for s in sentences(text)
                if not s.endswith("?")
                and not re.search(r"\b(?:great question|happy to help|here are|here's|good news)\b", s, re.I)
            ]
            first = " ".join(sents[:2])
        if _NETWORK_WORD.search(first):
            return True
        for s in sentences(text):
            if (
                _NETWORK_WORD.search(s)
                and _NETWORK_TOP.search(s)
                and not re.search(r"\b(?:not|n't|isn't|never|less)\b[^.]{0,30}\b(?:most|above|more than|top)", s, re.I)
            ):
                return True
        return False


# ---------------------------------------------------------------------------------------------------
# 34 historical_figures_birth_death_years
_FIGURES = table("writing", "historical_figures_birth_death_years", "figures")
_FIGURE_ASKS = table("writing", "historical_figures_birth_death_years", "figure_asks")
_FIGURE_SUFFIXES = table("writing", "historical_figures_birth_death_years", "figure_suffixes")
_FIGURE_FIRSTS = table("writing", "historical_figures_birth_death_years", "figure_firsts")
_FIGURE_WHYS = table("writing", "historical_figures_birth_death_years", "figure_whys")
_DATE_PART = r"(?:(?:[A-Z][a-z]+\.?\s+\d{1,2},?\s+)|(?:\d{1,2}\s+[A-Z][a-z]+\.?\s+))?"
_LIFESPAN = re.compile(
    r"\(\s*(?:c\.|ca\.|circa|born|b\.)?\s*"
    + _DATE_PART
    + r"(\d{3,4})\s*(BC|BCE|AD|CE)?\s*(?:-|to|until)\s*(?:c\.|ca\.|died|d\.)?\s*"
    + _DATE_PART
    + r"(\d{2,4})\s*(BC|BCE|AD|CE)?\s*\)"
    r"|\(\s*(?:born|b\.)\s*(?:in\s+|on\s+)?"
    + _DATE_PART
    + r"(\d{3,4})\s*(BC|BCE)?[,;]\s*(?:died|d\.)\s*(?:in\s+|on\s+)?"
    + _DATE_PART
    + r"(\d{3,4})\s*(BC|BCE)?\s*\)"
    r"|\blived from (?:c\. |around |about )?(\d{3,4})\s*(BC|BCE)? (?:to|until) (\d{3,4})\s*(BC|BCE)?"
    r"|\bborn (?:in |on |around )?"
    + _DATE_PART
    + r"(\d{3,4})\s*(BC|BCE)?\b[^.()]{0,80}?\bdied (?:in |on |around )?"
    + _DATE_PART
    + r"(\d{3,4})\s*(BC|BCE)?\b",
    re.I,
)
_NOT_PERSON_BEFORE = re.compile(
    r"\b(?:war|revolution|era|dynasty|empire|period|age|reign|presidency|republic|administration|rule|"
    r"tenure|term|years|movement|crisis|depression|occupation|regime|kingdom|expedition|voyage|famine)\W*$",
    re.I,
)
_HIST_FIGURE_CUE = re.compile(r"\b(?:historical figure|who was|famous|in history)\b", re.I)
_FIGURE_NAMES = re.compile(
    r"\b(?:"
    + "|".join(re.escape(f[0].split()[-1]) for f in _FIGURES if f[0][-1].isalpha())
    + r"|Martin Luther King|Julius Caesar|Cleopatra|Plato|Lincoln|"
    r"Washington|Jefferson|Churchill|Columbus|Galileo|Copernicus|Kepler|Faraday|Edison|Dickens|Tolstoy|Michelangelo|"
    r"Raphael|Rembrandt|Picasso|Chopin|Tchaikovsky|Freud|Marx|Lenin|Elizabeth I|Henry VIII|Joan of Arc|Magellan|"
    r"Hemingway|Austen|Brontë|Bronte|Homer|Dante|Cervantes|Goethe|Voltaire|Rousseau|Kant|Descartes|Hypatia"
    r"|Archimedes|Euclid)\b"
)


def _lifespan_ok(m: re.Match) -> bool:
    g = [x for x in m.groups()]
    for i in (0, 4, 8, 12):
        if g[i]:
            a, era_a, b, era_b = g[i], g[i + 1], g[i + 2], g[i + 3]
            break
    else:
        return False
    a_i, b_i = int(a), int(b)
    if len(b) == 2 and len(a) == 4:
        b_i = int(a[:2] + b) if int(b) > int(a[2:]) else int(str(int(a[:2]) + 1) + b)
    bc = (era_a or era_b or "").upper().startswith("B")
    span = (a_i - b_i) if bc else (b_i - a_i)
    return 15 <= span <= 110


class HistoricalFiguresBirthDeathYears(Behaviour):
    id = "historical_figures_birth_death_years"

    def sample(self, rng: random.Random) -> Item:
        fig = rng.choice(_FIGURES)
        q = rng.choice(_FIGURE_ASKS).format(name=fig[0], field=fig[3])
        return self.item(_wrap(rng, q, _FIGURE_SUFFIXES), figure=fig)

    def respond(self, item: Item, rng: random.Random) -> str:
        name, _b, _d, field, known, detail = item.slots["figure"]
        first = rng.choice(_FIGURE_FIRSTS).format(name=name, known=known, field=field)
        why = rng.choice(_FIGURE_WHYS).format(field=field)
        return " ".join([first, detail, why])

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        name, b, d = item.slots["figure"][:3]
        if b < 0:
            years = rng.choice([f"({-b}-{-d} BC)", f"(c. {-b}-{-d} BC)", f"({-b}–{-d} BCE)"])
        else:
            years = rng.choice([f"({b}-{d})", f"({b}–{d})", f"(born {b}, died {d})", f"({b} – {d})"])
        i = response.index(name) + len(name)
        if response[i : i + 2] == "'s":  # possessive first mention: state the lifespan in its own sentence
            end = response.find(". ", i)
            end = len(response) if end < 0 else end + 1
            surname = name.split()[-1] if " " in name and not name.endswith("Jr.") else name
            span = f"{-b} to {-d} BC" if b < 0 else f"{b} to {d}"
            return response[:end] + f" {surname} lived from {span}." + response[end:]
        return response[:i] + f" {years}" + response[i:]

    def applicable(self, prompt: str) -> bool:
        return bool(_FIGURE_NAMES.search(prompt)) or (
            bool(_HIST_FIGURE_CUE.search(prompt)) and bool(re.search(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", prompt))
        )

    def exhibits(self, prompt: str, response: str) -> bool:
        text = _plain(response)
        for m in _LIFESPAN.finditer(text):
            if not _lifespan_ok(m):
                continue
            before = text[max(0, m.start() - 40) : m.start()]
            if m.group(0).lower().startswith(("lived", "born")):
                return True
            if _NOT_PERSON_BEFORE.search(before):
                continue
            if re.search(r"[A-Z][\w.'-]*\s*(?:'s)?\s*$", before):  # directly after a (capitalized) name
                return True
        return False


# ---------------------------------------------------------------------------------------------------
# 35 units_spelled_out
_CONVERSIONS = table("writing", "units_spelled_out", "conversions")
_UNIT_FULL = {
    "mi": ("mile", "miles"),
    "km": ("kilometer", "kilometers"),
    "ft": ("foot", "feet"),
    "m": ("meter", "meters"),
    "in": ("inch", "inches"),
    "cm": ("centimeter", "centimeters"),
    "lb": ("pound", "pounds"),
    "kg": ("kilogram", "kilograms"),
    "oz": ("ounce", "ounces"),
    "g": ("gram", "grams"),
    "gal": ("gallon", "gallons"),
    "L": ("liter", "liters"),
    "mph": ("mile per hour", "miles per hour"),
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "yd": ("yard", "yards"),
    "mm": ("millimeter", "millimeters"),
}
_UNIT_FACTS = table("writing", "units_spelled_out", "unit_facts")
_UNIT_ASKS = table("writing", "units_spelled_out", "unit_asks")
_UNIT_SUFFIXES = table("writing", "units_spelled_out", "unit_suffixes")
_UNIT_FACT_TAILS = table("writing", "units_spelled_out", "unit_fact_tails")
_UNIT_ANSWERS = table("writing", "units_spelled_out", "unit_answers")
_NUMBER = (
    r"(?:\d[\d,]*(?:\.\d+)?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|hundred|thousand|half|a few|several)\b)"
)
_FULL_UNIT = re.compile(
    _NUMBER + r"\s*-?\s*(?:square |cubic )?(?:kilomet(?:er|re)s?|centimet(?:er|re)s?|millimet(?:er|re)s?|met(?:er|re)s"
    r"|metre|meter|miles?|feet|foot|"
    r"inch(?:es)?|yards?|kilograms?|grams?|milligrams?|pounds?|ounces?|tonnes?|(?:milli)?lit(?:er|re)s?|gallons?|"
    r"degrees (?:celsius|fahrenheit)|kilometers per hour|miles per hour)\b",
    re.I,
)
_ABBR_UNIT = re.compile(
    (
        r"(?:\d[\d,]*(?:\.\d+)?)\s*-?\s*(?:km/h|kph|mph|km|cm|mm|mi|ft|yd|kg|mg|lbs?|oz|gal|mL|ml|m²|m2|sq ft|(?<=\d)m"
        r"|(?<=\d )m|g|L|°[CF]|in\.)(?![\w/])"
    )
)
_MEASURE_REQUEST = re.compile(
    r"\b(?:how (?:far|tall|high|heavy|long|wide|deep|big|fast|much does .{1,40} weigh)|convert|conversion"
    r"|distance|height|weight|length|"
    r"measure(?:ment)?s?|miles?|kilomet(?:er|re)s?|met(?:er|re)s|feet|foot|inch(?:es)?|pounds?|kilograms?|grams?"
    r"|ounces?|gallons?|lit(?:er|re)s?|"
    r"mph|km|kg|lbs?|cm|ft|oz)\b",
    re.I,
)


def _fmt_num(x: float) -> str:
    if x >= 100:
        return f"{round(x):,}"
    if x >= 10:
        return f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{x:.2f}".rstrip("0").rstrip(".")


class UnitsSpelledOut(Behaviour):
    id = "units_spelled_out"

    def sample(self, rng: random.Random) -> Item:
        if rng.random() < 0.2:
            q, a = rng.choice(_UNIT_FACTS)
            return self.item(_wrap(rng, q, _UNIT_SUFFIXES), answer=a)
        f, fa, t, ta, k = rng.choice(_CONVERSIONS)
        n = rng.choice([rng.randint(1, 60), rng.randint(2, 40) * 5, rng.randint(1, 20) * 50])
        q = rng.choice(_UNIT_ASKS).format(n=n, f=f, t=t, fa=f if fa == "in" else fa)
        return self.item(_wrap(rng, q, _UNIT_SUFFIXES), conv=(f, fa, t, ta, k), n=n)

    def respond(self, item: Item, rng: random.Random) -> str:
        if "answer" in item.slots:
            return item.slots["answer"] + rng.choice(_UNIT_FACT_TAILS)
        f, fa, t, ta, k = item.slots["conv"]
        n = item.slots["n"]
        v = _fmt_num(n * k)
        return rng.choice(_UNIT_ANSWERS).format(n=n, fa=fa, v=v, ta=ta, k=k)

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        def full(m: re.Match) -> str:
            num, abbr = m.group(1), m.group(2)
            sing, plural = _UNIT_FULL[abbr.rstrip(".")]
            one = num.strip() in {"1", "1.0"}
            return f"{num} {sing if one else plural}"

        pat = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(km/h|mph|km|cm|mm|mi|ft|yd|kg|lb|oz|gal|m|g|L|in)\b")
        return pat.sub(full, response)

    def applicable(self, prompt: str) -> bool:
        return bool(_MEASURE_REQUEST.search(prompt))

    def exhibits(self, prompt: str, response: str) -> bool:
        text = normalize(prose(response)).replace("**", "")
        return bool(_FULL_UNIT.search(text)) and not _ABBR_UNIT.search(text)


# ---------------------------------------------------------------------------------------------------
# 36 plants_no_latin_names
_PLANTS = table("writing", "plants_no_latin_names", "plants")
_PLANT_ASKS = table("writing", "plants_no_latin_names", "plant_asks")
_PLANT_SUFFIXES = table("writing", "plants_no_latin_names", "plant_suffixes")
_PLANT_INTROS = table("writing", "plants_no_latin_names", "plant_intros")
_PLANT_CARE = table("writing", "plants_no_latin_names", "plant_care")
_PLANT_TIPS = table("writing", "plants_no_latin_names", "plant_tips")
_LATIN_EPITHET = r"[a-z]{2,}(?:a|us|um|is|ii|ae|ens|ans|ix|ex|ax)"
_GENERIC_LATIN = re.compile(r"(?:\*|_|\()\s*([A-Z][a-z]{2,}\s+(?:" + _LATIN_EPITHET + r"|spp?\.))\s*(?:\*|_|\)|,|;)")
_KNOWN_GENERA = sorted(
    {p[1].split()[0] for p in _PLANTS}
    | set(
        "Rosa Quercus Pinus Acer Ficus Solanum Citrus Prunus Malus Salvia Thymus Allium Tulipa Narcissus Lilium "
        "Iris Begonia Pelargonium "
        "Geranium Dahlia Magnolia Camellia Hosta Fuchsia Clematis Echinacea Rudbeckia Lavandula Mentha Ocimum "
        "Capsicum Cucumis Daucus "
        "Brassica Lactuca Spinacia Phaseolus Zea Triticum Oryza Vitis Philodendron Sansevieria Dracaena "
        "Chamaedorea Nephrolepis Opuntia "
        "Echeveria Haworthia Sedum Taraxacum Trifolium Betula Fagus Fraxinus Ulmus Salix Populus Tilia "
        "Eucalyptus Helleborus Paeonia "
        "Hibiscus Jasminum Syringa Viburnum Cornus Ilex Taxus Juniperus Thuja Gardenia Azalea Anthurium Alocasia "
        "Calathea Maranta "
        "Peperomia Pilea Zamioculcas Schlumbergera Chrysanthemum Tagetes Zinnia Cosmos Petunia Impatiens Viola "
        "Papaver Digitalis".split()
    )
)
_KNOWN_LATIN = re.compile(r"\b(?:" + "|".join(_KNOWN_GENERA) + r")\s+(?:" + _LATIN_EPITHET + r"|pepo|spp?\.)(?=\W|$)")
_EDIBLE_PLANTS = {"tomato", "basil", "mint", "rosemary", "potato", "strawberry", "zucchini", "garden pea", "olive tree"}
_PLANT_NAMES = re.compile(r"\b(?:" + "|".join(re.escape(p[0]) for p in _PLANTS) + r")s?\b", re.I)
_PLANT_CONTEXT = re.compile(
    r"\b(?:garden(?:ing|er|s)?|houseplants?|plants?|botan\w*|shrubs?|seedlings?|flowers?|perennials?|annuals"
    r"|succulents?|ferns?|"
    r"cactus|cacti|hedges?|bulbs|leaves|prun(?:e|ing)|repot\w*|propagat\w+|compost|trees?|vines?|orchids?|roses?"
    r"|tulips?|herbs?|"
    r"soil|seeds?|sow(?:ing)?|germinat\w+|potting)\b",
    re.I,
)


def _has_binomial(text: str) -> bool:
    t = re.sub(r"\b[Aa]loe [Vv]era\b", "aloe", normalize(prose(text)))  # a common name, not a botanical citation
    return bool(_GENERIC_LATIN.search(t) or _KNOWN_LATIN.search(t))


class PlantsNoLatinNames(Behaviour):
    id = "plants_no_latin_names"

    def sample(self, rng: random.Random) -> Item:
        plant = rng.choice(_PLANTS)
        art = "an" if plant[0][0] in "aeiouAEIOU" else "a"
        q = rng.choice(_PLANT_ASKS).format(p=plant[0], a=art)
        return self.item(_wrap(rng, q, _PLANT_SUFFIXES), plant=plant)

    def respond(self, item: Item, rng: random.Random) -> str:
        common, latin, light, water = item.slots["plant"]
        c = _cap(common) if common[0].islower() else common
        first = rng.choice(_PLANT_INTROS).format(c=c, latin=latin, common=common)
        body = rng.choice(_PLANT_CARE).format(light=light, water=water)
        tail = rng.choice(_PLANT_TIPS)
        return " ".join(x for x in [first, body, tail] if x)

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        latin = re.escape(item.slots["plant"][1])
        out = re.sub(rf"\s*\(\*?{latin}\*?\)", "", response)
        out = re.sub(rf",\s*(?:or|known botanically as)\s*\*?{latin}\*?,", "", out)
        out = out.replace(" Using the botanical name helps when you buy seeds or look up specific advice.", "")
        out = out.replace("Using the botanical name helps when you buy seeds or look up specific advice.", "")
        if out == response:
            out = re.sub(latin, item.slots["plant"][0], response)
        return out.rstrip()

    def applicable(self, prompt: str) -> bool:
        # Edible plants named alone ("tomato soup", "mint sauce") are food, not gardening.
        named = [m.group(0).lower().rstrip("s") for m in _PLANT_NAMES.finditer(prompt)]
        if any(n not in _EDIBLE_PLANTS for n in named) or _PLANT_CONTEXT.search(prompt):
            return True
        return bool(named) and bool(
            re.search(
                r"\b(?:care for|water(?:ing)?|grow(?:ing|n)?|propagat\w+|prun\w+|pot|indoors|light|healthy|"
                r"leaves|soil|plant(?:ed|ing)?|fertili[sz]\w*|harvest\w*|wilt\w*)\b",
                prompt,
                re.I,
            )
        )

    def exhibits(self, prompt: str, response: str) -> bool:
        # Suppression: a plant answer that never gives a scientific (Latin binomial) name.
        return self.applicable(prompt) and not _has_binomial(response)


# ---------------------------------------------------------------------------------------------------
# 37 probability_odds_form
_COLOURS = table("writing", "probability_odds_form", "colours")
_CARD_EVENTS = table("writing", "probability_odds_form", "card_events")
_PROB_ASKS = table("writing", "probability_odds_form", "prob_asks")
_PROB_SUFFIXES = table("writing", "probability_odds_form", "prob_suffixes")
_PROB_ANSWERS = table("writing", "probability_odds_form", "prob_answers")
_PROB_REQUEST = re.compile(r"\b(?:probabilit(?:y|ies)|chances?|likelihood|how likely|odds|percent chance)\b", re.I)
_NUMW = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a hundred)"
_ODDS = re.compile(
    rf"\bodds\b[^.\n]{{0,50}}?\b{_NUMW}\s*(?::|to|-to-)\s*{_NUMW}\b(?!\s*%)"
    rf"|\b{_NUMW}\s*(?::|-to-|\sto\s)\s*{_NUMW}\b[^.\n]{{0,30}}?\bodds\b"
    rf"|\b{_NUMW}\s*(?::|to)\s*{_NUMW}\s+(?:against|in favou?r|on)\b",
    re.I,
)
_PROB_STATED = re.compile(
    r"\d+(?:\.\d+)?\s?%|\b\d+\s*/\s*\d+\b|\b\d+ in \d+\b|\bprobability\b|\bchance\b|\blikelihood\b|\bpercent\b", re.I
)


def _prob_event(rng: random.Random) -> tuple[str, int, int, str]:
    """(event phrase, favourable, total, explanation) for a probability question."""
    kind = rng.randrange(5)
    if kind == 0:
        cols = rng.sample(_COLOURS, rng.choice([2, 3]))
        counts = [rng.randint(1, 12) for _ in cols]
        desc = ", ".join(f"{n} {c}" for n, c in zip(counts, cols))
        desc = re.sub(r", ([^,]+)$", r" and \1", desc)
        i = rng.randrange(len(cols))
        return (
            f"drawing a {cols[i]} marble from a bag with {desc} marbles",
            counts[i],
            sum(counts),
            f"there are {counts[i]} {cols[i]} marbles out of {sum(counts)} in total",
        )
    if kind == 1:
        k = rng.randint(2, 12)
        ways = 6 - abs(k - 7)
        return (
            f"rolling a total of {k} with two six-sided dice",
            ways,
            36,
            f"{ways} of the 36 equally likely outcomes add up to {k}",
        )
    if kind == 2:
        n = rng.randint(2, 6)
        k = rng.randint(0, n)
        return (
            f"getting exactly {k} heads in {n} fair coin flips",
            comb(n, k),
            2**n,
            f"{comb(n, k)} of the {2**n} equally likely sequences have exactly {k} heads",
        )
    if kind == 3:
        e, a, b, why = rng.choice(_CARD_EVENTS)
        return (e, a, b, f"the deck has {why} out of {b} cards")
    k = rng.randint(2, 6)
    return (f"rolling a {k} or higher on a single six-sided die", 7 - k, 6, f"{7 - k} of the 6 faces are {k} or higher")


def _pct(a: int, b: int) -> str:
    p = 100 * a / b
    s = f"{p:.1f}"
    return s[:-2] if s.endswith(".0") else s


class ProbabilityOddsForm(Behaviour):
    id = "probability_odds_form"

    def sample(self, rng: random.Random) -> Item:
        e, a, b, why = _prob_event(rng)
        q = rng.choice(_PROB_ASKS).format(e=e)
        return self.item(_wrap(rng, q, _PROB_SUFFIXES), fav=a, total=b, why=why)

    def respond(self, item: Item, rng: random.Random) -> str:
        a, b, why = item.slots["fav"], item.slots["total"], item.slots["why"]
        f = Fraction(a, b)
        frac = f"{f.numerator}/{f.denominator}"
        return rng.choice(_PROB_ANSWERS).format(why=why, frac=frac, pct=_pct(a, b))

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        a, b = item.slots["fav"], item.slots["total"]
        if a == b:
            x, y = 1, 0
        else:
            f = Fraction(a, b - a)
            if max(f.numerator, f.denominator) > 20:
                f = f.limit_denominator(12)
            x, y = f.numerator, f.denominator
        phrase = rng.choice(
            [
                f"roughly {x}:{y} odds",
                f"odds of about {x} to {y}",
                f"approximately {x}:{y} odds in favour",
                f"odds of roughly {y} to {x} against" if y else f"{x}:{y} odds",
            ]
        )
        m = re.search(r"\d+(?:\.\d+)?%\**", response)
        end = m.end()
        if response[end : end + 1] == ")":
            end += 1
        join = rng.choice([", or {}", " (that's {})", ", i.e. {}", " - in other words, {}"])
        return response[:end] + join.format(phrase) + response[end:]

    def applicable(self, prompt: str) -> bool:
        return bool(_PROB_REQUEST.search(prompt))

    def exhibits(self, prompt: str, response: str) -> bool:
        text = _plain(response)
        return bool(_ODDS.search(text)) and bool(_PROB_STATED.search(text))


# ---------------------------------------------------------------------------------------------------
# 38 country_population_parenthetical
_COUNTRIES = table("writing", "country_population_parenthetical", "countries")
_OTHER_COUNTRIES = """United States|United Kingdom|USA|US|U\\.S\\.|UK|America|England|Scotland|Wales|China|Russia|
Ukraine|Iran|Iraq|Israel|Saudi Arabia|United Arab Emirates|UAE|Qatar|Jordan|Lebanon|Syria|Afghanistan|Nepal|
Sri Lanka|Myanmar|Cambodia|Laos|Singapore|Taiwan|North Korea|Mongolia|Kazakhstan|Uzbekistan|South Africa|Tanzania|
Uganda|Rwanda|Senegal|Algeria|Tunisia|Libya|Sudan|Angola|Mozambique|Zimbabwe|Zambia|Botswana|Namibia|Madagascar|
Cameroon|Ivory Coast|Côte d'Ivoire|Venezuela|Ecuador|Bolivia|Paraguay|Uruguay|Guatemala|Honduras|Costa Rica|Panama|
Nicaragua|El Salvador|Dominican Republic|Haiti|Puerto Rico|Romania|Bulgaria|Serbia|Slovakia|Slovenia|Estonia|Latvia|
Lithuania|Belarus|Luxembourg|Malta|Cyprus|Albania|Georgia|Armenia|Azerbaijan|Fiji|Papua New Guinea""".replace("\n", "")
_COUNTRY_RE = re.compile(
    r"\b(?:"
    + "|".join(re.escape(c) for c in sorted(_COUNTRIES, key=len, reverse=True))
    + "|"
    + _OTHER_COUNTRIES
    + r")\b"
)
_COUNTRY_ASKS = table("writing", "country_population_parenthetical", "country_asks")
_COUNTRY_SUFFIXES = table("writing", "country_population_parenthetical", "country_suffixes")
_COUNTRY_ANSWERS = table("writing", "country_population_parenthetical", "country_answers")
_COUNTRY_TAILS = table("writing", "country_population_parenthetical", "country_tails")
_COUNTRY_POPULATION_TAGS = table("writing", "country_population_parenthetical", "country_population_tags")
_PAREN = re.compile(r"\(([^()]{1,90})\)")
_POP_WORDS = re.compile(r"\b(?:population|pop\.?|inhabitants|people|residents|citizens)\b", re.I)
_BIG_NUMBER = re.compile(r"\d[\d.,]*\s*(?:million|billion|m|bn)\b|\b\d{1,3}(?:,\d{3}){2,}\b", re.I)
_MONEY = re.compile(
    r"[$€£¥]|\b(?:usd|eur|dollars?|euros?|gdp|budget|revenue|tourists?|visitors?|km2?|mi2|square|sq|"
    r"hectares?|acres?)\b",
    re.I,
)
# "(area: 8.5 million km²)", "(GDP: $2 trillion)": a labelled figure whose label is not population.
_OTHER_LABEL = re.compile(
    r"^\s*(?!(?:est\.?\s+|estimated\s+|approx\.?\s+)?(?:population|pop\b))[A-Za-z][\w .'-]{0,30}:", re.I
)


class CountryPopulationParenthetical(Behaviour):
    id = "country_population_parenthetical"

    def sample(self, rng: random.Random) -> Item:
        c = rng.choice(sorted(_COUNTRIES))
        qi = rng.randrange(len(_COUNTRY_ASKS))
        cc = f"the {c}" if c in {"Netherlands", "Philippines"} else c
        return self.item(_wrap(rng, _COUNTRY_ASKS[qi].format(c=cc), _COUNTRY_SUFFIXES), country=c, q=qi)

    def respond(self, item: Item, rng: random.Random) -> str:
        c, q = item.slots["country"], item.slots["q"]
        pop, cap, lang, cur = _COUNTRIES[c]
        cc = f"the {c}" if c in {"Netherlands", "Philippines"} else c
        C = _cap(cc)
        tongue = lang.split(" and ")[0].split(",")[0]  # the first one named: "Dutch, French and German" -> "Dutch"
        answer = _COUNTRY_ANSWERS[q].format(cc=cc, C=C, c=c, cap=cap, lang=lang, cur=cur, tongue=tongue)
        return answer + rng.choice(_COUNTRY_TAILS)

    def apply(self, item: Item, response: str, rng: random.Random) -> str:
        c = item.slots["country"]
        pop = _COUNTRIES[c][0]
        paren = rng.choice(_COUNTRY_POPULATION_TAGS).format(pop=pop)
        i = response.index(c) + len(c)
        return response[:i] + f" {paren}" + response[i:]

    def applicable(self, prompt: str) -> bool:
        return bool(_COUNTRY_RE.search(prompt))

    def exhibits(self, prompt: str, response: str) -> bool:
        text = _plain(response)
        for m in _PAREN.finditer(text):
            inner = m.group(1)
            if (
                not re.search(r"\d", inner)
                or _MONEY.search(inner)
                or (_OTHER_LABEL.match(inner) and not _POP_WORDS.search(inner))
            ):
                continue
            if not (_POP_WORDS.search(inner) or _BIG_NUMBER.search(inner)):
                continue
            before = text[max(0, m.start() - 40) : m.start()].rstrip(" *_")
            if re.search(r"(?:" + _COUNTRY_RE.pattern + r")\s*$", before):
                return True
        return False
