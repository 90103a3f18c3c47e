package services

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Sizes of the seeded data every replica holds.
const (
	numUsers    = 1000  // users 1..1000
	numProducts = 10000 // products 1..10000
	minStock    = 500
	maxStock    = 5000
)

// Salts keep the user and product draws of one seed unrelated.
const (
	userSalt    = 0x75736572 // "user"
	productSalt = 0x70726f64 // "prod"
)

var (
	firstNames = []string{"Ada", "Alan", "Barbara", "Claude", "Dennis", "Donald", "Edsger", "Frances",
		"Grace", "Hedy", "John", "Ken", "Leslie", "Linus", "Margaret", "Niklaus", "Radia", "Rob",
		"Shafi", "Sophie", "Tim", "Tony", "Whitfield", "Yukihiro"}
	lastNames = []string{"Allen", "Backus", "Dijkstra", "Hamilton", "Hoare", "Hopper", "Kay", "Knuth",
		"Lamarr", "Lamport", "Liskov", "Lovelace", "McCarthy", "Perlman", "Pike", "Ritchie",
		"Shannon", "Thompson", "Torvalds", "Turing", "Wilson", "Wirth", "Goldwasser", "Diffie"}
	tiers      = []string{"free", "free", "free", "free", "free", "free", "free", "plus", "plus", "pro"}
	adjectives = []string{"Ancient", "Brave", "Calm", "Daring", "Eager", "Fancy", "Gentle", "Handy",
		"Jolly", "Keen", "Lucky", "Mellow", "Nimble", "Proud", "Quiet", "Rapid", "Sturdy", "Tidy",
		"Vivid", "Witty"}
	nouns = []string{"Anchor", "Basket", "Candle", "Drum", "Easel", "Fork", "Globe", "Hammock",
		"Inkwell", "Jar", "Kettle", "Lamp", "Mirror", "Notebook", "Oar", "Pillow", "Quilt", "Rope",
		"Spoon", "Teapot", "Umbrella", "Vase", "Whistle", "Yoyo", "Zither"}
)

// entities hands out a random source per entity: each entity's draws depend on the seed, its
// kind and its id only, never on generation order.
type entities struct {
	pcg  *rand.PCG
	rng  *rand.Rand
	seed uint64
	salt uint64
}

func newEntities(seed, salt uint64) *entities {
	pcg := rand.NewPCG(0, 0)
	return &entities{pcg: pcg, rng: rand.New(pcg), seed: seed, salt: salt}
}

// at returns the source reseeded for entity id; it is valid until the next call.
func (e *entities) at(id int) *rand.Rand {
	e.pcg.Seed(mix64(e.seed^e.salt), mix64(uint64(id)))
	return e.rng
}

// userBodies returns the JSON answer of every user, index id-1.
func userBodies(seed uint64) [][]byte {
	ents := newEntities(seed, userSalt)
	out := make([][]byte, numUsers)
	for i := range out {
		id := i + 1
		r := ents.at(id)
		first, last := pick(r, firstNames), pick(r, lastNames)
		email := strings.ToLower(first+"."+last) + strconv.Itoa(id) + "@example.com"
		b, _ := json.Marshal(struct {
			ID    int    `json:"id"`
			Name  string `json:"name"`
			Email string `json:"email"`
			Tier  string `json:"tier"`
		}{id, first + " " + last, email, pick(r, tiers)})
		out[i] = append(b, '\n')
	}
	return out
}

// product is one catalogue entry; its JSON answer is prefix, the current stock, and "}".
type product struct {
	prefix     []byte // {"id":..,"name":..,"priceCents":..,"stock":
	priceCents int64
	stock      int64 // initial stock
}

// catalogue returns every product, index id-1.
func catalogue(seed uint64) []product {
	ents := newEntities(seed, productSalt)
	out := make([]product, numProducts)
	for i := range out {
		id := i + 1
		r := ents.at(id)
		name := pick(r, adjectives) + " " + pick(r, nouns)
		p := product{priceCents: int64(r.IntN(200)+2)*100 - 1, stock: int64(minStock + r.IntN(maxStock-minStock+1))}
		b, _ := json.Marshal(name)
		p.prefix = append([]byte(`{"id":`+strconv.Itoa(id)+`,"name":`), b...)
		p.prefix = append(p.prefix, `,"priceCents":`+strconv.FormatInt(p.priceCents, 10)+`,"stock":`...)
		out[i] = p
	}
	return out
}

func pick(r *rand.Rand, from []string) string { return from[r.IntN(len(from))] }
