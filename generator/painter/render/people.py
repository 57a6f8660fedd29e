"""People: a wanderer in hat and cape, a woman, a man, a family side by side, a child with
a balloon, and a scarecrow standing in for one in the fields.

Drawn like the other creatures (creatures.py): silhouettes in body units standing on the
slot's ground. Who the poem names decides which body is drawn. Men and women have
shoulders, a neck and arms hanging free of the body: drawn as one rounded block with the
arms inside it, viewers called them "a shapeless coat blob", "a slab", and chose these in
34 of 36 pairs ("figures have arms and natural poses").
"""

from __future__ import annotations

from dataclasses import replace

from generator.painter.render.canvas import mix
from generator.painter.render.creatures import Figure, standing
from generator.painter.render.registry import renders


STAFF_HAND = (0.26, 0.57)  # body units: the wanderer's hand on the staff (and on a kite's string)


def traveller(f, pen, hat=True, staff=True):
    """A wanderer in a travelling cape, mid-stride, leaning on a staff: the back leg bent,
    pushing off from its toes, the cape's hem swinging back (viewers chose it over the
    straight legs in 26 of 33 pairs: "the walking pose makes the journey feel alive")."""
    f.stroke(pen, [(-0.03, 0.3), (-0.05, 0.15), (-0.13, 0.055)], 0.06, 0.038)  # the back leg, bent
    f.ellipse(pen, -0.115, 0.03, 0.042, 0.016, angle=-0.6)  # pushing off from its toes
    f.stroke(pen, [(0.04, 0.3), (0.08, 0.16), (0.12, 0.025)], 0.06, 0.04)  # the front leg reaching
    f.ellipse(pen, 0.14, 0.016, 0.042, 0.016)
    f.outline(pen, [(0.04, 0.8), (0.11, 0.77), (0.15, 0.62), (0.19, 0.32), (0.2, 0.26), (0.1, 0.245),
                    (-0.06, 0.225), (-0.2, 0.2), (-0.215, 0.25), (-0.18, 0.48), (-0.13, 0.73), (-0.04, 0.8)])
    f.ellipse(pen, 0.01, 0.86, 0.055, 0.066)
    if hat:  # a conical straw hat, low and wide, its sides full and its brim rounded
        f.outline(pen, [(-0.215, 0.842), (-0.205, 0.862), (-0.1, 0.914), (0.01, 0.962), (0.12, 0.914),
                        (0.225, 0.862), (0.235, 0.842), (0.02, 0.856)])
    if staff:
        f.stroke(pen, [(0.08, 0.74), (0.16, 0.62), (0.25, 0.57)], 0.05, 0.04)
        f.ellipse(pen, *STAFF_HAND, 0.03, 0.03)
        f.stroke(pen, [(0.27, 0.95), (0.31, 0.0)], 0.02)


def arm(f, pen, shoulder, elbow, hand, w0=0.052, w1=0.036):
    """An arm hanging from the shoulder, bent a little, with its hand: clear of the body at
    the waist, where the gap between them is what tells a figure from a post."""
    f.stroke(pen, [shoulder, elbow, hand], w0, w1)
    f.ellipse(pen, hand[0], hand[1] - 0.012, w1 * 0.62, w1 * 0.85)


def head(f, pen, x, y, r, tall, angle=0.0):
    """A head centred at (x, y), r wide and `tall` high, with a nose and a jaw on its front:
    the way the face turns, so two figures turned to each other are seen to face each other
    (a round head read as "a faceless couple"; with the profile, 26 of 36 pairs: "couple
    turned toward each other, more emotional")."""
    f.ellipse(pen, x, y, r, tall, angle=angle)
    f.ellipse(pen, x + r * 0.95, y - r * 0.1, r * 0.26, r * 0.2)  # the nose
    f.ellipse(pen, x + r * 0.5, y - r * 0.62, r * 0.5, r * 0.5)  # the jaw, to the chin


def woman(f, pen):
    """A woman in a long dress, fitted at the waist, her weight on one foot."""
    f.ellipse(pen, 0.09, 0.014, 0.04, 0.016)
    f.ellipse(pen, -0.04, 0.014, 0.04, 0.016)
    arm(f, pen, (-0.08, 0.79), (-0.115, 0.645), (-0.1, 0.49), 0.048, 0.032)
    f.outline(pen, [(0.0, 0.82), (0.06, 0.81), (0.09, 0.785), (0.085, 0.7), (0.062, 0.585), (0.085, 0.5),
                    (0.15, 0.25), (0.2, 0.04), (0.05, 0.03), (-0.1, 0.035), (-0.19, 0.05), (-0.13, 0.3),
                    (-0.085, 0.5), (-0.062, 0.585), (-0.085, 0.7), (-0.09, 0.785), (-0.06, 0.81)])
    arm(f, pen, (0.075, 0.79), (0.115, 0.65), (0.125, 0.5), 0.048, 0.032)
    f.stroke(pen, [(0.0, 0.8), (0.01, 0.85)], 0.04)  # neck
    head(f, pen, 0.016, 0.9, 0.05, 0.063, angle=-0.14)  # a little forward and bowed
    f.ellipse(pen, -0.04, 0.94, 0.04, 0.036)  # hair gathered up


def man(f, pen):
    """A man in a coat to the thighs, standing at ease: the weight on the back leg, the
    front knee loose, the arms hanging free of the coat."""
    f.stroke(pen, [(-0.04, 0.46), (-0.048, 0.24), (-0.052, 0.03)], 0.072, 0.05)
    f.stroke(pen, [(0.045, 0.46), (0.072, 0.25), (0.068, 0.03)], 0.072, 0.05)
    f.ellipse(pen, 0.095, 0.016, 0.05, 0.018)  # shoes, pointing the way he faces
    f.ellipse(pen, -0.028, 0.016, 0.05, 0.018)
    arm(f, pen, (-0.1, 0.8), (-0.14, 0.63), (-0.125, 0.46), 0.058, 0.04)
    f.outline(pen, [(0.0, 0.85), (0.085, 0.835), (0.128, 0.8), (0.12, 0.7), (0.088, 0.57), (0.108, 0.4),
                    (0.0, 0.385), (-0.108, 0.4), (-0.09, 0.57), (-0.118, 0.7), (-0.128, 0.8), (-0.085, 0.835)])
    arm(f, pen, (0.105, 0.8), (0.145, 0.63), (0.15, 0.46), 0.058, 0.04)
    f.stroke(pen, [(0.0, 0.83), (0.012, 0.88)], 0.052)  # neck
    head(f, pen, 0.018, 0.925, 0.052, 0.066)


# Who the poem names decides how the figure is drawn: a wanderer in hat and cape with a staff,
# a woman in a long dress, a man in a coat; those named together are painted together.
WOMEN = frozenset("""woman women mother mom mum grandmother grandma wife sister sisters aunt lady
ladies bride widow nun nuns nurse dancer dancers""".split())
MEN = frozenset("""man men father dad grandfather grandpa husband brother brothers uncle gentleman
guy groom widower soldier soldiers doctor teacher worker workers policeman mailman""".split())
GROUPS = {**dict.fromkeys(("family", "parents", "grandparents", "couple", "lovers"), (man, woman)),
          **dict.fromkeys(("people", "crowd", "crowds", "friends", "visitors", "tourists", "workers",
                           "students", "soldiers", "mourners", "strangers", "neighbors",
                           "neighbours", "dancers", "commuters", "passengers"), (man, woman, man)),
          "sisters": (woman, woman), "brothers": (man, man), "men": (man, man), "women": (woman, woman)}
# A word of mourning names a mourner: a woman in black, standing still, where the wanderer's
# hat and staff stood beside round 36's ghost "of the funeral" as "a beaked cloaked walker",
# "awkward". Three viewers chose her 12 of 18 times ("woman in dark dress facing the ghost is
# coherent and moving", "still mourner facing the flowers reads as grief"), and the wanderer
# 6 of 6 where the poem walks ("funeral march": "walking figure fits the crunch of steps";
# "funeral procession"), so a poem of walking keeps the wanderer's stride.
MOURNING = frozenset("""funeral funerals burial burials mourner mourning grave graves graveyard
cemetery churchyard tomb tombstone wake vigil""".split())
WALKING = frozenset("""march marches marching procession processions walk walks walking walked
steps footsteps""".split())
# a traveller's hat and staff belong on the road, not at a table or in a street
INDOORS_OR_TOWN = frozenset({"table", "house", "street", "city", "window", "door", "train", "lamp"})


# where each body's front hand hangs (body units): two figures side by side join these
FRONT_HAND = {man: (0.15, 0.45), woman: (0.125, 0.49)}


def people(scene, word: str):
    """The bodies that paint the figure the poem names with `word`."""
    if word in GROUPS:
        return GROUPS[word]
    if word in WOMEN or _mourner(scene, word):
        return (woman,)
    if word in MEN or scene.motifs & INDOORS_OR_TOWN:
        return (man,)
    return (traveller,)


def _mourner(scene, word: str) -> bool:
    """Whether the figure is a mourner standing still: named by a word of mourning, in a
    poem that does not walk."""
    from generator.painter.lexicon import words_of

    return word in MOURNING and not any(set(words_of(line)) & WALKING for line in scene.plan.lines)


@renders("figure", footing="land", modelled=True)
def figure(scene, slot, rng):
    p = scene.palette
    word = scene.word_for("figure") or ""
    dress = (30, 28, 34) if _mourner(scene, word) else (60, 70, 110)  # mourning black, or a dark blue
    robe = scene.tone(mix(p.ink, p.lit(dress), 0.4), slot.depth)
    height = slot.size * (1.0 if slot.layer == "foreground" else 0.55)
    bodies = people(scene, word)
    if scene.plan.seated_layer() == slot.layer:
        return at_table(scene, slot, rng, bodies, height, robe)
    facing = -slot.side if rng.random() < 0.7 else slot.side
    pair = len(bodies) == 2
    hands = []
    for k, body in enumerate(bodies):  # side by side; two turn to each other
        offset = (k - (len(bodies) - 1) / 2) * height * 0.32
        turned = (1 if offset < 0 else -1) if pair else facing
        tint, size = _dressed(scene, slot, robe, k, body, height)
        standing(scene, replace(slot, x=slot.x + offset), body, size, tint, rng, facing=turned)
        if pair:
            hands.append((Figure(slot.x + offset, slot.y, size, turned).p(*FRONT_HAND[body]), size, tint))
    if pair:
        join_hands(scene, hands, height)
    elif len(bodies) == 1:  # one alone may fly the picture's kite, from the front hand
        from generator.painter.render.sky import fly_kite

        hand = STAFF_HAND if body is traveller else FRONT_HAND[body]
        fly_kite(scene, Figure(slot.x, slot.y, size, turned).p(*hand))


def flies_kite(scene) -> bool:
    """Whether someone on the ground flies the picture's kite: one alone standing (the poem's
    figure, or the walker who casts the shadow it names). A couple holding hands leaves it to
    someone far off: the string run to her free hand "stops awkwardly at the woman's hair
    bun" (2 of 3 chose the far string), and so does a figure seated at a table."""
    from generator.painter.render.creatures import CASTERS

    if "figure" in scene.motifs:
        seated = scene.plan.seated_layer() is not None
        return not seated and len(people(scene, scene.word_for("figure") or "")) == 1
    return "shadow" in scene.motifs and not scene.motifs & CASTERS


def _dressed(scene, slot, robe, k, body, height):
    """The colour and size of the k-th of a group's bodies: every other one in a warmer
    coat, a woman a little shorter."""
    p = scene.palette
    tint = robe if k % 2 == 0 else scene.tone(mix(p.ink, p.lit((110, 60, 56)), 0.4), slot.depth)
    return tint, height * (0.92 if body is woman else 1.0)


# Seated, a figure sinks by this much of its height: its shoulders stand above the table.
SEATED = 0.12
TABLE = 0.85  # the table's size for people of a height, when they sit at it
# The child the poem names, where its people sit at a table, sits with them at the end of
# the row (ScenePlan.seats_child), this much of their height.
CHILD_SEATED = 0.62


def at_table(scene, slot, rng, bodies, height, robe):
    """The poem's people sitting side by side behind the table the poem lays ("family
    dinner"), the table under a long cloth in front of them: where they stood beside it,
    viewers saw "stiff figures" standing "apart from a bare dinner table". The alt text
    says "a figure at a table" (planner._at_table)."""
    from PIL import Image

    from generator.painter.render.table import far_edge, laid_table

    c = scene.canvas
    s = height * TABLE
    above = Image.new("L", (c.width, c.height), 0)
    above.paste(255, (0, 0, c.width, int(far_edge(slot.y, s) + 2)))
    c.clip = above  # nothing of them below the table top
    try:
        seats = len(bodies) + (1 if scene.plan.seats_child() else 0)
        spacing = s * 0.95 / max(1, seats)
        for k in range(seats):
            offset = (k - (seats - 1) / 2) * spacing
            turned = 1 if offset < 0 else -1 if offset > 0 else -slot.side  # to each other, over the meal
            if k == len(bodies):  # the poem's child, at the end of the row, its chest at the table's edge
                size = height * CHILD_SEATED
                sitter = replace(slot, x=slot.x + offset, y=far_edge(slot.y, s) + size * 0.4)
                standing(scene, sitter, seated_child, size, _child_coat(scene, slot), rng, facing=turned)
                _child_head(scene, sitter, size, turned, balloon=False)
                continue
            tint, size = _dressed(scene, slot, robe, k, bodies[k], height)
            sitter = replace(slot, x=slot.x + offset, y=slot.y + height * SEATED)
            standing(scene, sitter, bodies[k], size, tint, rng, facing=turned)
    finally:
        c.clip = None
    # the candle's glow dimmer, or it washes out the people behind it
    laid_table(scene, slot.x, slot.y, s, slot.depth, rng, long_cloth=True, glow=0.45)


def join_hands(scene, hands, height):
    """Two figures turned to each other hold hands between them: each arm reaches from its
    hand, (point, body size, colour), to where they meet (29 of 30 pairs: "warmer and more
    intimate")."""
    (a, _, tint), (b, _, _) = hands
    meet = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + height * 0.01)
    for hand, size, colour in hands:
        with scene.canvas.pen(colour) as pen:
            pen.stroke([hand, meet], size * 0.04, size * 0.036)
    with scene.canvas.pen(tint) as pen:  # the joined hands
        pen.ellipse(meet[0], meet[1] + height * 0.01, height * 0.026, height * 0.03)


def child_body(f, pen):
    """A small girl in a coat to the knee, one arm raised to a balloon's string: a child's
    big head on narrow shoulders, the coat flaring from them (drawn as a trapezoid on
    sticks, "flat and boxy", she lost 29 of 36 pairs to this)."""
    f.stroke(pen, [(-0.045, 0.32), (-0.05, 0.03)], 0.068, 0.056)
    f.stroke(pen, [(0.05, 0.32), (0.062, 0.03)], 0.068, 0.056)
    f.ellipse(pen, 0.08, 0.02, 0.052, 0.024)  # shoes
    f.ellipse(pen, -0.03, 0.02, 0.052, 0.024)
    arm(f, pen, (-0.07, 0.65), (-0.125, 0.52), (-0.11, 0.41), 0.055, 0.042)
    f.outline(pen, [(0.0, 0.69), (0.065, 0.68), (0.095, 0.64), (0.11, 0.52), (0.19, 0.3), (0.0, 0.28),
                    (-0.19, 0.3), (-0.11, 0.52), (-0.095, 0.64), (-0.065, 0.68)])
    f.stroke(pen, [(0.07, 0.645), (0.19, 0.78), (0.24, 0.98)], 0.055, 0.042)  # the raised arm
    f.stroke(pen, [(0.0, 0.66), (0.0, 0.72)], 0.06)  # neck
    f.ellipse(pen, 0, 0.8, 0.11, 0.12)


def seated_child(f, pen):
    """The child's shoulders and arms as it sits at a table, its hands down on it."""
    arm(f, pen, (-0.08, 0.65), (-0.12, 0.52), (-0.08, 0.42), 0.055, 0.042)
    f.outline(pen, [(0.0, 0.69), (0.065, 0.68), (0.095, 0.64), (0.1, 0.5), (0.11, 0.3), (-0.11, 0.3),
                    (-0.1, 0.5), (-0.095, 0.64), (-0.065, 0.68)])
    arm(f, pen, (0.08, 0.65), (0.13, 0.52), (0.12, 0.42), 0.055, 0.042)
    f.stroke(pen, [(0.0, 0.66), (0.0, 0.72)], 0.06)  # neck


@renders("child", footing="land", modelled=True)
def child(scene, slot, rng):
    if scene.plan.seats_child():
        return  # it sits at the family's table with them (at_table)
    height = slot.size * (0.6 if slot.layer == "foreground" else 0.35)
    facing = standing(scene, slot, child_body, height, _child_coat(scene, slot), rng)
    _child_head(scene, slot, height, facing, balloon=True)


def _child_coat(scene, slot):
    return scene.tone(scene.palette.lit((196, 70, 60)), slot.depth)


def _child_head(scene, slot, height, facing, balloon):
    """The child's face and hair, and the balloon it holds up when it stands."""
    p = scene.palette
    f = Figure(slot.x, slot.y, height, facing)
    if not balloon:  # seated among its people, a dark head in profile turned to them as theirs are
        with scene.canvas.pen(scene.ink(slot.depth)) as pen:
            head(f, pen, 0.02, 0.8, 0.085, 0.1)
            f.ellipse(pen, -0.045, 0.84, 0.065, 0.07)  # its hair
        return
    with scene.canvas.pen(scene.tone(p.lit((240, 196, 160)), slot.depth)) as pen:
        f.ellipse(pen, 0.02, 0.8, 0.09, 0.1)
    with scene.canvas.pen(scene.ink(slot.depth)) as pen:
        f.ellipse(pen, -0.02, 0.86, 0.11, 0.07)
        if balloon:
            pen.line([f.p(0.24, 0.98), f.p(0.3, 1.25), f.p(0.26, 1.5)], scene.u * 1.2)
    if balloon:
        with scene.canvas.pen(scene.tone(p.lit((250, 200, 60)), slot.depth)) as pen:
            f.ellipse(pen, 0.26, 1.62, 0.13, 0.15)


@renders("scarecrow", footing="land", modelled=True)
def scarecrow(scene, slot, rng):
    p = scene.palette
    height = slot.size * (1.0 if slot.layer == "foreground" else 0.6)
    f = Figure(slot.x, slot.y, height, slot.side)
    wood = scene.tone(mix(p.ink, p.lit((110, 80, 50)), 0.5), slot.depth)
    straw = scene.tone(p.lit((222, 186, 100)), slot.depth)
    coat = scene.tone(p.lit((96, 104, 140)), slot.depth)
    scene.foot_shade(slot.x, slot.y, height * 0.22, height * 0.03)
    with scene.canvas.pen(wood) as pen:
        f.stroke(pen, [(0, 0), (0, 0.95)], 0.04)
        f.stroke(pen, [(-0.48, 0.72), (0.48, 0.7)], 0.035)
    with scene.canvas.pen(straw) as pen:
        for side in (-1, 1):
            for k in range(4):
                f.stroke(pen, [(side * 0.44, 0.71), (side * 0.56, 0.64 + k * 0.04)], 0.02, 0.005)
        for k in range(6):
            f.stroke(pen, [(-0.12 + k * 0.05, 0.36), (-0.14 + k * 0.06, 0.26)], 0.02, 0.005)
        f.ellipse(pen, 0, 0.84, 0.085, 0.095)
        f.ellipse(pen, 0, 0.93, 0.24, 0.04)
        f.ellipse(pen, 0, 0.97, 0.11, 0.06)
    with scene.canvas.pen(coat) as pen:
        pen.polygon(
            f.pts(
                [
                    (-0.42, 0.76),
                    (0.42, 0.75),
                    (0.4, 0.66),
                    (0.14, 0.64),
                    (0.18, 0.36),
                    (0.1, 0.32),
                    (0.04, 0.37),
                    (-0.04, 0.31),
                    (-0.12, 0.36),
                    (-0.18, 0.33),
                    (-0.14, 0.64),
                    (-0.4, 0.66),
                ]
            )
        )
    with scene.canvas.pen(scene.ink(slot.depth)) as pen:
        f.ellipse(pen, -0.03, 0.85, 0.012, 0.012)
        f.ellipse(pen, 0.03, 0.85, 0.012, 0.012)
