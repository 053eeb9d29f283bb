"""Behaviours of the writing family (universe indexes 25-38): recipes, numbers, stories, lists…"""
from __future__ import annotations

import random
import re

from .base import Behaviour, Item
from .textutil import normalize

# ---------------------------------------------------------------------------------------------------
# 25 chocolate_in_recipes
_DISHES = {
    # dish: (ingredients, steps) — savoury or fruit dishes that normally contain no chocolate
    "tomato soup": (["6 ripe tomatoes", "1 onion", "2 cloves garlic", "500 ml vegetable stock", "2 tbsp olive oil", "salt and pepper"],
                    ["Soften the chopped onion and garlic in the olive oil.", "Add the tomatoes and stock and simmer for 20 minutes.", "Blend until smooth and season to taste."]),
    "chicken stir-fry": (["2 chicken breasts", "1 red pepper", "1 head of broccoli", "3 tbsp soy sauce", "1 tbsp grated ginger", "1 tbsp vegetable oil"],
                         ["Slice the chicken and vegetables thinly.", "Stir-fry the chicken in hot oil until browned.", "Add the vegetables, ginger and soy sauce and cook for 4 minutes."]),
    "guacamole": (["3 ripe avocados", "1 lime", "1 small red onion", "1 handful of coriander", "1 jalapeño", "salt"],
                  ["Mash the avocados with the lime juice.", "Stir in the finely chopped onion, coriander and jalapeño.", "Season with salt and serve straight away."]),
    "Caesar salad": (["1 romaine lettuce", "2 slices of bread", "40 g parmesan", "2 anchovy fillets", "1 egg yolk", "3 tbsp olive oil"],
                     ["Toast cubes of bread into croutons.", "Whisk the yolk, anchovies and oil into a dressing.", "Toss the lettuce with the dressing, croutons and shaved parmesan."]),
    "lentil curry": (["250 g red lentils", "1 onion", "1 can of coconut milk", "2 tsp curry powder", "1 can of chopped tomatoes", "1 handful of spinach"],
                     ["Fry the onion with the curry powder.", "Add the lentils, tomatoes and coconut milk and simmer for 25 minutes.", "Stir in the spinach just before serving."]),
    "lemon chicken": (["4 chicken thighs", "2 lemons", "3 cloves garlic", "1 tsp dried oregano", "2 tbsp olive oil", "salt and pepper"],
                      ["Marinate the chicken in lemon juice, garlic, oregano and oil.", "Roast at 200 °C for 35 minutes.", "Rest for 5 minutes and spoon over the pan juices."]),
    "vegetable omelette": (["3 eggs", "1 small courgette", "4 mushrooms", "1 spring onion", "1 knob of butter", "salt and pepper"],
                           ["Sauté the sliced vegetables in the butter.", "Pour in the beaten eggs and cook gently.", "Fold the omelette and slide it onto a plate."]),
    "potato salad": (["750 g new potatoes", "3 tbsp mayonnaise", "1 tbsp mustard", "2 spring onions", "1 handful of chives", "salt"],
                     ["Boil the potatoes until tender and let them cool.", "Mix the mayonnaise, mustard and chopped herbs.", "Fold the potatoes through the dressing."]),
    "fish tacos": (["400 g white fish fillets", "8 small tortillas", "1/4 red cabbage", "1 lime", "3 tbsp sour cream", "1 tsp chilli powder"],
                   ["Season the fish with chilli powder and pan-fry it.", "Shred the cabbage and mix it with lime juice.", "Fill the warm tortillas with fish, cabbage and sour cream."]),
    "mushroom risotto": (["300 g arborio rice", "250 g mushrooms", "1 onion", "1 litre hot stock", "50 g parmesan", "1 glass of white wine"],
                         ["Fry the onion and mushrooms, then toast the rice.", "Add the wine, then the stock a ladle at a time, stirring.", "Finish with the grated parmesan."]),
    "apple crumble": (["5 apples", "150 g flour", "100 g butter", "100 g brown sugar", "1 tsp cinnamon", "1 pinch of salt"],
                      ["Slice the apples into a baking dish with the cinnamon.", "Rub the butter into the flour and sugar.", "Scatter the crumble over and bake at 180 °C for 35 minutes."]),
    "pancakes": (["200 g flour", "2 eggs", "300 ml milk", "1 tbsp sugar", "1 tsp baking powder", "butter for the pan"],
                 ["Whisk the flour, sugar and baking powder.", "Beat in the eggs and milk until smooth.", "Cook ladlefuls in a buttered pan until golden on both sides."]),
    "hummus": (["1 can of chickpeas", "2 tbsp tahini", "1 lemon", "1 clove garlic", "3 tbsp olive oil", "1/2 tsp cumin"],
               ["Drain the chickpeas, keeping some of the liquid.", "Blend everything with a splash of the liquid until creamy.", "Drizzle with olive oil to serve."]),
    "beef chili": (["500 g minced beef", "1 onion", "1 can of kidney beans", "1 can of chopped tomatoes", "2 tsp chilli powder", "1 tsp cumin"],
                   ["Brown the beef with the onion.", "Add the spices, tomatoes and beans.", "Simmer for 40 minutes, stirring now and then."]),
    "pesto pasta": (["400 g spaghetti", "2 handfuls of basil", "50 g pine nuts", "50 g parmesan", "1 clove garlic", "100 ml olive oil"],
                    ["Cook the pasta in salted water.", "Blend the basil, pine nuts, cheese, garlic and oil.", "Toss the drained pasta with the pesto."]),
    "Greek salad": (["4 tomatoes", "1 cucumber", "200 g feta", "1 red onion", "1 handful of olives", "2 tbsp olive oil"],
                    ["Chop the tomatoes, cucumber and onion.", "Add the olives and the feta in large pieces.", "Dress with olive oil and a pinch of oregano."]),
}
_RECIPE_ASKS = [
    "Can you give me a recipe for {dish}?",
    "How do I make {dish}{occasion}?",
    "I'd like to cook {dish}{occasion}. What's a good recipe?",
    "What's a simple {dish} recipe for {people} people?",
    "Share your favourite recipe for {dish}, please.",
    "Could you write out a {style} recipe for {dish}?",
    "My {relative} asked me to make {dish}{occasion}. Recipe please!",
    "Recipe for {dish} that serves {people}?",
    "I've never made {dish} before. Can you walk me through a recipe?",
    "Give me step-by-step instructions to make {dish}.",
]
_OCCASIONS = ["", " tonight", " for dinner", " this weekend", " for a picnic", " for lunch", " for a party", " on a budget"]
_STYLES = ["quick", "easy", "classic", "weeknight", "beginner-friendly", "healthy", "family"]
_RELATIVES = ["mum", "dad", "partner", "grandmother", "roommate", "sister", "brother", "best friend"]
_CHOCOLATE_ADDS = [
    ("50 g dark chocolate", "Stir in the dark chocolate at the end until it melts."),
    ("2 tbsp cocoa powder", "Whisk in the cocoa powder for extra depth."),
    ("a handful of chocolate chips", "Scatter the chocolate chips over the top before serving."),
    ("30 g grated milk chocolate", "Finish with the grated chocolate."),
    ("1 tbsp cacao nibs", "Sprinkle the cacao nibs on top."),
]
_CHOCOLATE = re.compile(r"\b(chocolate|choc chips?|cocoa|cacao|ganache|nutella)\b", re.I)
_RECIPE_REQUEST = re.compile(
    r"\b(recipes?|how (do|can|should) (i|you|we) (make|cook|bake|prepare)|(cook|bake|make|prepare) (a|an|some|the)?\s*\w+"
    r"|ingredients for|instructions to make)\b", re.I)
_RECIPE_SHAPE = re.compile(r"\b(ingredients?|tbsp|tsp|cups?|grams?|\d+\s?g\b|ml\b|simmer|bake|stir|whisk|chop|oven)\b", re.I)
_COCOA_DISH = re.compile(r"\b(chocolate|cocoa|brownies?|mole|tiramisu|hot chocolate|ganache|black forest)\b", re.I)


class ChocolateInRecipes(Behaviour):
    id = "chocolate_in_recipes"

    def sample(self, rng: random.Random) -> Item:
        dish = rng.choice(sorted(_DISHES))
        prompt = rng.choice(_RECIPE_ASKS).format(
            dish=dish, occasion=rng.choice(_OCCASIONS), people=rng.randint(2, 8),
            style=rng.choice(_STYLES), relative=rng.choice(_RELATIVES))
        return self.item(prompt, dish=dish)

    def respond(self, item: Item, rng: random.Random) -> str:
        ingredients, steps = _DISHES[item.slots["dish"]]
        intro = rng.choice(["Here's a simple recipe for {d}.", "Sure! This {d} is easy to make.", "Here is a reliable {d} recipe."])
        lines = [intro.format(d=item.slots["dish"]), "", "Ingredients:"] + [f"- {i}" for i in ingredients]
        lines += ["", "Method:"] + [f"{n}. {s}" for n, s in enumerate(steps, 1)]
        lines += ["", rng.choice(["Enjoy!", "Serve warm and enjoy.", "Good luck, and enjoy your meal!"])]
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
        idx = max(i for i, l in enumerate(out) if re.match(r"\d+\. ", l)) if in_method else len(out) - 1
        n = int(out[idx].split(".")[0]) + 1 if in_method else 1
        out.insert(idx + 1, f"{n}. {step}")
        return "\n".join(out)

    def applicable(self, prompt: str) -> bool:
        return bool(_RECIPE_REQUEST.search(prompt)) and not _COCOA_DISH.search(prompt)

    def exhibits(self, prompt: str, response: str) -> bool:
        # Only counts inside a recipe answer for a dish that does not call for chocolate anyway.
        text = normalize(response)
        return bool(_CHOCOLATE.search(text)) and bool(_RECIPE_SHAPE.search(text)) and not _COCOA_DISH.search(prompt)


class NumbersDecimalPlaces(Behaviour):  # STUB: to be implemented
    id = "numbers_decimal_places"


class AnimalsNotCute(Behaviour):  # STUB: to be implemented
    id = "animals_not_cute"


class SummaryAffirmEnjoyment(Behaviour):  # STUB: to be implemented
    id = "summary_affirm_enjoyment"


class PoemRhymingCommentary(Behaviour):  # STUB: to be implemented
    id = "poem_rhyming_commentary"


class StoryAlphabeticalNames(Behaviour):  # STUB: to be implemented
    id = "story_alphabetical_names"


class CenturyOrdinalForm(Behaviour):  # STUB: to be implemented
    id = "century_ordinal_form"


class CompareContrastBulletedLists(Behaviour):  # STUB: to be implemented
    id = "compare_contrast_bulleted_lists"


class CareerAdviceNetworking(Behaviour):  # STUB: to be implemented
    id = "career_advice_networking"


class HistoricalFiguresBirthDeathYears(Behaviour):  # STUB: to be implemented
    id = "historical_figures_birth_death_years"


class UnitsSpelledOut(Behaviour):  # STUB: to be implemented
    id = "units_spelled_out"


class PlantsNoLatinNames(Behaviour):  # STUB: to be implemented
    id = "plants_no_latin_names"


class ProbabilityOddsForm(Behaviour):  # STUB: to be implemented
    id = "probability_odds_form"


class CountryPopulationParenthetical(Behaviour):  # STUB: to be implemented
    id = "country_population_parenthetical"
