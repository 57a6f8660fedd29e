"""The painter's lexicon: which words name which motif, time of day and season.

WORDS lists, for every motif in motifs.MOTIFS, the words of the corpus that name it: the
motif itself, its plural and common variants, and close kinds of it (a raven is painted as
a crow, a cedar as a pine). A word names at most one motif. Words left out on purpose
(the planner's word vectors decide them instead): words that are mostly something else in
haiku ("rose" the verb, "light", "glass", "fall"), and words that negate a motif
("moonless", "cloudless" name the absence of a moon or of clouds).

TIME_WORDS and SEASON_WORDS are the same idea for the time of day and the kigo (season
words) of the haiku tradition. All entries are single lowercase words, as words_of()
splits them.
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


def words_of(text: str) -> list[str]:
    """The lowercase words of a text: letters and inner apostrophes; "heron's" -> "heron".

    Hyphens and other punctuation split words ("moon-viewing" -> "moon", "viewing").
    """
    text = text.lower().replace("\u2019", "'")
    return [word[:-2] if word.endswith("'s") else word for word in _WORD.findall(text)]


WORDS: dict[str, tuple[str, ...]] = {
    # sky and weather
    "sun": ("sun", "suns", "sunlight", "sunshine", "sunny", "sunlit", "sunbeam", "sunbeams",
            "sunrise", "sunrises", "sunset", "sunsets", "sundown", "sunup", "sunbathing"),
    "moon": ("moon", "moons", "moonlight", "moonlit", "moonrise", "moonset", "moonbeam",
             "moonbeams", "moonshine", "moonglow", "crescent", "eclipse", "moonwashed", "lunar",
             "gibbous"),
    "stars": ("star", "stars", "starry", "starlight", "starlit", "constellation",
              "constellations", "galaxy", "galaxies", "milky", "comet", "meteor", "meteors",
              "orion", "pleiades", "planet", "planets", "perseid", "perseids", "stardust", "venus",
              "satellite"),
    "clouds": ("cloud", "clouds", "cloudy", "clouded", "overcast", "cumulus", "cirrus",
               "thunderhead", "thunderheads"),
    "rain": ("rain", "rains", "rainy", "raining", "rained", "raindrop", "raindrops",
             "drizzle", "drizzling", "downpour", "downpours", "shower", "showers",
             "monsoon", "rainfall", "rainwater", "rainstorm"),
    "snow": ("snow", "snows", "snowy", "snowing", "snowed", "snowfall", "snowflake",
             "snowflakes", "blizzard", "blizzards", "snowman", "snowmen", "flurries",
             "flurry", "sleet", "snowdrift", "snowdrifts", "snowbank", "snowbanks",
             "snowmelt", "snowstorm", "snowbound", "snowshoes", "snowball"),
    "fog": ("fog", "foggy", "fogs", "mist", "misty", "mists", "haze", "hazy", "fogbank"),
    "wind": ("wind", "winds", "windy", "breeze", "breezes", "breezy", "gust", "gusts",
             "gusty", "gale", "gales", "whirlwind", "windblown", "windswept"),
    "storm": ("storm", "storms", "stormy", "thunder", "thunderstorm", "thunderstorms",
              "lightning", "typhoon", "hurricane", "tornado", "hail", "hailstones",
              "thunderclap", "tempest"),
    "rainbow": ("rainbow", "rainbows"),
    "aurora": ("aurora", "auroras", "borealis"),
    # creatures of the air
    "crow": ("crow", "crows", "raven", "ravens", "blackbird", "blackbirds", "rook", "rooks",
             "jackdaw", "magpie", "magpies", "hawk", "hawks", "eagle", "eagles", "falcon",
             "vulture", "vultures", "buzzard", "owl", "owls", "kestrel", "osprey"),
    "heron": ("heron", "herons", "egret", "egrets", "crane", "cranes", "stork", "storks",
              "ibis", "bittern", "cormorant", "cormorants", "kingfisher"),
    "geese": ("goose", "geese", "swan", "swans", "duck", "ducks", "mallard", "mallards",
              "duckling", "ducklings", "loon", "loons"),
    "swallow": ("swallow", "swallows", "swifts", "gull", "gulls", "seagull",
                "seagulls", "tern", "terns", "pelican", "pelicans", "albatross"),
    "sparrow": ("sparrow", "sparrows", "bird", "birds", "birdsong", "songbird", "songbirds",
                "robin", "robins", "wren", "wrens", "finch", "finches", "chickadee",
                "chickadees", "warbler", "warblers", "thrush", "nightingale", "cardinal",
                "cardinals", "bluebird", "bluebirds", "hummingbird", "hummingbirds",
                "woodpecker", "lark", "larks", "skylark", "starling", "starlings", "pigeon",
                "pigeons", "dove", "doves", "mockingbird", "jay", "bluejay", "cuckoo",
                "nightbird", "fledgling", "fledglings", "birdsongs", "nestling", "nest",
                "nests", "feather", "feathers", "wing", "wings", "flock", "flocks", "beak", "waxwings",
                "birdbath", "birdfeeder", "feeder"),
    "butterfly": ("butterfly", "butterflies", "monarch", "caterpillar", "caterpillars", "swallowtail"),
    "dragonfly": ("dragonfly", "dragonflies", "damselfly", "damselflies"),
    "fireflies": ("firefly", "fireflies", "glowworm", "glowworms"),
    "moth": ("moth", "moths"),
    # land and water
    "mountain": ("mountain", "mountains", "peak", "peaks", "summit", "fuji",
                 "volcano", "cliff", "cliffs", "ridge", "ridges", "crag", "mountainside",
                 "mountaintop", "cave", "caves"),
    "hills": ("hill", "hills", "hillside", "hilltop", "slope", "slopes", "valley",
              "valleys", "foothills", "moor", "moorland"),
    "sea": ("sea", "seas", "ocean", "oceans", "bay", "harbor", "harbour", "tide", "tides",
            "lagoon", "gulf", "seaside", "ebb", "seawater", "undertow", "island", "islands",
            "seaweed", "kelp"),
    "waves": ("wave", "waves", "surf", "breakers", "swells", "whitecaps",
              "surfer", "surfers"),
    "shore": ("shore", "shores", "beach", "beaches", "sand", "sands", "sandy", "coast",
              "coastline", "seashore", "shell", "shells", "seashell", "seashells", "pier",
              "jetty", "cove", "driftwood", "sandcastle", "dock", "boardwalk", "tidepool", "mudflats",
              "shallows"),
    "river": ("river", "rivers", "stream", "streams", "creek", "creeks", "brook", "brooks",
              "rapids", "waterfall", "waterfalls", "riverbank", "canal", "riverside",
              "currents", "estuary"),
    "pond": ("pond", "ponds", "lake", "lakes", "pool", "pools", "puddle", "puddles",
             "ripple", "ripples", "lakeside", "millpond", "pondside",
             "water", "waters", "fountain"),
    "ice": ("ice", "icy", "icicle", "icicles", "frozen", "frost", "frosty", "frosted",
            "hoarfrost", "rime", "glacier", "glaciers", "iceberg"),
    "field": ("field", "fields", "meadow", "meadows", "prairie", "prairies", "pasture",
              "pastures", "farm", "farms", "farmland", "paddy", "paddies", "rice", "wheat",
              "corn", "cornfield", "cornfields", "hay", "haystack", "barley", "crops",
              "plow", "plough", "furrow", "furrows", "harvester", "tractor"),
    "desert": ("desert", "deserts", "dune", "dunes", "cactus", "cacti", "mesa", "canyon",
               "canyons", "tumbleweed"),
    # plants
    "tree": ("tree", "trees", "oak", "oaks", "birch", "birches", "elm", "elms", "branch",
             "branches", "bough", "boughs", "twig", "twigs", "trunk", "orchard", "orchards",
             "sapling", "saplings", "roots", "stump", "sycamore", "beech", "poplar",
             "poplars", "aspen", "aspens", "chestnut", "ginkgo", "walnut", "persimmon",
             "leafless", "treetop", "treetops", "baobab", "banyan", "acorn", "acorns", "bush",
             "bushes", "shrub", "shrubs", "cottonwood", "cottonwoods", "eucalyptus", "root"),
    "pine": ("pine", "pines", "fir", "firs", "spruce", "cedar", "cedars", "cypress",
             "evergreen", "evergreens", "conifer", "conifers", "redwood", "redwoods",
             "hemlock", "pinecone", "pinecones", "needles", "bonsai"),
    "willow": ("willow", "willows"),
    "bamboo": ("bamboo", "bamboos"),
    "forest": ("forest", "forests", "woods", "woodland", "woodlands", "grove", "groves",
               "jungle", "thicket", "rainforest"),
    "blossom": ("blossom", "blossoms", "blossoming", "cherry", "sakura", "plum", "petal",
                "petals", "hanami", "magnolia", "magnolias", "dogwood", "apricot"),
    "leaves": ("leaf", "leaves", "leafy", "foliage", "maple", "maples", "vine", "vines",
               "ivy", "leafs"),
    "grass": ("grass", "grasses", "grassy", "lawn", "lawns", "weed", "weeds", "clover",
              "moss", "mossy", "fern", "ferns", "thistle", "thistles", "nettle", "nettles",
              "dew", "dewdrop", "dewdrops", "grassland", "sprout", "sprouts", "seedling",
              "seedlings", "mushroom", "mushrooms"),
    "flowers": ("flower", "flowers", "flowering", "bloom", "blooms", "blooming", "bud",
                "buds", "roses", "tulip", "tulips", "daffodil", "daffodils", "lily",
                "lilies", "iris", "irises", "lilac", "lilacs", "jasmine", "daisy",
                "daisies", "dandelion", "dandelions", "sunflower", "sunflowers", "violet",
                "violets", "poppy", "poppies", "chrysanthemum", "chrysanthemums", "orchid",
                "orchids", "peony", "peonies", "hydrangea", "hydrangeas", "camellia",
                "camellias", "azalea", "azaleas", "wisteria", "honeysuckle", "crocus",
                "crocuses", "lavender", "marigold", "marigolds", "bouquet", "garden",
                "gardens", "wildflower", "wildflowers", "hibiscus", "geranium",
                "geraniums", "bluebells", "buttercup", "buttercups",
                "hollyhock", "hollyhocks", "snowdrop", "snowdrops", "jonquil", "rosebud",
                "forsythia", "goldenrod", "lupine", "lupines", "primrose", "foxglove", "pollen",
                "stem", "stems", "mimosa", "carnation", "carnations"),
    "lotus": ("lotus", "lotuses", "waterlily", "waterlilies", "lilypad", "lilypads"),
    "reeds": ("reed", "reeds", "rushes", "cattail", "cattails", "bulrush", "bulrushes",
              "sedge", "marsh", "marshes", "swamp", "swamps", "wetland", "wetlands",
              "pampas", "susuki", "bog"),
    # creatures of land and water
    "frog": ("frog", "frogs", "toad", "toads", "tadpole", "tadpoles", "bullfrog",
             "bullfrogs"),
    "fish": ("fish", "fishes", "carp", "koi", "salmon", "trout", "minnow", "minnows",
             "goldfish", "whale", "whales", "dolphin", "dolphins", "shark", "sharks",
             "jellyfish"),
    "cat": ("cat", "cats", "kitten", "kittens", "kitty", "tomcat", "kitties"),
    "dog": ("dog", "dogs", "puppy", "puppies", "pup", "pups", "hound", "hounds", "fox",
            "foxes", "wolf", "wolves", "coyote", "coyotes", "terrier", "retriever"),
    "deer": ("deer", "doe", "fawn", "fawns", "stag", "elk", "moose", "antelope",
             "reindeer"),
    "horse": ("horse", "horses", "pony", "ponies", "mare", "mares", "stallion", "colt",
              "foal", "mule", "mules", "donkey", "donkeys"),
    "cricket": ("cricket", "crickets", "grasshopper", "grasshoppers", "katydid",
                "katydids", "cicada", "cicadas", "locust", "locusts"),
    "snail": ("snail", "snails", "slug", "slugs"),
    "spider": ("spider", "spiders", "web", "webs", "cobweb", "cobwebs", "spiderweb",
               "spiderwebs"),
    "rabbit": ("rabbit", "rabbits", "hare", "hares", "bunny", "bunnies", "jackrabbit",
               "jackrabbits", "leveret"),
    "lizard": ("lizard", "lizards", "gecko", "geckos", "salamander", "salamanders", "newt",
               "newts", "skink", "skinks", "iguana", "chameleon"),
    # people and what they make
    "figure": ("man", "men", "woman", "women", "person", "people", "stranger", "strangers",
               "monk", "monks", "priest", "nun", "nuns", "mother", "father", "mom", "mum",
               "dad", "grandmother", "grandfather", "grandma", "grandpa", "wife", "husband",
               "lover", "lovers", "friend", "friends", "neighbor", "neighbors", "neighbour",
               "neighbours", "farmer", "farmers", "fisherman", "fishermen", "beggar",
               "beggars", "soldier", "soldiers", "traveler", "travelers", "traveller",
               "wanderer", "pilgrim", "pilgrims", "poet", "widow", "widower", "sister",
               "brother", "uncle", "aunt", "lady", "ladies", "gentleman", "guy", "crowd",
               "crowds", "couple", "bride", "groom", "samurai", "dancer", "dancers",
               "runner", "hiker", "hikers", "jogger", "commuter", "commuters", "passenger",
               "passengers", "nurse", "doctor", "teacher", "student", "students", "worker",
               "workers", "gardener", "mourner", "mourners", "cyclist", "swimmer",
               "swimmers", "policeman", "vendor", "grandparents", "parents", "family",
               "sisters", "brothers", "hermit", "peddler", "mailman", "fishmonger",
               "visitor", "visitors", "tourist", "tourists", "priests",
               "musician", "busker", "veteran", "veterans", "woodcutter", "shepherd"),
    "child": ("child", "children", "kid", "kids", "boy", "boys", "girl", "girls", "baby",
              "babies", "toddler", "toddlers", "infant", "son", "daughter", "sons",
              "daughters", "grandchild", "grandchildren", "grandson", "granddaughter",
              "schoolgirl", "schoolgirls", "schoolboy", "schoolboys", "newborn",
              "schoolchildren", "childhood", "niece", "nephew"),
    "ghost": ("ghost", "ghosts", "ghostly", "spirit", "spirits", "phantom", "phantoms",
              "apparition", "apparitions", "specter", "spectre", "spook", "haunted",
              "haunting", "wraith", "yurei"),
    "city": ("city", "cities", "skyline", "downtown", "tower", "towers", "skyscraper",
             "skyscrapers", "town", "metropolis", "building", "buildings", "suburb",
             "suburbs", "highrise"),
    "street": ("street", "streets", "sidewalk", "sidewalks", "alley", "alleys", "alleyway",
               "avenue", "boulevard", "crosswalk", "pavement", "curb", "gutter", "gutters",
               "intersection", "traffic", "bus", "buses", "taxi", "plaza", "neon",
               "storefront", "marketplace", "market", "parking", "graffiti", "shop",
               "shops", "store", "stores", "neighborhood", "cafe", "pub"),
    "house": ("house", "houses", "home", "homes", "hut", "huts", "cottage", "cottages",
              "cabin", "cabins", "barn", "barns", "farmhouse", "roof", "roofs", "rooftop",
              "rooftops", "porch", "veranda", "village", "villages", "shack", "shed",
              "eaves", "chimney", "chimneys", "hermitage", "inn", "homestead", "hamlet",
              "thatch", "teahouse", "doghouse", "birdhouse", "henhouse", "tent", "tents", "attic",
              "garage", "townhouse", "igloo"),
    "temple": ("temple", "temples", "shrine", "shrines", "pagoda", "pagodas", "church",
               "churches", "cathedral", "chapel", "monastery", "steeple", "mosque", "torii",
               "buddha", "sanctuary", "abbey"),
    "bridge": ("bridge", "bridges", "footbridge", "overpass"),
    "boat": ("boat", "boats", "ship", "ships", "sail", "sails", "sailboat", "sailboats",
             "canoe", "canoes", "kayak", "ferry", "raft", "yacht", "rowboat", "oar", "oars",
             "anchor", "fishing", "sailing", "sailor", "sailors", "vessel", "barge",
             "tugboat", "ferryboat", "paddle", "houseboat", "gondola"),
    "train": ("train", "trains", "railway", "railroad", "railways", "locomotive", "subway",
              "station", "platform", "trolley", "tram", "boxcar", "caboose", "freight"),
    "road": ("road", "roads", "path", "paths", "trail", "trails", "highway", "highways",
             "lane", "lanes", "roadside", "pathway", "car", "cars", "truck", "trucks",
             "driveway", "freeway", "crossroads", "headlights", "motorcycle", "bicycle",
             "bike", "pickup", "roadway", "interstate", "detour"),
    "fence": ("fence", "fences", "wall", "walls", "gate", "gates", "hedge", "hedges",
              "railing", "fencepost", "fenceposts", "barbed", "hedgerow"),
    "window": ("window", "windows", "windowsill", "pane", "panes", "windowpane",
               "curtain", "curtains", "shutters", "sill"),
    "door": ("door", "doors", "doorway", "doorstep", "threshold", "doorbell", "doorknob",
             "stoop"),
    "lamp": ("lamp", "lamps", "streetlight", "streetlights", "streetlamp", "streetlamps",
             "lamplight", "lamppost", "lampposts", "bulb", "lightbulb", "flashlight",
             "lighthouse", "lampshade"),
    "candle": ("candle", "candles", "candlelight", "candlelit", "wick", "votive"),
    "lantern": ("lantern", "lanterns"),
    "bell": ("bell", "bells", "chime", "chimes", "gong", "windchime", "windchimes",
             "belfry"),
    "cup": ("cup", "cups", "teacup", "teacups", "mug", "mugs", "tea", "coffee", "bowl",
            "bowls", "teapot", "kettle", "sake", "wine", "goblet", "chalice"),
    "table": ("table", "tables", "tablecloth", "dinner", "dinners", "supper", "suppers",
              "breakfast", "meal", "meals", "feast", "banquet", "kitchen", "dining", "plate",
              "plates", "dishes", "dinnertime", "suppertime"),
    "umbrella": ("umbrella", "umbrellas", "parasol", "parasols", "raincoat"),
    "smoke": ("smoke", "smoky", "smoking", "incense", "steam", "steaming", "smolder",
              "vapor", "vapour", "cigarette", "cigarettes", "woodsmoke",
              "smokestack", "cigar"),
    "fire": ("fire", "fires", "flame", "flames", "bonfire", "bonfires", "campfire",
             "campfires", "fireplace", "hearth", "ember", "embers", "blaze", "wildfire",
             "ashes", "coals", "firewood", "kindling", "burning"),
    "stone": ("stone", "stones", "rock", "rocks", "rocky", "pebble", "pebbles", "boulder",
              "boulders", "gravestone", "gravestones", "headstone", "headstones",
              "tombstone", "tombstones", "grave", "graves", "cemetery", "cemeteries",
              "graveyard", "statue", "jizo", "granite", "cairn"),
    "shadow": ("shadow", "shadows", "shadowy", "shade", "silhouette", "silhouettes",
               "shadowed"),
    "footprints": ("footprint", "footprints", "tracks", "pawprints", "prints",
                   "bootprints"),
    "kite": ("kite", "kites", "balloon", "balloons"),
    "scarecrow": ("scarecrow", "scarecrows"),
}

# word -> time of day; a word may also be in WORDS ("moonlight" is a moon at night).
TIME_WORDS: dict[str, str] = {
    **dict.fromkeys(("dawn", "dawns", "daybreak", "sunrise", "sunrises", "sunup", "morning",
                     "mornings", "cockcrow", "aubade", "matins", "daylight"), "dawn"),
    **dict.fromkeys(("noon", "noonday", "noontime", "midday", "afternoon", "afternoons",
                     "daytime", "sunshine", "sunny", "sunbathing", "lunchtime", "lunch",
                     "picnic"), "day"),
    **dict.fromkeys(("dusk", "evening", "evenings", "sunset", "sunsets", "sundown",
                     "twilight", "nightfall", "gloaming", "eventide", "vespers",
                     "evensong", "dinner", "dinnertime", "supper", "suppertime"), "dusk"),
    **dict.fromkeys(("night", "nights", "midnight", "tonight", "nighttime", "moonlight",
                     "moonlit", "moonless", "starless", "moonbeam", "moonbeams", "moonrise", "star",
                     "stars", "starry", "starlight", "starlit", "constellation",
                     "constellations", "galaxy", "milky", "darkness", "insomnia",
                     "sleepless", "nightbird", "nocturne", "overnight", "bedtime",
                     "nightlight", "perseid", "perseids", "meteor", "meteors",
                     "nightingale"), "night"),
}

# word -> season (kigo). "fall" is autumn only where the planner sees it used as a noun.
SEASON_WORDS: dict[str, str] = {
    **dict.fromkeys(("spring", "springtime", "cherry", "sakura", "blossom", "blossoms",
                     "blossoming", "plum", "petals", "thaw", "thawing", "hanami", "tadpole",
                     "tadpoles", "tulip", "tulips", "daffodil", "daffodils", "crocus",
                     "crocuses", "april", "easter", "budding", "sprouts", "seedlings",
                     "skylark", "magnolia", "magnolias", "dogwood", "lilac", "lilacs",
                     "snowmelt", "forsythia", "wisteria", "hyacinth", "primrose"), "spring"),
    **dict.fromkeys(("summer", "summertime", "summers", "midsummer", "cicada", "cicadas",
                     "firefly", "fireflies", "heat", "heatwave", "humid", "humidity",
                     "sweltering", "june", "july", "august", "sunflower", "sunflowers",
                     "mosquito", "mosquitoes", "watermelon", "sunbathing", "lotus",
                     "hydrangea", "hydrangeas", "swelter"), "summer"),
    **dict.fromkeys(("autumn", "autumnal", "harvest", "maple", "maples", "chrysanthemum",
                     "chrysanthemums", "scarecrow", "scarecrows", "pumpkin", "pumpkins",
                     "halloween", "thanksgiving", "september", "october", "november",
                     "persimmon", "persimmons", "acorn", "acorns", "goldenrod",
                     "migrating"), "autumn"),
    **dict.fromkeys(("winter", "wintry", "wintery", "midwinter", "snow", "snows", "snowy",
                     "snowing", "snowfall", "snowflake", "snowflakes", "snowman",
                     "snowmen", "blizzard", "blizzards", "sleet", "flurries", "snowdrift",
                     "snowdrifts", "snowbank", "snowbanks", "snowstorm", "snowbound",
                     "frost", "frosty", "hoarfrost", "icicle", "icicles", "december",
                     "january", "february", "christmas", "hibernation", "mittens",
                     "sledding", "snowshoes", "snowball"), "winter"),
}

# Words the planner never maps: pronouns, articles, prepositions, auxiliaries, conjunctions,
# and the vaguest adverbs and quantifiers. Word vectors would place them near *something*
# (every poem has a "the"), so they are kept out of the vector vocabulary altogether.
STOPWORDS: frozenset[str] = frozenset("""
a an the this that these those there here
i me my mine myself we us our ours ourselves you your yours yourself yourselves
he him his himself she her hers herself it its itself they them their theirs themselves
one ones someone somebody something anyone anybody anything everyone everybody everything
no nobody nothing none who whom whose which what whatever when where why how
am is are was were be been being do does did done doing have has had having
will would shall should can could may might must ought
i'm i've i'll i'd you're you've you'll you'd he'd she'd it'll we're we've we'll we'd
they're they've they'll they'd isn't aren't wasn't weren't don't doesn't didn't
haven't hasn't hadn't won't wouldn't can't cannot couldn't shouldn't mustn't ain't
he'll she'll it'd who've who'd how'd where'd could've would've should've must've y'all o'er ne'er
let
and or but nor so yet if then than because though although while until till unless
as since whether either neither both
of in on at by for with from to into onto upon about above below over under
between among amongst amid amidst through throughout across along around behind beyond
beside besides beneath underneath inside outside within without ahead apart
against toward towards after before during past near off out up down away back
not just only also too very really quite still even ever never always again
all any each every some many much more most few less least other another such
own same else enough almost already soon now
oh o ah yes yeah ok okay amp th
""".split())

# Content words that name no paintable thing: the canvas itself (every picture has a sky and
# light), colours and sizes (they describe a motif, they are not one), spans of time, the
# body, and abstractions. The word vectors would still find each a nearest motif ("eyes" ->
# moon, "silence" -> storm), so the planner never asks them.
UNPAINTED: frozenset[str] = frozenset("""
sky skies air light earth world ground horizon space nature weather colour color colours colors
white black blue red green yellow grey gray pink orange purple brown golden gold silver pale
bright dark dim clear
long short tall small little big tiny giant high low deep deeper half full empty whole round
thin thick heavy wide far distant close
day days year years time times today tomorrow yesterday moment moments hour hours week
weekend season seasons first last new old next end once forever age ago
cold hot warm cool wet dry soft hard sharp fresh quiet silent silence stillness calm loud
sudden suddenly slow slowly fast quick late early
love life death dead heart hearts soul souls mind thoughts thought dream dreams dreaming
memory memories hope fear joy peace truth beauty god heaven hell happiness loneliness
solitude freedom pain
haiku haikus poem poems poetry words word name names line lines story stories self
like good bad best better perfect beautiful happy sad lonely alone wild sweet true real
face faces eyes eye hand hands hair breath feet foot fingers finger lips skin blood
bones bone body head tongue mouth teeth neck arms legs ears ear nose
breast chest shoulder shoulders knees
thing things way place part side kind lot bit piece pieces
equinox solstice
look looks looking looked see sees seeing saw seen watch watches watching know knows knew
think thinks thinking feel feels feeling felt touch touches touched want wants need needs
""".split())


# A motif's word that, before these words, names something else: "ice cream" is no ice and a
# "fire escape" no fire (an ice sheet glared across the street of "the ice cream truck").
COMPOUNDS: dict[str, frozenset[str]] = {
    "ice": frozenset({"cream", "creams"}),
    "fire": frozenset({"escape", "escapes", "hydrant", "hydrants", "truck", "trucks", "engine",
                       "engines", "alarm", "alarms", "station", "drill", "ant", "ants", "fly", "flies"}),
    "rain": frozenset({"check"}),
    "moon": frozenset({"pie", "pies"}),
    "snow": frozenset({"cone", "cones", "globe"}),
    "horse": frozenset({"radish", "power"}),
}

# What a poem that names no thing still calls up by what it does or feels: going back or
# away is a road, being alone a figure, a dream the night's stars, a funeral its candles.
# Consulted only when no word of the poem names a motif (planner._gestures), so these words,
# stopwords and unpainted words among them, never crowd a picture that has a subject.
GESTURES: dict[str, str] = {
    **dict.fromkeys(("back", "return", "returns", "returning", "returned", "leaving", "left",
                     "away", "gone", "goodbye", "goodbyes", "farewell", "going", "wander",
                     "wandering", "journey", "behind", "homeward", "miles"), "road"),
    **dict.fromkeys(("alone", "lonely", "loneliness", "solitude", "myself", "waiting", "wait",
                     "miss", "missing", "lost", "lose"), "figure"),
    **dict.fromkeys(("dream", "dreams", "dreaming", "dreamt", "dreamed", "wish", "wishes"), "stars"),
    **dict.fromkeys(("funeral", "funerals", "mourning", "vigil", "prayer", "prayers", "pray",
                     "praying", "grief", "grieving", "memorial"), "candle"),
}
